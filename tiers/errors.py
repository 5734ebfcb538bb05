"""How a bad stack config is reported: every problem, each naming its subject and the rule."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigProblem:
    subject: str  # e.g. "tenant 'acme'", "tier 'premium'", "quota 'keyspaces'"
    rule: str  # what is wrong, as a sentence fragment a user can act on

    def __str__(self) -> str:
        return f"{self.subject}: {self.rule}"


class ConfigError(ValueError):
    """Raised before any resource is declared, listing every problem found."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"invalid stack config ({len(self.problems)} problem(s)):\n{lines}")
