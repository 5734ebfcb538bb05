"""A tenant moving between tiers: the states of a migration and where reads and writes go in each.

The stack config says the state (`migration: {from: basic, state: copying}`); the program publishes it in
the tenant's directory record; the DAL routes by it and the migration job checks it. One rule, here:

    state     reads from   writes to          what happens in it
    copying   source       source + target    the job copies the source's rows, then verifies
    cutover   target       target + source    the verified target serves; the source still follows
    done      target       target             the source is released: emptied by the job, then dropped

Writes go to both storages until `done`, so a DAL holding a directory one state old (its cache) never
writes where the next state will not read. Both copies of a dual write carry the same client timestamp,
and the job copies each cell with its source write time (`USING TIMESTAMP`), so a concurrent write or
delete always wins over the job's older copy (Cassandra's last write wins) and a copy can be repeated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from functions.contracts.aws import is_role_arn
from functions.contracts.errors import ContractError
from functions.contracts.keyspaces import is_keyspace_name
from functions.contracts.tiers import TIER_NAME_RULE, is_tier_name

MigrationState = Literal["copying", "cutover", "done"]
MIGRATION_STATES: tuple[MigrationState, ...] = ("copying", "cutover", "done")
# The only forward step from each state; a migration starts in `copying` and its block is removed after `done`.
NEXT_STATE: dict[MigrationState, MigrationState] = {"copying": "cutover", "cutover": "done"}
# The job's digest of a verified copy (row counts and checksums of every table): required from `cutover` on,
# so the source can never be released by a config edit alone, without a verified copy.
VERIFIED_DIGEST = re.compile(r"[0-9a-f]{16}")
MIGRATION_ENTRY_KEYS = ("fromTier", "state", "keyspace", "roleArn", "verified")


def is_verified_digest(value: object) -> bool:
    return isinstance(value, str) and VERIFIED_DIGEST.fullmatch(value) is not None


@dataclass(frozen=True)
class MigrationRecord:
    """The source side of a tenant's move: the tier it leaves, its storage there, and the state."""

    from_tier: str
    state: MigrationState
    keyspace: str  # the source keyspace (the pooled one or the tenant's own)
    role_arn: str | None  # the role that reaches the source; None once `done` (the source is not served)
    verified: str | None  # the job's digest; None while copying

    @property
    def reads_from_source(self) -> bool:
        return self.state == "copying"

    @property
    def writes_to_source(self) -> bool:
        return self.state != "done"

    def to_entry(self) -> dict[str, Any]:
        return {
            "fromTier": self.from_tier,
            "state": self.state,
            "keyspace": self.keyspace,
            "roleArn": self.role_arn,
            "verified": self.verified,
        }

    @staticmethod
    def from_entry(entry: object) -> MigrationRecord:
        """The record of a directory entry's `migration` object; ContractError naming the problem."""
        if not isinstance(entry, Mapping):
            raise ContractError(f"migration must be an object with {', '.join(MIGRATION_ENTRY_KEYS)}")
        missing = [key for key in MIGRATION_ENTRY_KEYS if key not in entry]
        if missing:
            raise ContractError(f"migration is missing {missing}")
        from_tier, state, keyspace, role_arn, verified = (entry[key] for key in MIGRATION_ENTRY_KEYS)
        if not is_tier_name(from_tier):
            raise ContractError(f"migration fromTier {from_tier!r} is not a tier name ({TIER_NAME_RULE})")
        if state not in MIGRATION_STATES:
            raise ContractError(f"migration state {state!r} is not one of {MIGRATION_STATES}")
        if not is_keyspace_name(keyspace):
            raise ContractError(f"migration keyspace {keyspace!r} is not a keyspace name")
        if role_arn is not None and not is_role_arn(role_arn):
            raise ContractError(f"migration roleArn {role_arn!r} is not an IAM role ARN")
        if state != "done" and role_arn is None:
            raise ContractError(f"a migration in state {state!r} still uses its source: it needs a roleArn")
        if verified is not None and not is_verified_digest(verified):
            raise ContractError(f"migration verified {verified!r} is not {VERIFIED_DIGEST.pattern}")
        if state != "copying" and verified is None:
            raise ContractError(f"a migration in state {state!r} needs the job's verified digest")
        return MigrationRecord(from_tier, state, keyspace, role_arn, verified)
