"""Lambda entry point of the TOKEN authorizer.

The Lambda package keeps the repository's paths (handler `functions.authorizer.handler.handler`, laid out
by functions.authorizer.package), so the same module runs there and in the project (tests, the local demo).

Configuration is read at cold start: a missing or malformed variable fails the init with a message
naming it (callers get API Gateway's 500, nothing more). Keys, secret and verifier live across
invocations of a warm instance.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.authorizer.authorizer import Authorizer
from functions.authorizer.config import load_config
from functions.authorizer.log import logger

AUTHORIZER = Authorizer.from_config(load_config(os.environ))


# log_event=False explicitly: the event holds the token, whatever POWERTOOLS_LOGGER_LOG_EVENT says.
@logger.inject_lambda_context(log_event=False, clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return AUTHORIZER.authorize(event)
