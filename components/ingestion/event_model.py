"""The request model of `POST /events`: API Gateway validates the body against it before Kinesis.

Only the envelope is checked here (a JSON object); what a valid event is, is the Flink job's call.

What a draft-04 model can and cannot bound: it can bound types, string lengths, property and item
counts, but not the body's size (API Gateway's own 10 MB payload limit applies; Kinesis refuses a
record over 1 MiB with an error) nor repeated keys (the validator sees the parsed body). Nesting depth
could only be bounded by a subschema per level referring to the next (`$ref` to `definitions`), and
API Gateway does not document resolving a model's internal references nor how deep its parser goes:
so depth is bounded where it is known to hold, in the Flink job (MAX_BODY_DEPTH below follows from
it) and in the sandbox's front door.
"""

from __future__ import annotations

import json

from functions.contracts.kinesis_record import MAX_NESTING_DEPTH

MODEL_NAME = "Event"  # API Gateway model names are alphanumeric
EVENT_SCHEMA: dict[str, object] = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": MODEL_NAME,
    "description": "One tenant event: any JSON object. tenantId and tier come from the caller's token.",
    "type": "object",
}


# The body becomes the record's payload, one level below the record's own braces.
MAX_BODY_DEPTH = MAX_NESTING_DEPTH - 1


def event_schema_json() -> str:
    return json.dumps(EVENT_SCHEMA, sort_keys=True)
