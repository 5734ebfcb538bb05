"""`make plan`: the preview a user reads, and its refusal of a bad stack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from local.errors import StackRefusedError
from local.plan import main, raise_column
from local.stack_file import project_values, read_stack_config
from tiers.defaults import DEFAULT_TIERS
from tiers.load import load_stack_config
from tiers.quotas import QUOTAS, format_number
from tiers.stack_config import StackConfig

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
    by_name = {line.split("│")[1].strip(): line for line in lines}
    uses = dev_config().quota_uses()
    assert {use.spec.name for use in uses} <= set(by_name)
    assert {use.spec.key for use in uses} == {spec.key for spec in QUOTAS}
    for use in uses:
        cells = [cell.strip() for cell in by_name[use.spec.name].split("│")[2:7]]
        assert cells == [
            use.spec.key if use.spec.field else "(no setting)",
            f"{format_number(use.need)} {use.spec.unit}",
            f"{use.limit:,}",
            format_number(use.headroom),
            raise_column(use),
        ], use.spec.key


def test_plan_shows_the_tier_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "dev"]) == 0
    out = capsys.readouterr().out
    config = dev_config()
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") == 8}
    for name, tier in config.tiers.items():
        cells = [cell.strip() for cell in rows[name].split("│")[2:8]]
        throttle = tier.throttle
        assert cells[:3] == [
            tier.storage,
            f"{throttle.rate_limit:g}/s / {throttle.burst_limit} / {throttle.quota_per_day:,}",
            str(tier.partition_keys),
        ]
        assert cells[4] == tier.offboarding
        tenants = [t.id for t in config.tenants if t.tier == name]
        assert cells[5] == (", ".join(tenants) or "none")


def dev_config() -> StackConfig:
    raw = read_stack_config("dev")
    return load_stack_config(project_values(raw), "dev", raw["aws:region"])


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
    from local.environment import read_environment
    from local.plan import transition_table

    config = read_environment("dev").config
    table = transition_table(config, None)
    tenants, kinds, summaries = (list(table.columns[n]._cells) for n in range(3))
    assert tenants == [tenant.id for tenant in config.tenants]
    assert set(kinds) == {"[bold]onboard[/]"}
    rows = dict(zip(tenants, summaries, strict=True))
    assert rows["acme"] == "onboard on premium (silo storage)"
    assert rows["vandelay"] == "onboard on basic (pooled storage) (offboarded from the start: no key, no role)"
