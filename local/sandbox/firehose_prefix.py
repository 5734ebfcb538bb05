"""Firehose's S3 prefix expressions, evaluated as Firehose evaluates them.

`!{partitionKeyFromQuery:k}` takes a key extracted by the JQ metadata query, `!{timestamp:fmt}` the
arrival time (UTC) in Java DateTimeFormatter notation, `!{firehose:error-output-type}` the failure
class and `!{firehose:random-string}` a random string.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from local.errors import PrefixError

_EXPRESSION = re.compile(r"!\{([a-zA-Z]+):([^}]*)\}")
# Java DateTimeFormatter letters Firehose prefixes use, in Python strftime terms.
_JAVA_TO_STRFTIME = [("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S")]


def java_time(pattern: str, moment: datetime) -> str:
    for java, python in _JAVA_TO_STRFTIME:
        pattern = pattern.replace(java, python)
    return moment.strftime(pattern)


def render_prefix(
    prefix: str,
    partition_keys: Mapping[str, object],
    arrival: datetime,
    error_output_type: str | None = None,
) -> str:
    def evaluate(match: re.Match[str]) -> str:
        namespace, argument = match.group(1), match.group(2)
        if namespace == "partitionKeyFromQuery":
            value = partition_keys.get(argument)
            if not value:  # Firehose cannot place a record whose key is missing, null or empty
                raise PrefixError(f"partition key {argument!r} was not extracted")
            return str(value)
        if namespace == "timestamp":
            return java_time(argument, arrival.astimezone(UTC))
        if namespace == "firehose" and argument == "error-output-type":
            if error_output_type is None:
                raise PrefixError("!{firehose:error-output-type} outside the error output prefix")
            return error_output_type
        if namespace == "firehose" and argument == "random-string":
            return uuid.uuid4().hex[:11]
        raise PrefixError(f"unsupported prefix expression !{{{namespace}:{argument}}}")

    return _EXPRESSION.sub(evaluate, prefix)
