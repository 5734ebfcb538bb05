"""`python -m functions.lifecycle.migrate` as `make migrate` runs it: a directory file, the local Cassandra;
it prints the verified digest and the exact config commands of the next step, and progress on stderr."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cassandra.cluster import Session

from functions.contracts.directory import directory_document
from functions.lifecycle import migrate
from local.services.cassandra import CassandraNode
from tests.integration.lifecycle.support import Model, create_storages, dal_for, moving, new_tenant, seed, served

pytestmark = pytest.mark.cassandra


def test_the_command_copies_verifies_and_prints_the_next_steps(
    cassandra_node: CassandraNode, operator: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = new_tenant("cli")
    create_storages(operator, tenant)
    with dal_for(cassandra_node.native_port, served(tenant, "premium")) as dal:
        seed(dal, served(tenant, "premium"), Model(), customers=10)
    directory = tmp_path / "tenants.json"
    directory.write_text(json.dumps(directory_document([moving(tenant, "premium", "copying")])))
    common = ["--tenant", tenant, "--directory", str(directory), "--cassandra-port", str(cassandra_node.native_port)]

    assert (
        migrate.main([*common, "--ledger", str(tmp_path / "l.json"), "--stack", "dev", "--config-path", "tenants[3]"])
        == 0
    )
    out, err = capsys.readouterr()
    digest = re.search(r"verified: ([0-9a-f]{16})", out)
    assert digest is not None, out
    assert f"pulumi config set --path --stack dev 'tenants[3].migration.verified' {digest[1]}" in out
    assert "pulumi config set --path --stack dev 'tenants[3].migration.state' cutover" in out
    assert "customers: 11 rows copied" in err and "rows/s" in err

    directory.write_text(json.dumps(directory_document([moving(tenant, "premium", "cutover", digest[1])])))
    result = tmp_path / "result" / "cutover.json"
    assert migrate.main([*common, "--ledger", str(tmp_path / "l.json"), "--result", str(result)]) == 0
    out, _ = capsys.readouterr()
    assert f"verified: {digest[1]}" in out  # nothing written meanwhile: the same digest
    assert json.loads(result.read_text())["verified"] == digest[1]  # what `tenant-pipeline move` reads
    assert "'tenant-pipeline:tenants[<index of " in out and ".migration.state' done" in out
