"""The request model of `POST /events`: API Gateway validates the body against it before Kinesis.

Only the envelope is checked here (a JSON object); what a valid event is, is the Flink job's call.
"""

from __future__ import annotations

import json

MODEL_NAME = "Event"  # API Gateway model names are alphanumeric
EVENT_SCHEMA: dict[str, object] = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": MODEL_NAME,
    "description": "One tenant event: any JSON object. tenantId and tier come from the caller's token.",
    "type": "object",
}


def event_schema_json() -> str:
    return json.dumps(EVENT_SCHEMA, sort_keys=True)
