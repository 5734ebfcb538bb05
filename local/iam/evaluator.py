"""Batches of IAM requests, judged by @cloud-copilot/iam-simulate (local/iam/evaluate.mjs) on node.

One node process per batch: the evaluator loads its service reference once, then judges thousands of
requests in a second or two.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.errors import IamEvaluatorError

IAM_DIR = Path(__file__).resolve().parent
SCRIPT = IAM_DIR / "evaluate.mjs"
PACKAGE = IAM_DIR / "node_modules" / "@cloud-copilot" / "iam-simulate"
INSTALL_HINT = "run `make iam-evaluator` (npm ci in local/iam)"
ALLOWED = "Allowed"
RESULTS = (ALLOWED, "ImplicitlyDenied", "ExplicitlyDenied")


@dataclass(frozen=True)
class IamRequest:
    principal: str  # the caller's ARN: a role session is arn:aws:sts::<account>:assumed-role/<role>/<session>
    action: str
    resource: str
    account: str  # the resource's account
    identity_policies: tuple[str, ...]  # names in the batch's policies
    resource_policy: str | None = None  # a bucket policy, or the role's trust policy for sts:* actions
    context: Mapping[str, str | list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "account": self.account,
            "context": dict(self.context),
            "identityPolicies": list(self.identity_policies),
            "resourcePolicy": self.resource_policy,
        }


def available() -> bool:
    return shutil.which("node") is not None and PACKAGE.is_dir()


def evaluate(policies: Mapping[str, dict[str, Any]], requests: Sequence[IamRequest]) -> list[str]:
    """Each request's result (Allowed, ImplicitlyDenied, ExplicitlyDenied), in order.

    IamEvaluatorError if a request cannot be judged as given: an invalid policy or action, or a context
    key the evaluator would drop (a decision made without it would say nothing about the real one).
    """
    node = shutil.which("node")
    if node is None:
        raise IamEvaluatorError(f"the IAM evaluator needs node on PATH; {INSTALL_HINT}")
    if not PACKAGE.is_dir():
        raise IamEvaluatorError(f"the IAM evaluator is not installed in {IAM_DIR}; {INSTALL_HINT}")
    batch = json.dumps({"policies": dict(policies), "requests": [request.to_json() for request in requests]})
    completed = subprocess.run(
        [node, str(SCRIPT)], input=batch, capture_output=True, text=True, cwd=IAM_DIR, timeout=600, check=False
    )
    if completed.returncode != 0:
        raise IamEvaluatorError(f"the IAM evaluator failed (exit {completed.returncode}): {completed.stderr[-2000:]}")
    decisions = json.loads(completed.stdout)["decisions"]
    if len(decisions) != len(requests):
        raise IamEvaluatorError(f"the IAM evaluator answered {len(decisions)} of {len(requests)} requests")
    results = []
    for request, decision in zip(requests, decisions, strict=True):
        if decision["error"] or decision["result"] not in RESULTS:
            raise IamEvaluatorError(f"cannot evaluate {request}: {decision['error'] or decision['result']}")
        if decision["ignoredContextKeys"]:
            raise IamEvaluatorError(f"{request}: the evaluator ignores context keys {decision['ignoredContextKeys']}")
        results.append(decision["result"])
    return results
