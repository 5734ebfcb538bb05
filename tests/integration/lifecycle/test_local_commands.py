"""`make offboard` / `make migrate` as a user runs them (local/lifecycle.py): the stack gives the directory,
the strategy and the bucket; the job runs on the real Cassandra and moto's S3."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from cassandra.cluster import Session

from functions.contracts.keyspaces import POOLED_KEYSPACE
from functions.contracts.tables import TENANT_TABLES
from functions.lifecycle.errors import OffboardRefusedError
from functions.lifecycle.store import Cassandra
from local import lifecycle
from local.environment import read_environment
from local.errors import StackRefusedError
from local.sandbox.declared import read_declaration
from local.services.cassandra import CassandraNode
from local.services.moto_server import MotoServer
from tests.integration.lifecycle.support import Model, dal_for, new_tenant, seed, served, stored_summaries
from tests.integration.lifecycle.test_offboarding import fill_bucket, versions

pytestmark = [pytest.mark.cassandra, pytest.mark.moto]

STACK = """\
config:
  aws:region: us-east-1
  tenant-pipeline:tenants:
    - id: {leaver}
      tier: basic
      status: offboarded
    - id: {keeper}
      tier: premium
      status: offboarded
  tenant-pipeline:tiers:
    basic: {{offboarding: delete}}
"""


def test_make_offboard_deletes_by_the_stacks_strategy_and_refuses_retain(
    cassandra_node: CassandraNode, operator: Session, cassandra: Cassandra, aws_env: MotoServer, tmp_path: Path
) -> None:
    leaver, keeper = new_tenant("leaver"), new_tenant("keeper")
    (tmp_path / "Pulumi.lc.yaml").write_text(STACK.format(leaver=leaver, keeper=keeper))
    stack = read_environment("lc", tmp_path)
    bucket = read_declaration(stack.declaration, "us-east-1").bucket
    s3 = boto3.client("s3", region_name="us-east-1")
    fill_bucket(s3, bucket, [leaver, keeper])
    model = Model()
    with dal_for(cassandra_node.native_port, served(leaver, "basic")) as dal:
        seed(dal, served(leaver, "basic"), model, customers=5)
    common = ["--stack", "lc", "--project-dir", str(tmp_path), "--cassandra-port", str(cassandra_node.native_port)]
    receipts = tmp_path / "receipts"

    assert lifecycle.main(["offboard", "--tenant", leaver, *common, "--", "--receipts", str(receipts)]) == 0
    assert all(s.rows == 0 for s in stored_summaries(cassandra, leaver, POOLED_KEYSPACE).values())
    assert versions(s3, bucket, f"tenant={leaver}/") == (0, 0)
    (receipt,) = receipts.iterdir()
    written = json.loads(receipt.read_text())
    assert written["bucket"] == bucket
    assert written["rows_deleted"] == {f"{POOLED_KEYSPACE}.{t.name}": len(model.rows[t.name]) for t in TENANT_TABLES}

    # premium keeps the default strategy, retain: refused, its objects stay.
    with pytest.raises(OffboardRefusedError, match="offboards with 'retain'"):
        lifecycle.main(["offboard", "--tenant", keeper, *common, "--", "--receipts", str(receipts)])
    with pytest.raises(StackRefusedError, match="comes from the stack config"):
        lifecycle.main(["offboard", "--tenant", keeper, *common, "--", "--strategy", "delete"])
    assert versions(s3, bucket, f"tenant={keeper}/") == (7, 1)
