"""The PyFlink enrichment job: Kinesis records in, enriched records and rejects out (docs/design.md)."""
