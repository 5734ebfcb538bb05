"""Pure pieces of the ingestion pipeline: what the API writes, how Firehose lays out S3, what Flink reads.

The Pulumi components declare these verbatim; tests and the local sandbox render them from the
declared resources, so they must stay valid AWS VTL and jq 1.6.
"""
