"""The shapes of AWS identifiers that program and runtime both check (fullmatch)."""

from __future__ import annotations

import re

REGION_PATTERN = re.compile(r"[a-z]{2,4}(?:-[a-z]+)+-\d")  # us-east-1, ap-southeast-2, us-gov-west-1
ACCOUNT_ID_PATTERN = re.compile(r"\d{12}")
ROLE_ARN_PATTERN = re.compile(r"arn:aws[a-zA-Z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
# S3 bucket names: 3-63 of a-z, 0-9, '.', '-', starting and ending with a letter or digit.
BUCKET_PATTERN = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def is_region(value: object) -> bool:
    return isinstance(value, str) and REGION_PATTERN.fullmatch(value) is not None


def is_account_id(value: object) -> bool:
    return isinstance(value, str) and ACCOUNT_ID_PATTERN.fullmatch(value) is not None


def is_role_arn(value: object) -> bool:
    return isinstance(value, str) and ROLE_ARN_PATTERN.fullmatch(value) is not None


def is_bucket_name(value: object) -> bool:
    return isinstance(value, str) and BUCKET_PATTERN.fullmatch(value) is not None
