"""Every entry point that takes a tenant id refuses what the rule refuses, with the one rule (fullmatch).

`re.match` with a `$` anchor let "acme\\n" through the DAL, its directory and the CQL helpers while the
config refused it; a trailing newline or NUL must be refused everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from functions.authorizer.errors import RefusedError
from functions.authorizer.tenancy import tenant_id_from_claims
from functions.contracts.errors import ContractError
from functions.contracts.keyspaces import silo_keyspace
from functions.contracts.s3_layout import tenant_s3_prefix
from functions.contracts.tenant_id import check_tenant_id
from functions.dal import cql
from functions.dal.context import TenantContext
from functions.dal.directory import TenantDirectory
from functions.dal.errors import DalError
from tests.support.config import only_problem

BAD_IDS = ["acme\n", "acme\x00", "\nacme", "acme "]


def refuse_in_config(tenant_id: str) -> None:
    problem = only_problem({"tenants": [{"id": tenant_id, "tier": "basic"}]})
    raise ValueError(problem)


def refuse_in_claims(tenant_id: str) -> None:
    tenant_id_from_claims({"custom:tenantId": tenant_id})


def refuse_in_dal_context(tenant_id: str) -> None:
    TenantContext(tenant_id, "basic")


def refuse_in_directory(tenant_id: str) -> None:
    entry = {"tier": "basic", "status": "offboarded", "keyspace": "tenants_pool", "s3Prefix": "", "roleArn": None}
    TenantDirectory.from_mapping({tenant_id: entry})


def refuse_in_cql(tenant_id: str) -> None:
    cql.name("tenant_" + tenant_id.replace("-", "_"))  # a silo keyspace name made from the id


ENTRY_POINTS: dict[str, tuple[Callable[[str], object], type[Exception]]] = {
    "config": (refuse_in_config, ValueError),
    "authorizer claims": (refuse_in_claims, RefusedError),
    "DAL context": (refuse_in_dal_context, DalError),
    "directory": (refuse_in_directory, DalError),
    "CQL helpers": (refuse_in_cql, ValueError),
    "contract check": (check_tenant_id, ContractError),
    "silo keyspace": (silo_keyspace, ContractError),
    "S3 prefix": (tenant_s3_prefix, ContractError),
}


@pytest.mark.parametrize("tenant_id", BAD_IDS, ids=repr)
@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_every_entry_point_refuses_an_id_with_a_stray_character(entry_point: str, tenant_id: str) -> None:
    call, error = ENTRY_POINTS[entry_point]
    with pytest.raises(error):
        call(tenant_id)


@pytest.mark.parametrize("entry_point", [name for name in ENTRY_POINTS if name != "config"])
def test_every_entry_point_accepts_a_good_id(entry_point: str) -> None:
    call, _ = ENTRY_POINTS[entry_point]
    call("acme-corp")  # no error
