"""Why a request is refused: the reason is for the log, never for the caller."""

from __future__ import annotations


class RefusedError(Exception):
    """A token or request failed a check. `reason` is logged; the caller only ever sees 401."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# API Gateway turns exactly this error message from a TOKEN authorizer into 401 Unauthorized.
UNAUTHORIZED = "Unauthorized"


class UnauthorizedError(Exception):
    """What every refusal ends in; the message is the only thing API Gateway reads."""

    def __init__(self) -> None:
        super().__init__(UNAUTHORIZED)
