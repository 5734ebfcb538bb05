"""`make plan`: the preview a user reads, and its refusal of a bad stack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from local.errors import StackRefusedError
from local.plan import main
from tiers.defaults import DEFAULT_TIERS
from tiers.quotas import QUOTAS

DEFAULT_TIER_LIST = ", ".join(sorted(DEFAULT_TIERS))  # what a message lists as the defined tiers


def test_plan_prints_every_tenant_and_resource_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "dev"]) == 0
    out = capsys.readouterr().out
    for expected in (
        "acme",
        "tenant_acme (own)",
        "tenants_pool (pooled)",
        "tenant=umbrella-labs/",
        "tenant-pipeline-dev-tenant-globex",
        "500/s / 1000 / 5,000,000",
        "offboarded",
        "Enriched-events delivery streams",
        "tenant-pipeline-dev-delivery-events-1",
        "Declared resources by type",
        "total",
    ):
        assert expected in out, expected


def test_plan_prints_each_quota_with_its_need_limit_and_headroom(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "dev"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.count("│") == 7]
    rows = {line.split("│")[2].strip(): line for line in lines}
    assert set(rows) == {spec.key if spec.field else "(no setting)" for spec in QUOTAS}
    unset = [line for line in lines if line.split("│")[2].strip() == "(no setting)"]
    assert len(unset) == sum(spec.field is None for spec in QUOTAS) == 2
    cells = [cell.strip() for cell in rows["apiKeys"].split("│")[3:7]]
    assert cells == ["5 API keys", "10,000", "9,995", "hard limit"]
    assert [cell.strip() for cell in rows["iamRoles"].split("│")[4:7]] == ["1,000", "991", "5,000"]
    shard = next(
        [cell.strip() for cell in line.split("│")[1:7]] for line in unset if "Kinesis writes per shard" in line
    )
    assert shard[2:] == [
        "125 records/s",  # premium's 500 over its 4 partition keys; basic's 50 on one
        "1,000",
        "875",
        "hard limit",
    ]
    stream = next([cell.strip() for cell in line.split("│")[1:7]] for line in unset if "Kinesis stream" in line)
    # The usage plans' promise (2 x 500 + 3 x 50) against an on-demand stream in us-east-1 (10 GB/s).
    assert stream[2:6] == ["1,150 records/s", "10,000,000", "9,998,850", "ingest"]
    assert [cell.strip() for cell in rows["lambdaConcurrency"].split("│")[3:6]] == ["12 executions", "1,000", "988"]


def write_stack(tmp_path: Path, body: str) -> Path:
    (tmp_path / "Pulumi.broken.yaml").write_text(body)
    return tmp_path


def test_plan_refuses_bad_config_naming_tenant_and_rule(tmp_path: Path) -> None:
    root = write_stack(
        tmp_path,
        "config:\n  aws:region: us-east-1\n  tenant-pipeline:tenants:\n    - {id: acme, tier: gold}\n",
    )
    with pytest.raises(StackRefusedError) as refused:
        main(["--stack", "broken", "--project-dir", str(root)])
    assert str(refused.value).startswith("Stack 'broken' cannot be planned")
    assert f"tenant 'acme': tier 'gold' is not defined (tiers: {DEFAULT_TIER_LIST})" in str(refused.value)


def test_plan_names_a_missing_stack_file(tmp_path: Path) -> None:
    with pytest.raises(StackRefusedError, match=re.escape("no stack file Pulumi.prod.yaml (stacks here: broken)")):
        main(["--stack", "prod", "--project-dir", str(write_stack(tmp_path, "config: {}\n"))])


def test_plan_names_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(StackRefusedError, match=re.escape("Pulumi.broken.yaml is not valid YAML")):
        main(["--stack", "broken", "--project-dir", str(write_stack(tmp_path, "config: [unclosed\n"))])


def test_a_first_deploy_lists_each_tenant_as_the_program_onboards_it() -> None:
    """With no previous roster every tenant is onboarded, and a tenant listed offboarded gets no key
    and no role: the table says so instead of a plain "onboard"."""
    from local.plan import transition_table
    from local.program import read_stack

    config = read_stack("dev").config
    table = transition_table(config, None)
    tenants, kinds, summaries = (list(table.columns[n]._cells) for n in range(3))
    assert tenants == [tenant.id for tenant in config.tenants]
    assert set(kinds) == {"[bold]onboard[/]"}
    rows = dict(zip(tenants, summaries, strict=True))
    assert rows["acme"] == "onboard on premium (silo storage)"
    assert rows["vandelay"] == "onboard on basic (pooled storage) (offboarded from the start: no key, no role)"
