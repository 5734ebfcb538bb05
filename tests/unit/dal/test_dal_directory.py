"""The tenant directory: the stack output `tenants`, loaded and checked; resolution refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from functions.dal import (
    InvalidTenantDirectoryError,
    TenantContext,
    TenantDirectory,
    TenantOffboardedError,
    UnknownTenantError,
)
from tests.support.directory_data import DIRECTORY, GLOBEX, POOLED_ROLE, basic, premium


def test_loads_the_stack_output_shape(tmp_path: Path) -> None:
    path = tmp_path / "tenants.json"
    path.write_text(json.dumps(DIRECTORY))
    for directory in (
        TenantDirectory.from_mapping(DIRECTORY),
        TenantDirectory.from_file(path),
        TenantDirectory.from_env({"TENANT_DIRECTORY": json.dumps(DIRECTORY)}),
        TenantDirectory.from_env({"TENANT_DIRECTORY_FILE": str(path)}),
    ):
        acme = directory.resolve(TenantContext("acme", "premium"))
        assert (acme.keyspace, acme.pooled, acme.role_arn) == ("tenant_acme", False, DIRECTORY["acme"]["roleArn"])
        globex = directory.resolve(TenantContext("globex", "basic"))
        assert (globex.keyspace, globex.pooled, globex.role_arn) == ("tenants_pool", True, POOLED_ROLE)


def test_refuses_unknown_and_offboarded_tenants() -> None:
    directory = TenantDirectory.from_mapping(DIRECTORY)
    with pytest.raises(UnknownTenantError, match="'wayne' is not in the tenant directory"):
        directory.resolve(TenantContext("wayne", "basic"))
    with pytest.raises(TenantOffboardedError, match="'umbrella' is offboarded"):
        directory.resolve(TenantContext("umbrella", "basic"))
    with pytest.raises(TenantOffboardedError, match="'hooli' is offboarded"):
        directory.resolve(TenantContext("hooli", "premium"))


def test_the_directory_decides_the_tier_whatever_the_context_claims() -> None:
    """During a tier change a token's tier and a cached directory may lag the published one: the record
    the directory holds routes the tenant, the context's tier is informational."""
    directory = TenantDirectory.from_mapping(DIRECTORY)

    assert directory.resolve(TenantContext("globex", "premium")) == directory.resolve(GLOBEX)
    assert directory.resolve(TenantContext("globex", "premium")).tier == "basic"
    assert directory.resolve(TenantContext("acme", "basic")).keyspace == "tenant_acme"


def entry(**changes: Any) -> dict[str, Any]:
    return {**premium("acme"), **changes}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "must be an object of tenants"),
        ({"Acme": premium("acme")}, "does not match"),
        ({"acme": "premium"}, "must be an object"),
        ({"acme": {"tier": "premium"}}, "missing"),
        ({"acme": entry(status="paused")}, "status 'paused'"),
        ({"acme": entry(tier="")}, "tier '' is not a tier name"),
        ({"acme": entry(keyspace="tenant_globex")}, "neither 'tenants_pool' nor its own 'tenant_acme'"),
        ({"acme": entry(roleArn="arn:aws:s3:::bucket")}, "not an IAM role ARN"),
        ({"acme": entry(roleArn=None)}, "needs a roleArn"),
        ({"acme": entry(s3Prefix=None)}, "s3Prefix"),
    ],
)
def test_malformed_directories_are_refused_naming_the_entry(raw: Any, message: str) -> None:
    with pytest.raises(InvalidTenantDirectoryError, match=message):
        TenantDirectory.from_mapping(raw)


def test_an_offboarded_tenant_may_have_no_role() -> None:
    directory = TenantDirectory.from_mapping({"acme": entry(status="offboarded", roleArn=None), "b": basic("b")})
    assert "acme" in directory


def test_bad_sources_are_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidTenantDirectoryError, match=r"TENANT_DIRECTORY.*not JSON"):
        TenantDirectory.from_env({"TENANT_DIRECTORY": "{nope"})
    with pytest.raises(InvalidTenantDirectoryError, match="cannot read the tenant directory"):
        TenantDirectory.from_file(tmp_path / "missing.json")
    with pytest.raises(InvalidTenantDirectoryError, match="set TENANT_DIRECTORY"):
        TenantDirectory.from_env({})
