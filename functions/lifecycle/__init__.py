"""The tenant lifecycle jobs: migrate a tenant's rows between tiers, offboard a tenant with `delete`.

Runtime code (no Pulumi, no program code): it runs here against the local Cassandra and moto, and on AWS
against Amazon Keyspaces and S3, reading the tenant's record from the published directory.
"""
