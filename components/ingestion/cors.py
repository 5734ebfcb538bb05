"""CORS for `POST /events`: tenant apps include browsers.

A response carries one `Access-Control-Allow-Origin` value. API Gateway maps a header only from a
static value or a request parameter, so the value is chosen per request in VTL: the integration
response templates (the OPTIONS preflight's MOCK one included) compare the request's `Origin` with the
configured origins and set `$context.responseOverride.header.Access-Control-Allow-Origin` to the
configured origin it equals, or set nothing. The value written is always the configured string, never
the request's. `Vary: Origin` tells caches that the answer depends on it.

Gateway responses (401 from the authorizer, 429 from the usage plan, 5xx of API Gateway) are not
rendered by VTL: with one origin they carry it statically; with several they echo the request's
`Origin`. That lets any page read API Gateway's generic error messages, which hold nothing a direct
call would not show; no credentials ride on cookies (no Allow-Credentials), and a request carrying a
token needs a preflight, which only the configured origins pass.
"""

from __future__ import annotations

from collections.abc import Sequence

from components.errors import ComponentInputError
from tiers.ingest import origin_problem

ALLOW_ORIGIN = "Access-Control-Allow-Origin"
ALLOW_METHODS = "POST,OPTIONS"
ALLOW_HEADERS = "Authorization,Content-Type"
# How long a browser may reuse a preflight answer; Chromium caps it at 2 hours.
MAX_AGE_SECONDS = 7200
# Browsers send `Origin` over HTTP/1.1 and `origin` over HTTP/2; API Gateway's header map is case-sensitive.
_ORIGIN_HEADERS = ("Origin", "origin")


def checked_origins(origins: Sequence[str]) -> tuple[str, ...]:
    """`origins` as given, refused if one is not an https origin (they are written into VTL)."""
    for origin in origins:
        problem = origin_problem(origin)
        if problem:
            raise ComponentInputError(f"CORS origin: {problem}")
    return tuple(origins)


def allow_origin_override(origins: Sequence[str]) -> str:
    """VTL setting Access-Control-Allow-Origin to the configured origin the request comes from, if any.

    The override is set once, at the end: API Gateway answers 5xx if a template overrides a header twice.
    """
    allowed = checked_origins(origins)
    if not allowed:
        return ""
    listed = ", ".join(f'"{origin}"' for origin in allowed)
    sent = " || ".join(f'$sentHeaders.get("{header}") == $allowed' for header in _ORIGIN_HEADERS)
    return (
        '#set($allowOrigin = "")\n'
        "#set($sentHeaders = $input.params().header)\n"
        f"#foreach($allowed in [{listed}])\n"
        f"#if({sent})\n"
        "#set($allowOrigin = $allowed)\n"
        "#end\n"
        "#end\n"
        '#if($allowOrigin != "")\n'
        f"#set($context.responseOverride.header.{ALLOW_ORIGIN} = $allowOrigin)\n"
        "#end\n"
    )


def varying_headers(origins: Sequence[str]) -> dict[str, str]:
    """Static headers of every POST /events answer: it varies with Origin when CORS is on."""
    return {"Vary": "Origin"} if checked_origins(origins) else {}


def preflight_headers() -> dict[str, str]:
    """Static headers of the OPTIONS answer (Access-Control-Allow-Origin is chosen per request)."""
    return {
        "Access-Control-Allow-Methods": ALLOW_METHODS,
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
        "Vary": "Origin",
    }


def gateway_response_parameters(origins: Sequence[str]) -> dict[str, str]:
    """Gateway response parameters giving API Gateway's own errors the CORS header (see the module doc)."""
    allowed = checked_origins(origins)
    if not allowed:
        return {}
    if len(allowed) == 1:
        return {f"gatewayresponse.header.{ALLOW_ORIGIN}": f"'{allowed[0]}'"}
    return {
        f"gatewayresponse.header.{ALLOW_ORIGIN}": "method.request.header.Origin",
        "gatewayresponse.header.Vary": "'Origin'",
    }
