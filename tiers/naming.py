"""The one naming helper: every AWS name in the stack is derived here.

Each AWS service has its own alphabet and length limit. A name that would be too long is cut
and given a short hash of the full name, so two long names never collide after cutting.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from functions.contracts.keyspaces import silo_keyspace
from functions.contracts.s3_layout import tenant_s3_prefix

PROJECT = "tenant-pipeline"


@dataclass(frozen=True)
class NameRule:
    """What one AWS service accepts as a name."""

    max_length: int
    separator: str
    invalid: re.Pattern[str]  # characters to replace with the separator
    lowercase: bool = False


# Limits from each service's API reference.
RULES: dict[str, NameRule] = {
    # CreateKeyspace / CreateTable: [a-zA-Z0-9][a-zA-Z0-9_]{0,47}
    "keyspace": NameRule(48, "_", re.compile(r"[^a-zA-Z0-9_]")),
    "table": NameRule(48, "_", re.compile(r"[^a-zA-Z0-9_]")),
    # IAM role names: [\w+=,.@-]{1,64}
    "iam-role": NameRule(64, "-", re.compile(r"[^\w+=,.@-]")),
    "iam-policy": NameRule(128, "-", re.compile(r"[^\w+=,.@-]")),
    # Kinesis stream and Firehose delivery stream: [a-zA-Z0-9_.-]
    "kinesis-stream": NameRule(128, "-", re.compile(r"[^a-zA-Z0-9_.-]")),
    "firehose": NameRule(64, "-", re.compile(r"[^a-zA-Z0-9_.-]")),
    # Managed Service for Apache Flink application: [a-zA-Z0-9_.-]{1,128}
    "flink-app": NameRule(128, "-", re.compile(r"[^a-zA-Z0-9_.-]")),
    # Lambda function: [a-zA-Z0-9-_]{1,64}
    "lambda": NameRule(64, "-", re.compile(r"[^a-zA-Z0-9_-]")),
    # S3 bucket prefix: Pulumi appends 8 random characters to reach at most 63.
    "s3-bucket": NameRule(55, "-", re.compile(r"[^a-z0-9-]"), lowercase=True),
    # S3 bucket name, given in full: 3-63 lowercase letters, digits and hyphens.
    "s3-bucket-name": NameRule(63, "-", re.compile(r"[^a-z0-9-]"), lowercase=True),
    # Cognito user pool (128), API Gateway API / usage plan / key (free text, kept short).
    "cognito-pool": NameRule(128, "-", re.compile(r"[^\w+=,.@-]")),
    "api": NameRule(128, "-", re.compile(r"[^a-zA-Z0-9_.-]")),
    "log-group": NameRule(512, "-", re.compile(r"[^a-zA-Z0-9_./#-]")),
    # Application Auto Scaling policy names: printable, kept to a safe alphabet.
    "scaling-policy": NameRule(256, "-", re.compile(r"[^a-zA-Z0-9_.-]")),
    # Ingestion pipeline: SSM parameter (1011), KMS alias after `alias/` (256 in all), Cognito app client (128).
    "ssm-parameter": NameRule(1011, "-", re.compile(r"[^a-zA-Z0-9_.-]")),
    "kms-alias": NameRule(250, "-", re.compile(r"[^a-zA-Z0-9/_-]")),
    "cognito-client": NameRule(128, "-", re.compile(r"[^\w+=,.@-]")),
    # Glue Data Catalog database and table names: lowercase letters, digits, underscores (Athena's rule), 255.
    "glue": NameRule(255, "_", re.compile(r"[^a-z0-9_]"), lowercase=True),
    # Athena workgroup: [a-zA-Z0-9._-]{1,128}
    "athena-workgroup": NameRule(128, "-", re.compile(r"[^a-zA-Z0-9._-]")),
}

_HASH_LENGTH = 6


def fit(name: str, service: str) -> str:
    """Make `name` valid for `service`: replace bad characters, cut with a hash when too long."""
    rule = RULES[service]
    cleaned = rule.invalid.sub(rule.separator, name.lower() if rule.lowercase else name)
    if len(cleaned) <= rule.max_length:
        return cleaned
    digest = hashlib.sha256(name.encode()).hexdigest()[:_HASH_LENGTH]
    keep = rule.max_length - _HASH_LENGTH - len(rule.separator)
    return f"{cleaned[:keep].rstrip(rule.separator)}{rule.separator}{digest}"


def logical(*parts: str) -> str:
    """A Pulumi logical name: a child's is its parent's name and its role, so it is unique in the stack."""
    return "-".join(parts)


def events_delivery_part(stream: int) -> str:
    """Enriched-events delivery stream `stream`'s name part, in its AWS and Pulumi names: 0 keeps `events`,
    the name one stream always had; k is `events-<k>`."""
    if stream < 0:
        raise ValueError(f"delivery stream index must be 0 or more, got {stream}")
    return "events" if stream == 0 else f"events-{stream}"


@dataclass(frozen=True)
class Namer:
    """Names for one stack (environment)."""

    environment: str

    @property
    def prefix(self) -> str:
        return f"{PROJECT}-{self.environment}"

    def physical(self, service: str, *parts: str) -> str:
        """An AWS physical name for `service`, prefixed with project and environment."""
        return fit("-".join((self.prefix, *parts)), service)

    def ingest_bucket(self, account_id: str, region: str) -> str:
        """The ingest bucket: globally unique by account and region, predictable for consumers."""
        return fit(f"{self.prefix}-ingest-{account_id}-{region}", "s3-bucket-name")

    def artifacts_bucket(self, account_id: str, region: str) -> str:
        """Deployment artifacts (the Flink job's code), apart from tenant data."""
        return fit(f"{self.prefix}-artifacts-{account_id}-{region}", "s3-bucket-name")

    def directory_bucket(self, account_id: str, region: str) -> str:
        """The published tenant directory (its slices, functions/contracts/cells.py): runtime configuration, apart
        from tenant data."""
        return fit(f"{self.prefix}-directory-{account_id}-{region}", "s3-bucket-name")

    def analytics_results_bucket(self, account_id: str, region: str) -> str:
        """Athena's query results, each tenant's under its own prefix: derived data, apart from tenant events."""
        return fit(f"{self.prefix}-query-results-{account_id}-{region}", "s3-bucket-name")

    def analytics_database(self) -> str:
        """The Glue Data Catalog database of the analytics tables (the events; later, per-tenant usage)."""
        return self.physical("glue", "analytics")

    def tier_workgroup(self, tier: str) -> str:
        """The Athena workgroup of a tier's tenants (one per tier: at most 1,000 workgroups per Region)."""
        return self.physical("athena-workgroup", tier)

    def log_group(self, service: str, *parts: str) -> str:
        """A CloudWatch log group in the service's conventional `/aws/<service>/` namespace."""
        return fit("/".join(("", "aws", service, "-".join((self.prefix, *parts)))), "log-group")

    def kms_alias(self, *parts: str) -> str:
        return "alias/" + self.physical("kms-alias", *parts)

    def events_delivery_stream(self, stream: int = 0) -> str:
        """Enriched-events delivery stream `stream`'s AWS name (events_delivery_part)."""
        return self.physical("firehose", "delivery", events_delivery_part(stream))

    def tenant_role(self, tenant_id: str) -> str:
        return self.physical("iam-role", "tenant", tenant_id)

    def pooled_tenant_role(self, shard: int = 0, cell: str | None = None) -> str:
        """Shard 0 keeps the name the single pooled role always had; shard k is `<that>-<k>`. A cell's pooled roles
        name the cell (`...-pooled-tenants-<cell>[-<k>]`); None: the names from before cells."""
        if shard < 0:
            raise ValueError(f"pooled role shard must be 0 or more, got {shard}")
        return self.physical("iam-role", "pooled-tenants", *([cell] if cell else []), *([str(shard)] if shard else []))

    def tenant_role_path(self) -> str:
        """The IAM path of every tenant role (and only those): the app role may assume `role<path>*`."""
        return f"/{PROJECT}/{self.environment}/tenants/"

    def application_role(self) -> str:
        """The role the tenant microservices run as (ECS tasks, Lambda); it brokers tenant roles."""
        return self.physical("iam-role", "app")


def s3_bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def s3_object_arn(bucket: str, key: str) -> str:
    return f"{s3_bucket_arn(bucket)}/{key}"


def tenant_names(namer: Namer, tenant_id: str) -> dict[str, str]:
    """Every AWS name that belongs to one tenant alone; used to find collisions between tenants."""
    return {
        "keyspace": silo_keyspace(tenant_id),
        "iam-role": namer.tenant_role(tenant_id),
        "api-key": namer.physical("api", "key", tenant_id),
        "s3-prefix": tenant_s3_prefix(tenant_id),
    }


def keyspace_arn(region: str, account_id: str, keyspace: str) -> str:
    return f"arn:aws:cassandra:{region}:{account_id}:/keyspace/{keyspace}/"


def keyspace_table_arn(region: str, account_id: str, keyspace: str, table: str) -> str:
    return f"arn:aws:cassandra:{region}:{account_id}:/keyspace/{keyspace}/table/{table}"


def iam_role_arn(account_id: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:role{path}{name}"


def scalable_table_id(keyspace: str, table: str) -> str:
    """Application Auto Scaling's resource id for a Keyspaces table."""
    return f"keyspace/{keyspace}/table/{table}"
