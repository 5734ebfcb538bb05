"""jq 1.6's parser depth limit, which the `jq` package (it bundles jq 1.8, whose limit is far higher)
does not have: the sandbox's Firehose must refuse what Firehose's JQ-1.6 engine refuses.

jq 1.6 (src/jv_parse.c, `parse_token`): on `[` or `{`, if the stack already holds MAX_PARSING_DEPTH
entries, "Exceeds depth limit for parsing". The stack holds each open array, each open object, and
each object key from its `:` until its value is complete (`,` or `}`).
"""

from __future__ import annotations

import re

from components.ingestion.firehose_partitioning import JQ16_MAX_PARSING_DEPTH

_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}:,]')


def exceeds_parsing_depth(text: str) -> bool:
    """Would jq 1.6 refuse `text` for its depth? (Only structure is read: other errors are jq's.)"""
    if text.count("{") * 2 + text.count("[") < JQ16_MAX_PARSING_DEPTH:
        return False
    stack: list[str] = []  # "[", "{", or ":" for a key being read
    for token in _TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            if len(stack) >= JQ16_MAX_PARSING_DEPTH:
                return True
            stack.append(char)
        elif char == ":":
            if stack and stack[-1] == "{":
                stack.append(":")
        elif char in ",}":
            if stack and stack[-1] == ":":
                stack.pop()
            if char == "}" and stack and stack[-1] == "{":
                stack.pop()
        elif char == "]" and stack and stack[-1] == "[":
            stack.pop()
    return False
