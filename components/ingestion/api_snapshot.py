"""What an API Gateway deployment snapshots, and the fingerprint that redeploys the stage when it changes.

A REST API deployment freezes the API's resources, methods, integrations, method and integration
responses, authorizers, models and validators as they are when it is created; a stage serves that
snapshot until a new deployment. So the deployment's trigger is a hash of every argument declared
on those resources (the same dicts the resources are declared with), not of their ids alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from components.errors import ComponentInputError


def deployment_fingerprint(snapshot: Mapping[str, Mapping[str, Any]]) -> str:
    """SHA-256 of {resource: {argument: value}}, in a canonical form (sorted keys, no None values,
    integral floats as ints: the engine hands numbers back as floats)."""
    if not snapshot:
        raise ComponentInputError("a deployment snapshots at least one API resource")
    return hashlib.sha256(json.dumps(_canonical(snapshot), sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"a deployment snapshot holds JSON values, got {type(value).__name__}: {value!r}")
