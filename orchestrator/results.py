"""What happened to each stack of a run (`up`, `preview`, a lifecycle command's deploys)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from local.environment import StackKind

Outcome = Literal["deployed", "unchanged", "failed", "blocked", "previewed", "not created"]
# Outcomes that let the stacks after it run: deployed now, or already deployed as it is.
SUCCESSES: frozenset[Outcome] = frozenset({"deployed", "unchanged", "previewed", "not created"})


@dataclass
class StackResult:
    stack: str
    kind: StackKind
    outcome: Outcome
    changes: dict[str, int] = field(default_factory=dict)  # operation -> resources (create, update, same, ...)
    seconds: float = 0.0
    note: str | None = None  # why it failed, was blocked or skipped
    outputs: dict[str, Any] = field(default_factory=dict)  # its outputs after a deploy (secrets in plain text)

    @property
    def ok(self) -> bool:
        return self.outcome in SUCCESSES

    def to_entry(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "kind": self.kind,
            "outcome": self.outcome,
            "changes": dict(sorted(self.changes.items())),
            "seconds": round(self.seconds, 1),
            "note": self.note,
        }
