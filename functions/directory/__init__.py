"""The tenant directory at runtime: the document the program publishes to S3, read and cached.

Shared by the authorizer and the DAL (both import it; it imports only the contracts, boto3 and botocore).
"""
