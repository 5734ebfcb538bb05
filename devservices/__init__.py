"""Real local services the tests and the demo run against (moto server, Apache Cassandra)."""
