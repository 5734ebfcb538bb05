"""API Gateway mapping templates rendered as API Gateway renders them.

airspeed-ext is a Velocity engine built for AWS templates; this module supplies the variables API
Gateway gives a template: `$input`, `$util` and `$context` (see API Gateway's "mapping template and
access logging variable reference").
"""

from __future__ import annotations

import base64
import functools
import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import airspeed
from jsonpath_ng.ext.parser import parse as parse_jsonpath

from local.errors import TemplateError


@dataclass
class Request:
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    path: dict[str, str] = field(default_factory=dict)


class InputVariable:
    """`$input`: the request's body, JSONPath over it, and its parameters."""

    def __init__(self, request: Request):
        self._request = request
        self.body = request.body
        self._parsed: Any = None
        self._parsed_ok = False

    def _document(self) -> Any:
        if not self._parsed_ok:
            try:
                self._parsed = json.loads(self.body) if self.body.strip() else {}
            except json.JSONDecodeError as error:
                raise TemplateError(f"the body is not JSON: {error.msg} at position {error.pos}") from error
            self._parsed_ok = True
        return self._parsed

    def path(self, expression: str) -> Any:
        matches = [match.value for match in parse_jsonpath(expression).find(self._document())]
        if not matches:
            return None
        return matches[0] if len(matches) == 1 else matches

    def json(self, expression: str) -> str:
        return json.dumps(self.path(expression))

    def params(self, name: str | None = None) -> Any:
        everything = {"path": self._request.path, "querystring": self._request.query, "header": self._request.headers}
        if name is None:
            return everything
        for source in (self._request.path, self._request.query, self._request.headers):
            if name in source:
                return source[name]
        return ""


class UtilVariable:
    """`$util`."""

    @staticmethod
    def base64Encode(value: Any) -> str:  # noqa: N802 - API Gateway's names
        return base64.b64encode(str(value).encode()).decode()

    @staticmethod
    def base64Decode(value: Any) -> str:  # noqa: N802
        return base64.b64decode(str(value)).decode()

    @staticmethod
    def escapeJavaScript(value: Any) -> str:  # noqa: N802
        # As API Gateway: JSON string escaping without the quotes; single quotes escaped too.
        return json.dumps(str(value))[1:-1].replace("'", "\\'")

    @staticmethod
    def parseJson(value: Any) -> Any:  # noqa: N802
        return json.loads(str(value))

    @staticmethod
    def urlEncode(value: Any) -> str:  # noqa: N802
        return urllib.parse.quote_plus(str(value))

    @staticmethod
    def urlDecode(value: Any) -> str:  # noqa: N802
        return urllib.parse.unquote_plus(str(value))


@functools.lru_cache(maxsize=16)
def _compiled(template: str) -> airspeed.Template:
    """Parsed once per template: a stage renders the same few templates for every request."""
    compiled = airspeed.Template(template)
    compiled.ensure_compiled()
    return compiled


def render(
    template: str, request: Request, context: dict[str, Any], stage_variables: dict[str, str] | None = None
) -> str:
    """Render `template` for `request` with the given `$context` (including `authorizer`)."""
    namespace = {
        "input": InputVariable(request),
        "util": UtilVariable(),
        "context": context,
        "stageVariables": stage_variables or {},
    }
    try:
        return str(_compiled(template).merge(namespace))
    except TemplateError:
        raise
    except Exception as error:  # airspeed raises its own error types and whatever a variable raised
        cause = error.__cause__ if isinstance(error.__cause__, TemplateError) else None
        if cause:
            raise cause from error
        raise TemplateError(f"the mapping template failed: {error}") from error
