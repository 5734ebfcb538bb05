"""Mapping templates render as API Gateway renders them."""

from __future__ import annotations

import base64
import json

import pytest

from local.errors import TemplateError
from local.sandbox.vtl import Request, render

CONTEXT = {"authorizer": {"tenantId": "acme", "tier": "premium"}, "requestId": "r-1", "requestTimeEpoch": 1763800000000}


def test_input_json_and_context() -> None:
    template = '{"t": "$context.authorizer.tenantId", "at": $context.requestTimeEpoch, "body": $input.json(\'$\')}'
    out = json.loads(render(template, Request(body='{"a": [1, 2]}'), CONTEXT))
    assert out == {"t": "acme", "at": 1763800000000, "body": {"a": [1, 2]}}


def test_input_path_and_json_with_a_jsonpath() -> None:
    request = Request(body='{"order": {"id": "o-1", "items": [3, 4]}}')
    assert render("$input.path('$.order.id')", request, CONTEXT) == "o-1"
    assert render("$input.json('$.order.items')", request, CONTEXT) == "[3, 4]"
    assert render("$input.json('$.missing')", request, CONTEXT) == "null"


def test_util_functions() -> None:
    out = render('$util.base64Encode("hi")|$util.escapeJavaScript($input.body)', Request(body='say "it\'s"'), CONTEXT)
    encoded, escaped = out.split("|")
    assert base64.b64decode(encoded) == b"hi"
    assert escaped == 'say \\"it\\\'s\\"'


def test_params() -> None:
    request = Request(body="{}", headers={"X-Trace": "t1"}, query={"dry": "1"})
    assert (
        render("$input.params('X-Trace')/$input.params('dry')/[$input.params('nope')]", request, CONTEXT) == "t1/1/[]"
    )


def test_a_body_that_is_not_json_is_a_clear_error() -> None:
    with pytest.raises(TemplateError, match="the body is not JSON"):
        render("$input.json('$')", Request(body="{oops"), CONTEXT)
