"""bench/synth.py: its rosters are configs the program accepts; its section of RESULTS.md is its own.

No timing here: the benchmark itself (`make bench-synth`) measures, and records in bench/RESULTS.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.synth import SECTION, roster, stack_config, write_section
from tiers.errors import ConfigError
from tiers.load import load_stack_config


def project_values(config: dict[str, object]) -> dict[str, object]:
    prefix = "tenant-pipeline:"
    return {key.removeprefix(prefix): value for key, value in config.items() if key.startswith(prefix)}


def test_the_largest_roster_is_ten_percent_premium_and_passes_the_program_validation():
    config = stack_config(roster(5000))
    loaded = load_stack_config(project_values(config), environment="bench", region="us-east-1")
    tiers = [tenant.tier for tenant in loaded.tenants]
    assert (len(tiers), tiers.count("premium"), tiers.count("basic")) == (5000, 500, 4500)
    assert (loaded.quotas.keyspaces, loaded.quotas.tables) == (501, 1002)


def test_without_raised_quotas_the_same_roster_is_refused_naming_each_quota_over():
    config = stack_config(roster(5000))
    del config["tenant-pipeline:quotas"]
    with pytest.raises(ConfigError) as refused:
        load_stack_config(project_values(config), environment="bench", region="us-east-1")
    message = str(refused.value)
    # 500 premium tenants: 501 keyspaces, 1,002 tables, no scalable targets (premium is on-demand);
    # 500 x 500 + 4,500 x 50 = 475,000 requests/s promised.
    assert "tenant-pipeline:quotas.keyspaces: the roster needs 501 keyspaces" in message
    assert "tenant-pipeline:quotas.tables: the roster needs 1,002 tables" in message
    assert "scalableTargets" not in message
    assert "tenant-pipeline:quotas.apiThrottle: the roster needs 475,000 requests/s" in message


def test_writing_the_section_replaces_it_and_keeps_every_other_section(tmp_path: Path):
    results = tmp_path / "RESULTS.md"
    results.write_text(f"# Benchmark results\n\n## dal\n\nfast\n\n{SECTION}\n\nold numbers\n\n## flink\n\nslow\n")
    write_section(f"{SECTION}\n\nnew numbers\n", results)
    assert results.read_text() == (
        f"# Benchmark results\n\n## dal\n\nfast\n\n{SECTION}\n\nnew numbers\n\n## flink\n\nslow\n"
    )
    fresh = tmp_path / "fresh.md"
    write_section(f"{SECTION}\n\nfirst\n", fresh)
    assert fresh.read_text() == f"# Benchmark results\n\n{SECTION}\n\nfirst\n"
