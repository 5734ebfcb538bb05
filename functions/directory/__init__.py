"""The tenant directory at runtime: the slices the cells publish to S3, read, checked and cached as one directory.

Shared by the authorizer and the DAL (both import it; it imports only the contracts, boto3 and botocore).
"""
