"""The authorizer's one structured logger (Powertools; JSON to CloudWatch)."""

from __future__ import annotations

from aws_lambda_powertools import Logger

SERVICE = "tenant-authorizer"

logger = Logger(service=SERVICE)
