"""The full tenant isolation matrix, on the policies the program declares, judged by a real IAM evaluator.

moto matches actions and ARNs but not conditions or `${aws:PrincipalTag/TenantId}`, which is exactly what
scopes a pooled session; @cloud-copilot/iam-simulate evaluates both. For every role the application may
assume and every tenant id as the session tag, every tenant's S3 prefix (GetObject, ListBucket) and tables
(Select, Modify), and the trust decision: each principal reaches its own tenant only, and a pooled role
is assumable only with the id of one of its own served pooled tenants. The rosters are the dev environment's
(a platform and cells) and bigger ones: every stack's declarations, judged together.
"""

from __future__ import annotations

from typing import Any

import pytest

from local.environment import run_settings
from local.iam.matrix import EXTRA_TAG, UNTAGGED, Cell, DeclaredAccess, isolation_matrix, read_access
from local.stack_file import project_values, read_stack_config
from tiers.load import load_stack_config
from tiers.naming import Namer

pytestmark = pytest.mark.iam


def dev_config() -> dict[str, Any]:
    return read_stack_config("dev")


def more_config() -> dict[str, Any]:
    """dev, plus an extra premium tenant, another offboarded basic one and an offboarded premium one."""
    config = dev_config()
    config["tenant-pipeline:tenants"] = [
        *config["tenant-pipeline:tenants"],
        {"id": "wayne-enterprises", "tier": "premium", "cell": "premium-1"},
        {"id": "kramerica", "tier": "basic", "status": "offboarded", "cell": "basic-1"},
        {"id": "oldcorp", "tier": "premium", "status": "offboarded", "cell": "premium-1"},
    ]
    return config


def sharded_config() -> dict[str, Any]:
    """more, with six more basic tenants and a trust policy quota small enough for several pooled roles
    (K=4 here, one shard left empty by the hash, so it gets no role)."""
    config = more_config()
    config["tenant-pipeline:tenants"] += [{"id": f"shop-{n}", "tier": "basic", "cell": "basic-1"} for n in range(6)]
    config["tenant-pipeline:quotas"] = {"roleTrustPolicyLength": 380}
    return config


def pooled(role_name: str) -> bool:
    return role_name.startswith(Namer("dev").pooled_tenant_role())


ROSTERS = {"dev": dev_config, "more": more_config, "sharded": sharded_config}


def served(config: dict[str, Any], storage: str) -> set[str]:
    """From the roster and its tiers' storage models, not from what the program made of it."""
    tiers = load_stack_config(project_values(config), "dev", str(config["aws:region"])).tiers
    return {
        t["id"]
        for t in config["tenant-pipeline:tenants"]
        if tiers[t["tier"]].storage == storage and t.get("status", "active") == "active"
    }


def served_basic(config: dict[str, Any]) -> set[str]:
    return served(config, "pooled")


@pytest.fixture(scope="module", params=sorted(ROSTERS))
def judged(request: pytest.FixtureRequest) -> tuple[dict[str, Any], DeclaredAccess, list[Cell]]:
    config = ROSTERS[request.param]()
    access = read_access(run_settings("dev", config).declaration, str(config["aws:region"]))
    return config, access, isolation_matrix(access)


def test_every_cell_of_the_matrix_holds(judged) -> None:
    _, _, cells = judged
    wrong = [cell for cell in cells if not cell.holds]
    assert not wrong, "\n".join(f"{c.kind}: {c.role} tagged {c.tag} -> {c.target}: {c.decisions}" for c in wrong)


def test_the_matrix_is_complete(judged) -> None:
    config, access, cells = judged
    tenants = [t["id"] for t in config["tenant-pipeline:tenants"]]
    served_premium = served(config, "silo")
    pooled_roles = {role.name for role in access.roles if pooled(role.name)}
    assert len(access.roles) == len(served_premium) + len(pooled_roles)
    for role in access.roles:
        mine = [c for c in cells if c.role == role.name]
        trust = {c.target for c in mine if c.kind == "trust"}
        assert trust == {*tenants, UNTAGGED, EXTRA_TAG}
        for kind in ("s3", "keyspaces"):
            assert {(c.tag, c.target) for c in mine if c.kind == kind} == {(p, t) for p in tenants for t in tenants}
    if "roleTrustPolicyLength" in config.get("tenant-pipeline:quotas", {}):  # the sharded roster
        assert len(pooled_roles) >= 3


def test_the_pooled_roles_accept_exactly_the_served_basic_tenants_each_in_one_role(judged) -> None:
    config, _, cells = judged
    accepted = [(cell.role, cell.tag) for cell in cells if cell.kind == "trust" and cell.allowed and pooled(cell.role)]
    assert sorted(tag for _, tag in accepted) == sorted(served_basic(config))  # each once, in one role
    for cell in cells:
        if pooled(cell.role) and cell.kind == "trust" and cell.target in (UNTAGGED, EXTRA_TAG):
            assert not cell.allowed, (cell.role, cell.target)


def test_no_pooled_session_reaches_a_premium_or_offboarded_tenants_prefix_whatever_its_tag(judged) -> None:
    config, _, cells = judged
    others = {t["id"] for t in config["tenant-pipeline:tenants"]} - served_basic(config)
    for cell in cells:
        if pooled(cell.role) and cell.kind == "s3" and cell.target in others:
            assert not cell.allowed, (cell.role, cell.tag, cell.target, cell.decisions)
        if pooled(cell.role) and cell.kind == "trust" and cell.tag in others:
            assert not cell.allowed, (cell.role, cell.tag)


def test_each_session_reads_its_own_prefix_and_tables(judged) -> None:
    config, _, cells = judged
    reached = {(c.tag, c.target) for c in cells if c.kind == "s3" and c.allowed and pooled(c.role)}
    assert reached == {(t, t) for t in served_basic(config)}
    premium = {(c.role, c.target) for c in cells if c.kind == "keyspaces" and c.allowed and not pooled(c.role)}
    assert {target for _, target in premium} == served(config, "silo")
