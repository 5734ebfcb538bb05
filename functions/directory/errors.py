"""The directory reader's errors: the published directory cannot be read or does not parse."""

from __future__ import annotations


class DirectoryError(Exception):
    """Base of every error the directory reader raises on purpose."""


class DirectoryUnavailableError(DirectoryError):
    """No usable directory: the object cannot be read, or its content is not a valid directory document.

    Readers fail closed on it: no tenant is served from a directory that cannot be trusted."""
