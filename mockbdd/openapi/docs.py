"""What a namespace (or a folder of tag maps) mocks, as an OpenAPI 3.0 document any Swagger UI
opens, or as Markdown (``mockbdd docs``, ``GET /__admin/docs/openapi.json``).

Each stub becomes an operation of its path (a literal or template URL; a regex URL is listed
under ``x-mockbdd-patterns``), with the status, headers and example body it answers; a stub in
a scenario says which state it needs and which it moves to; services are tags. The scenarios
with their states and the tag maps with their parameters go under ``x-mockbdd-*``. Works on
the stubs' WireMock JSON alone: it needs no validator.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_PARAM = re.compile(r"\{([^}/]+)\}")
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def openapi_of(
    title: str,
    stubs: Iterable[Mapping[str, Any]],
    scenarios: Sequence[Mapping[str, Any]] = (),
    tag_maps: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The document of ``stubs`` (WireMock JSON, match order), their scenarios and tag maps."""
    paths: dict[str, dict[str, Any]] = {}
    patterns: list[dict[str, Any]] = []
    for stub in stubs:
        request = stub.get("request") or {}
        method = str(request.get("method", "ANY")).lower()
        path, _ = _path_of(request)
        operation = _operation(stub, request, path)  # braces in any path read as parameters
        if path is None:
            found = {"method": method.upper(), "url": _url_text(request), **operation}
            if not any(_same(found, p) for p in patterns):
                patterns.append(found)
            continue
        item = paths.setdefault(path, {})
        for verb in _METHODS if method == "any" else (method,):
            if method == "any" and "operationId" in operation:  # ids stay unique per verb
                operation = {**operation, "operationId": f"{stub.get('id')}-{verb}"}
            if verb not in item:  # the first in match order answers
                item[verb] = operation
            elif not _same(item[verb], operation):  # another map's answer, or a later stub
                others = item[verb].setdefault("x-mockbdd-alternatives", [])
                if not any(_same(o, operation) for o in others):
                    others.append(operation)
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "mock", "description": "Mocked by mockbdd"},
        "paths": paths,
    }
    if patterns:
        document["x-mockbdd-patterns"] = patterns
    if scenarios:
        document["x-mockbdd-scenarios"] = list(scenarios)
    if tag_maps:
        document["x-mockbdd-tagMaps"] = list(tag_maps)
    return document


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    keys = ("summary", "responses", "x-mockbdd-tagMap", "x-mockbdd-scenario")
    return all(a.get(k) == b.get(k) for k in keys)


def _path_of(request: Mapping[str, Any]) -> tuple[str | None, bool]:
    for key in ("urlPathTemplate", "urlPath"):
        if isinstance(request.get(key), str):
            return request[key], key == "urlPathTemplate"
    url = request.get("url")
    if isinstance(url, str):
        return url.split("?", 1)[0], False
    if not any(k in request for k in ("urlPattern", "urlPathPattern")):
        return "/", False  # no URL: every path
    return None, False


def _url_text(request: Mapping[str, Any]) -> str:
    return str(request.get("urlPathPattern") or request.get("urlPattern") or "")


def _operation(
    stub: Mapping[str, Any], request: Mapping[str, Any], template: str | None
) -> dict[str, Any]:
    meta = (stub.get("metadata") or {}).get("mockbdd") or {}
    name = (
        stub.get("name")
        or f"{request.get('method', 'ANY')} {_path_of(request)[0] or _url_text(request)}"
    )
    operation: dict[str, Any] = {"summary": str(name)}
    if stub.get("id"):
        operation["operationId"] = str(stub["id"])
    service = meta.get("service")
    if service:
        operation["tags"] = [str(service)]
    parameters = [
        {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
        for p in (_PARAM.findall(template) if template else [])
    ]
    for name in request.get("queryParameters") or {}:
        parameters.append({"name": str(name), "in": "query", "schema": {"type": "string"}})
    for name in request.get("headers") or {}:
        parameters.append({"name": str(name), "in": "header", "schema": {"type": "string"}})
    if parameters:
        operation["parameters"] = parameters
    responses = stub.get("responses") or [stub.get("response") or {}]
    operation["responses"] = {}
    for response in responses:
        status = str(response.get("status", 200))
        operation["responses"].setdefault(status, _response(response))
    scenario = stub.get("scenarioName")
    if scenario:
        operation["x-mockbdd-scenario"] = {
            "name": scenario,
            "requiredState": stub.get("requiredScenarioState"),
            "newState": stub.get("newScenarioState"),
        }
    if meta.get("tagMap"):
        operation["x-mockbdd-tagMap"] = meta["tagMap"]
    return operation


def _response(response: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"description": _describe(response)}
    headers = response.get("headers") or {}
    content_type = next((str(v) for k, v in headers.items() if k.lower() == "content-type"), None)
    if "jsonBody" in response:
        out["content"] = {content_type or "application/json": {"example": response["jsonBody"]}}
    elif isinstance(response.get("body"), str):
        out["content"] = {content_type or "text/plain": {"example": response["body"]}}
    other = {k: {"schema": {"type": "string"}, "example": v} for k, v in headers.items()
             if k.lower() != "content-type"}  # fmt: skip
    if other:
        out["headers"] = other
    return out


def _describe(response: Mapping[str, Any]) -> str:
    parts = []
    if response.get("fault"):
        parts.append(f"fault {response['fault']}")
    if response.get("proxyBaseUrl"):
        parts.append(f"proxied to {response['proxyBaseUrl']}")
    if response.get("transformers"):
        parts.append("made by " + ", ".join(str(t) for t in response["transformers"]))
    if response.get("fixedDelayMilliseconds"):
        parts.append(f"after {response['fixedDelayMilliseconds']} ms")
    if response.get("bodyFileName"):
        parts.append(f"body from {response['bodyFileName']}")
    return "; ".join(parts) or "mocked answer"


def markdown_of(document: Mapping[str, Any]) -> str:
    """The same, for people: endpoints by path, then scenarios and tag maps."""
    lines = [f"# {document.get('info', {}).get('title', 'mocks')}", "", "## Endpoints", ""]
    lines += ["| method | path | answers | notes |", "|---|---|---|---|"]
    for path, item in (document.get("paths") or {}).items():
        for method, op in item.items():
            for each in (op, *op.get("x-mockbdd-alternatives", ())):
                lines.append(
                    f"| {method.upper()} | `{path}` | {_statuses(each)} | {_notes(each)} |"
                )
    for pattern in document.get("x-mockbdd-patterns") or []:
        lines.append(
            f"| {pattern['method']} | `{pattern['url']}` (regex) | {_statuses(pattern)} | {_notes(pattern)} |"
        )
    scenarios = document.get("x-mockbdd-scenarios") or []
    if scenarios:
        lines += ["", "## Scenarios", "", "| scenario | state | possible states |", "|---|---|---|"]
        for s in scenarios:
            states = ", ".join(s.get("possibleStates", []))
            lines.append(f"| {s.get('name')} | {s.get('state')} | {states} |")
    maps = document.get("x-mockbdd-tagMaps") or []
    if maps:
        lines += ["", "## Tag maps", ""]
        for m in maps:
            lines.append(f"- `@mock:{m.get('name')}`: {m.get('description') or ''}".rstrip(": "))
            for name, spec in (m.get("params") or {}).items():
                shown = json.dumps(spec) if not isinstance(spec, str) else spec
                lines.append(f"  - parameter `{name}`: {shown}")
    return "\n".join(lines) + "\n"


def _statuses(op: Mapping[str, Any]) -> str:
    return ", ".join(sorted(op.get("responses") or {}))


def _notes(op: Mapping[str, Any]) -> str:
    notes = [op.get("summary", "")]
    scenario = op.get("x-mockbdd-scenario")
    if scenario:
        notes.append(
            f"scenario {scenario['name']}: in {scenario.get('requiredState') or 'any state'}"
            + (f" → {scenario['newState']}" if scenario.get("newState") else "")
        )
    if op.get("tags"):
        notes.append("service " + ", ".join(op["tags"]))
    if op.get("x-mockbdd-tagMap"):
        notes.append(f"@mock:{op['x-mockbdd-tagMap']}")
    return "; ".join(n for n in notes if n).replace("|", "\\|")
