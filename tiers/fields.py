"""Typed reads from raw YAML values that record a problem instead of raising on the first one."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from tiers.errors import ConfigProblem

T = TypeVar("T")

_TYPE_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "a string", list: "a list"}

# `pulumi config set --path` keeps only `true`, `false` and base-10 integers without a leading zero as
# YAML booleans and numbers; it stores any other value as a string: 12.5, 0800, True (pulumi/pulumi
# sdk/go/common/resource/config/object.go `coerce`), and `--type string` stores every value as one.
_WHOLE = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_BOOLEANS = {"true": True, "false": False}


class Fields:
    """Reads the keys of one config mapping; unknown keys and wrong types become problems."""

    def __init__(self, raw: Any, subject: str, where: str, problems: list[ConfigProblem]):
        self.subject = subject
        self.where = where
        self.problems = problems
        self.raw: Mapping[str, Any] = {}
        if raw is None:
            return
        if not isinstance(raw, Mapping):
            self.problem(f"{where} must be a mapping, got {type(raw).__name__}")
            return
        self.raw = raw

    def problem(self, rule: str) -> None:
        self.problems.append(ConfigProblem(self.subject, rule))

    def reject_unknown(self, allowed: set[str]) -> None:
        for key in sorted(set(self.raw) - allowed):
            self.problem(f"unknown key '{key}' in {self.where} (allowed: {', '.join(sorted(allowed))})")

    def has(self, key: str) -> bool:
        return key in self.raw

    def get(self, key: str, kind: type[T], default: T) -> T:
        if key not in self.raw:
            return default
        value = self.raw[key]
        if isinstance(value, str) and kind is not str:
            value = _from_string(value, kind)
        # bool is an int in Python; YAML `true` must not pass as a number, nor 1 as a bool.
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)  # type: ignore[return-value]
        if not ok:
            self.problem(f"{self.where}.{key} must be {_TYPE_NAMES.get(kind, kind.__name__)}, got {self.raw[key]!r}")
            return default
        return value  # type: ignore[no-any-return]

    def choice(self, key: str, choices: tuple[T, ...], default: T) -> T:
        if key not in self.raw:
            return default
        value = self.raw[key]
        if value not in choices:
            self.problem(f"{self.where}.{key} must be one of {', '.join(map(str, choices))}, got {value!r}")
            return default
        return value  # type: ignore[no-any-return]

    def text(self, key: str) -> str | None:
        """A string, None when absent. The CLI stores a value of digits alone (no leading zero) as a number:
        such a value is read back as the digits it was set with (a digest that happens to be all digits)."""
        if key not in self.raw:
            return None
        value = self.raw[key]
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return str(value)
        if not isinstance(value, str):
            self.problem(f"{self.where}.{key} must be a string, got {value!r}")
            return None
        return value

    def sub(self, key: str) -> Fields:
        return Fields(self.raw.get(key), self.subject, f"{self.where}.{key}", self.problems)


def _from_string(text: str, kind: type) -> Any:
    """The boolean or number a string the CLI stored stands for; the string itself if it stands for none."""
    if kind is bool:
        return _BOOLEANS.get(text.lower(), text)
    if kind is int and _WHOLE.fullmatch(text):
        return int(text)
    if kind is float and _DECIMAL.fullmatch(text) and math.isfinite(number := float(text)):
        return number
    return text
