"""The directory reader's errors: the published directory cannot be read or does not parse, or a setting is wrong."""

from __future__ import annotations


class DirectoryError(Exception):
    """Base of every error the directory reader raises on purpose."""


class DirectoryUnavailableError(DirectoryError):
    """No usable directory: the slices cannot be listed or read, one is not a valid slice, or there is none.

    Readers fail closed on it: no tenant is served from a directory that cannot be trusted."""
