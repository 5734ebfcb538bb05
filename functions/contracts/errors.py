"""The one error type of the contracts: a value that breaks a shared rule (the message names the rule)."""

from __future__ import annotations


class ContractError(ValueError):
    """A tenant id, keyspace name, directory record ... that breaks the contract it is checked against."""
