"""The alarm topic's access policy: CloudWatch may publish this stack's alarms to it, and nothing else may.

CloudWatch publishes as the service principal `cloudwatch.amazonaws.com`; `aws:SourceAccount` and
`aws:SourceArn` (the alarm's ARN, arn:aws:cloudwatch:<region>:<account>:alarm:<name>) keep another account's
alarms, or other alarms of this account, from using it (confused deputy).
"""

from __future__ import annotations

from components.errors import ComponentInputError
from components.ingestion.policies import POLICY_VERSION, Document, require_arn
from functions.contracts.aws import is_account_id, is_region

CLOUDWATCH = "cloudwatch.amazonaws.com"


def alarm_arn_pattern(region: str, account_id: str, name_prefix: str) -> str:
    """Every alarm of this account and region whose name starts with `name_prefix`."""
    literal = name_prefix and "*" not in name_prefix
    if not is_region(region) or not is_account_id(account_id) or not literal:
        raise ComponentInputError(
            f"an alarm ARN needs a region, an account and a literal name prefix: {(region, account_id, name_prefix)}"
        )
    return f"arn:aws:cloudwatch:{region}:{account_id}:alarm:{name_prefix}*"


def alarm_topic_policy(topic_arn: str, region: str, account_id: str, name_prefix: str) -> Document:
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "PublishThisStacksAlarms",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDWATCH},
                "Action": "sns:Publish",
                "Resource": require_arn(topic_arn, "sns"),
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": alarm_arn_pattern(region, account_id, name_prefix)},
                },
            }
        ],
    }
