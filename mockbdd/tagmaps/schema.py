"""JSON Schemas for editors (``mockbdd schema``): tag-map files and WireMock mapping files."""

from __future__ import annotations

import copy
from typing import Any

from mockbdd.tagmaps.models import TagMapFileModel

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_URL_FIELDS = ("url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate")
_BODY_FIELDS = ("body", "jsonBody", "base64Body", "bodyFileName")
_FAULTS = [
    "CONNECTION_RESET_BY_PEER",
    "EMPTY_RESPONSE",
    "MALFORMED_RESPONSE_CHUNK",
    "RANDOM_DATA_THEN_CLOSE",
    "NO_RESPONSE",
    "TRUNCATED_BODY",
]
_STR = {"type": "string"}
_OBJ: dict[str, Any] = {"type": "object"}


def _at_most_one(fields: tuple[str, ...]) -> dict[str, Any]:
    pairs = [[a, b] for i, a in enumerate(fields) for b in fields[i + 1 :]]
    return {"not": {"anyOf": [{"required": pair} for pair in pairs]}}


def _content_pattern() -> dict[str, Any]:
    keys = [
        "equalTo",
        "contains",
        "doesNotContain",
        "matches",
        "doesNotMatch",
        "equalToJson",
        "matchesJsonPath",
        "matchesJsonSchema",
        "equalToXml",
        "matchesXPath",
        "binaryEqualTo",
        "before",
        "after",
        "equalToDateTime",
        "equalToNumber",
        "greaterThanNumber",
        "greaterThanOrEqualNumber",
        "lessThanNumber",
        "lessThanOrEqualNumber",
        "hasExactly",
        "includes",
        "and",
        "or",
        "not",
    ]
    properties: dict[str, Any] = {key: {} for key in keys}
    properties |= {
        "absent": {"type": "boolean"},
        "caseInsensitive": {"type": "boolean"},
        "ignoreArrayOrder": {"type": "boolean"},
        "ignoreExtraElements": {"type": "boolean"},
        "and": {"type": "array", "items": {"$ref": "#/$defs/ContentPattern"}},
        "or": {"type": "array", "items": {"$ref": "#/$defs/ContentPattern"}},
        "not": {"$ref": "#/$defs/ContentPattern"},
    }
    return {"type": "object", "minProperties": 1, "properties": properties}


def _request() -> dict[str, Any]:
    patterns = {"type": "object", "additionalProperties": {"$ref": "#/$defs/ContentPattern"}}
    properties: dict[str, Any] = {
        "method": {"type": "string", "examples": ["GET", "POST", "PUT", "DELETE", "ANY"]},
        **{field: _STR for field in _URL_FIELDS},
        "pathParameters": patterns,
        "queryParameters": patterns,
        "headers": patterns,
        "cookies": patterns,
        "formParameters": patterns,
        "basicAuthCredentials": {
            "type": "object",
            "required": ["username", "password"],
            "properties": {"username": _STR, "password": _STR},
        },
        "bodyPatterns": {"type": "array", "items": {"$ref": "#/$defs/ContentPattern"}},
        "host": {"anyOf": [_STR, {"$ref": "#/$defs/ContentPattern"}]},
        "port": {"type": "integer", "minimum": 1, "maximum": 65535},
        "scheme": {"enum": ["http", "https"]},
    }
    return {"type": "object", "properties": properties, **_at_most_one(_URL_FIELDS)}


def _response() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "status": {"type": "integer", "minimum": 100, "maximum": 599, "default": 200},
        "statusMessage": _STR,
        "headers": {
            "type": "object",
            "additionalProperties": {"anyOf": [_STR, {"type": "array", "items": _STR}]},
        },
        "body": _STR,
        "jsonBody": {},
        "base64Body": _STR,
        "bodyFileName": _STR,
        "fixedDelayMilliseconds": {"type": "integer", "minimum": 0},
        "delayDistribution": {"type": "object", "required": ["type"]},
        "chunkedDribbleDelay": {
            "type": "object",
            "required": ["numberOfChunks", "totalDuration"],
            "properties": {
                "numberOfChunks": {"type": "integer", "minimum": 1},
                "totalDuration": {"type": "integer", "minimum": 0},
            },
        },
        "fault": {"enum": _FAULTS},
        "proxyBaseUrl": _STR,
        "proxyUrlPrefixToRemove": _STR,
        "additionalProxyRequestHeaders": {"type": "object", "additionalProperties": _STR},
        "removeProxyRequestHeaders": {"type": "array", "items": _STR},
        "transformers": {"type": "array", "items": _STR},
        "transformerParameters": _OBJ,
    }
    return {"type": "object", "properties": properties, **_at_most_one(_BODY_FIELDS)}


def _stub(ref: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "id": _STR,
        "uuid": _STR,
        "name": _STR,
        "priority": {"type": "integer", "minimum": 1, "description": "1 is highest; default 5"},
        "request": {"$ref": f"#/$defs/{ref}Request"},
        "response": {"$ref": f"#/$defs/{ref}Response"},
        "responses": {
            "type": "array",
            "minItems": 1,
            "items": {
                "allOf": [{"$ref": f"#/$defs/{ref}Response"}],
                "properties": {"times": {"type": "integer", "minimum": 1}},
            },
        },
        "whenExhausted": {"enum": ["repeatLast", "loop", "notFound"]},
        "scenarioName": _STR,
        "requiredScenarioState": _STR,
        "newScenarioState": _STR,
        "scenarioKey": _STR,
        "metadata": _OBJ,
        "persistent": {"type": "boolean"},
        "insertionIndex": {"type": "integer"},
        "postServeActions": {},
        "serveEventListeners": {},
    }
    return {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "not": {"required": ["response", "responses"]},
    }


def _wiremock_defs() -> dict[str, Any]:
    return {
        "ContentPattern": _content_pattern(),
        "Request": _request(),
        "Response": _response(),
        "StubMapping": _stub(""),
    }


def mapping_schema() -> dict[str, Any]:
    """WireMock mapping files: one StubMapping, or ``{"mappings": [...]}``."""
    return {
        "$schema": DRAFT,
        "title": "WireMock mapping file (mockbdd)",
        "$defs": _wiremock_defs(),
        "anyOf": [
            {"$ref": "#/$defs/StubMapping"},
            {
                "type": "object",
                "required": ["mappings"],
                "properties": {
                    "mappings": {"type": "array", "items": {"$ref": "#/$defs/StubMapping"}},
                    "meta": _OBJ,
                },
            },
        ],
    }


def tag_map_schema() -> dict[str, Any]:
    """``tag_maps/*.yaml``: the pydantic models, with stubs typed as WireMock + shorthands."""
    schema = TagMapFileModel.model_json_schema(mode="validation")
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    defs |= _wiremock_defs()
    tag_request = copy.deepcopy(defs["Request"])
    tag_request["properties"]["path"] = {**_STR, "description": "shorthand for urlPath"}
    tag_request |= _at_most_one(("path", *_URL_FIELDS))
    tag_response = copy.deepcopy(defs["Response"])
    tag_response["properties"]["json"] = {"description": "shorthand for jsonBody"}
    tag_response["properties"]["delay"] = {
        "anyOf": [{"type": "integer", "minimum": 0}, _STR],
        "description": "shorthand for fixedDelayMilliseconds: 250ms, 2s, or '{param}'",
    }
    tag_response |= _at_most_one(("json", *_BODY_FIELDS))
    defs |= {"TagMapRequest": tag_request, "TagMapResponse": tag_response}
    defs["TagMapStub"] = _stub("TagMap")
    services = defs["TagMapModel"]["properties"]["services"]
    services["additionalProperties"] = {"type": "array", "items": {"$ref": "#/$defs/TagMapStub"}}
    schema["properties"]["maps"]["propertyNames"] = {"pattern": "^[a-z0-9_.-]+$"}
    return {**schema, "$schema": DRAFT, "title": "mockbdd tag-map file"}


def schema_json() -> dict[str, Any]:
    """Both schemas, keyed by file kind."""
    return {"tagMapFile": tag_map_schema(), "mappingFile": mapping_schema()}
