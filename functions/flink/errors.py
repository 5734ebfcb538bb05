"""The one error type of the Flink job: a configuration it cannot run with (property groups, tables, files)."""

from __future__ import annotations


class JobConfigurationError(ValueError):
    """The message names the group, key, option or file and what is wrong with it."""
