"""What every step phrase does (DESIGN §7), as plain functions over a :class:`ScenarioMocks`.

behave and pytest-bdd only parse the step text and hand the values, the docstring and the
table here. Set-up phrases 1-16 are in this module; assertions 17-27 in
:mod:`mockbdd.bdd.step_checks` (re-exported below).

Stubs made by steps get priority 1 (WireMock's highest), so they outrank every tag-map stub of
their route (tag maps default to 5), and among steps the newest wins (the engine's rule for equal
priorities). They match on ``urlPath``, whatever the query string.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mockbdd.bdd.scenario_mocks import (
    CATCH_ALL,
    HANG_MS,
    ScenarioMocks,
    StepSettings,
    StepTable,
    StepUsageError,
    parse_json_text,
    route_path,
)
from mockbdd.bdd.step_checks import (
    MockAssertionError,
    all_stubs_used,
    no_unexpected_requests,
    not_received,
    nth_request_json,
    received_body,
    received_count,
    received_header,
    received_in_order,
    received_json,
    received_no_header,
    received_query,
    wait_received,
)
from mockbdd.services import check_service, service_regex
from mockbdd.tagmaps.errors import MockBddError
from mockbdd.tagmaps.params import parse_duration
from mockbdd.tagmaps.stubs import URL_FIELDS
from mockbdd.tagmaps.tags import MOCK_PREFIX, MockTag, parse_tag

STEP_PRIORITY = 1
CATCH_ALL_PRIORITY = 10  # phrase 13: below every step stub (1) and every default stub (5)


def step_metadata(service: str, *, catch_all: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"service": service, "source": "step"}
    if catch_all:
        meta[CATCH_ALL] = True
    return {"mockbdd": meta}


def step_stub(
    service: str,
    method: str,
    path: str | None,
    *,
    response: Mapping[str, Any] | None = None,
    responses: Sequence[Mapping[str, Any]] | None = None,
    request: Mapping[str, Any] | None = None,
    priority: int = STEP_PRIORITY,
) -> dict[str, Any]:
    """A step's StubMapping; ``path`` None means every path of the service."""
    pattern: dict[str, Any] = {"method": method}
    if path is None:
        check_service(service)
        pattern["urlPathPattern"] = service_regex(service)
    else:
        pattern["urlPath"] = route_path(service, path)
    pattern.update(request or {})
    mapping: dict[str, Any] = {
        "priority": priority,
        "request": pattern,
        "metadata": step_metadata(service),
    }
    if responses is not None:
        mapping["responses"] = [dict(r) for r in responses]
        mapping["whenExhausted"] = "repeatLast"
    else:
        mapping["response"] = dict(response or {"status": 200})
    return mapping


def _add(mocks: ScenarioMocks, mapping: Mapping[str, Any]) -> str:
    return str(mocks.admin.create_stub(mapping)["id"])


# ------------------------------------------------------------------------------ set-up 1-16


def respond_status(mocks: ScenarioMocks, service: str, method: str, path: str, status: int) -> str:
    """1: status only, empty body."""
    return _add(mocks, step_stub(service, method, path, response={"status": status}))


def respond_body(
    mocks: ScenarioMocks, service: str, method: str, path: str, status: int, body: str | None
) -> str:
    """2: the docstring as the body, byte for byte."""
    response = {"status": status, "body": body or ""}
    return _add(mocks, step_stub(service, method, path, response=response))


def respond_json(
    mocks: ScenarioMocks, service: str, method: str, path: str, status: int, body: str | None
) -> str:
    """3: the docstring, checked as JSON, with ``Content-Type: application/json``."""
    document = parse_json_text(body, "the JSON body")
    response = {
        "status": status,
        "jsonBody": document,
        "headers": {"Content-Type": "application/json"},
    }
    return _add(mocks, step_stub(service, method, path, response=response))


def respond_headers(
    mocks: ScenarioMocks, service: str, method: str, path: str, status: int, table: StepTable
) -> str:
    """4: table ``| name | value |``; a name given twice sends both values."""
    headers: dict[str, Any] = {}
    for row in table.dicts(["name", "value"]):
        name, value = row["name"], row["value"]
        if name in headers:
            previous = headers[name]
            headers[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            headers[name] = value
    response = {"status": status, "headers": headers}
    return _add(mocks, step_stub(service, method, path, response=response))


def respond_in_order(
    mocks: ScenarioMocks, service: str, method: str, path: str, table: StepTable
) -> str:
    """5: table ``| status | body | delay |`` (body, delay optional; empty = none); the last
    row repeats."""
    responses = []
    for i, row in enumerate(table.dicts(["status"], ["body", "delay"]), 1):
        item: dict[str, Any] = {"status": _status_cell(row["status"], i)}
        if row.get("body"):
            item["body"] = row["body"]
        if row.get("delay"):
            try:
                item["fixedDelayMilliseconds"] = parse_duration(row["delay"])
            except ValueError as exc:
                raise StepUsageError(f"row {i}: delay: {exc}") from None
        responses.append(item)
    if not responses:
        raise StepUsageError("the table of responses has no rows")
    return _add(mocks, step_stub(service, method, path, responses=responses))


def _status_cell(text: str, row: int) -> int:
    if not text.isdigit() or not 100 <= int(text) <= 599:
        raise StepUsageError(f"row {row}: status must be an HTTP status (100-599), got {text!r}")
    return int(text)


def respond_times_then(
    mocks: ScenarioMocks,
    service: str,
    method: str,
    path: str,
    status: int,
    times: int,
    then_status: int,
) -> str:
    """6: ``status`` for the first ``times`` requests, then ``then_status`` for good."""
    if times < 1:
        raise StepUsageError(f"the number of times must be at least 1, got {times}")
    responses = [{"status": status, "times": times}, {"status": then_status}]
    return _add(mocks, step_stub(service, method, path, responses=responses))


def respond_after(mocks: ScenarioMocks, service: str, method: str, path: str, delay_ms: int) -> str:
    """7: delay the route's current response by ``delay_ms``; a route without one answers 200
    with an empty body after the delay.

    The server says which stub answers the route (``POST /__admin/requests/match``, a dry run
    with the engine's own matcher: Java regexes, ``GET_OR_HEAD``, templates): the first, in
    match order, whose method and URL accept ``method path``, whatever its other conditions.
    Only this route is delayed. A stub for exactly this method and path (no other condition)
    is edited in place, so it keeps its rank, its sequence position and its "used" flag. Any
    other stub (a URL pattern, another method, header/query/body conditions) also answers
    other requests: it stays as it is, and a new step stub for exactly this method and path
    (with the same conditions) answers with a delayed copy of its response or sequence."""
    route_path(service, path)
    found = mocks.handle.match(method, path, service).route_matches
    if not found:
        response = {"status": 200, "fixedDelayMilliseconds": delay_ms}
        return _add(mocks, step_stub(service, method, path, response=response))
    current = found[0]
    if current.route_only:
        mocks.admin.update_stub(current.stub.id, with_delay(current.stub.raw, delay_ms))
        return current.stub.id
    return _add(mocks, delayed_copy(current.stub.raw, service, method, path, delay_ms))


_ROUTE_KEYS = ("method", *URL_FIELDS, "pathParameters")
_SCENARIO_KEYS = ("scenarioName", "requiredScenarioState", "newScenarioState", "scenarioKey")


def delayed_copy(
    stub: Mapping[str, Any], service: str, method: str, path: str, delay_ms: int
) -> dict[str, Any]:
    """A step stub for exactly ``method path`` that answers as ``stub`` does (same conditions,
    same response or sequence, same scenario state), ``delay_ms`` later."""
    request = stub.get("request") or {}
    conditions = {k: v for k, v in request.items() if k not in _ROUTE_KEYS}
    delayed = with_delay(stub, delay_ms)
    if isinstance(delayed.get("responses"), list):
        mapping = step_stub(
            service, method, path, responses=delayed["responses"], request=conditions
        )
        mapping["whenExhausted"] = stub.get("whenExhausted", "repeatLast")
    else:
        mapping = step_stub(service, method, path, response=delayed["response"], request=conditions)
    mapping.update({k: stub[k] for k in _SCENARIO_KEYS if k in stub})
    return mapping


def with_delay(stub: Mapping[str, Any], delay_ms: int) -> dict[str, Any]:
    """``stub`` (for a PUT) with every response delayed by ``delay_ms``."""
    out = {k: v for k, v in stub.items() if k not in ("uuid", "insertionIndex")}

    def delayed(response: Mapping[str, Any]) -> dict[str, Any]:
        item = {k: v for k, v in response.items() if k != "delayDistribution"}
        item["fixedDelayMilliseconds"] = delay_ms
        return item

    if isinstance(out.get("responses"), list):
        out["responses"] = [delayed(r) for r in out["responses"]]
    else:
        out["response"] = delayed(out.get("response") or {"status": 200})
    return out


def times_out(mocks: ScenarioMocks, service: str, method: str, path: str) -> str:
    """8: the response (200, empty) comes only after ``settings.hang_ms`` (60 s by default),
    far beyond any sensible client timeout; the request is journaled on arrival."""
    response = {"status": 200, "fixedDelayMilliseconds": mocks.settings.hang_ms}
    return _add(mocks, step_stub(service, method, path, response=response))


def drops_connection(mocks: ScenarioMocks, service: str, method: str, path: str) -> str:
    """9: the connection is reset (``CONNECTION_RESET_BY_PEER``)."""
    response = {"fault": "CONNECTION_RESET_BY_PEER"}
    return _add(mocks, step_stub(service, method, path, response=response))


def malformed_response(mocks: ScenarioMocks, service: str, method: str, path: str) -> str:
    """10: a broken chunked body (``MALFORMED_RESPONSE_CHUNK``)."""
    response = {"fault": "MALFORMED_RESPONSE_CHUNK"}
    return _add(mocks, step_stub(service, method, path, response=response))


def unavailable(mocks: ScenarioMocks, service: str) -> str:
    """11: every route of the service answers 503 (later step stubs still win)."""
    return _add(mocks, step_stub(service, "ANY", None, response={"status": 503}))


CONDITION_FIELDS = ("header.<Name>", "query.<name>", "json.<JSONPath>")


def respond_when_matches(
    mocks: ScenarioMocks, service: str, method: str, path: str, status: int, table: StepTable
) -> str:
    """12: table ``| field | value |``, fields ``header.X``, ``query.x``, ``json.$.path``; every
    row must hold (``equalTo``)."""
    headers: dict[str, Any] = {}
    query: dict[str, Any] = {}
    body: list[dict[str, Any]] = []
    for row in table.dicts(["field", "value"]):
        kind, _, name = row["field"].partition(".")
        value = row["value"]
        if not name or kind not in ("header", "query", "json"):
            raise StepUsageError(
                f"unknown field {row['field']!r}: use {', '.join(CONDITION_FIELDS)}"
            )
        if kind == "header":
            headers[name] = {"equalTo": value}
        elif kind == "query":
            query[name] = {"equalTo": value}
        else:
            expression = name if name.startswith("$") else "$." + name
            body.append({"matchesJsonPath": {"expression": expression, "equalTo": value}})
    request: dict[str, Any] = {}
    if headers:
        request["headers"] = headers
    if query:
        request["queryParameters"] = query
    if body:
        request["bodyPatterns"] = body
    response = {"status": status}
    return _add(mocks, step_stub(service, method, path, response=response, request=request))


def unmatched_get_status(mocks: ScenarioMocks, service: str, status: int) -> str:
    """13: a catch-all for the service at the lowest priority any stub here uses (10). Marked
    ``metadata.mockbdd.catchAll``: what it answers still counts as unexpected (phrase 26,
    strict mode), and it is never reported unused."""
    mapping = step_stub(
        service, "ANY", None, response={"status": status}, priority=CATCH_ALL_PRIORITY
    )
    mapping["metadata"] = step_metadata(service, catch_all=True)
    return _add(mocks, mapping)


def switch_map(
    mocks: ScenarioMocks,
    service: str,
    name: str,
    at: tuple[str | None, int | None] | None = None,
) -> None:
    """14: the named map (``name`` or ``name:key=value;...``) replaces every stub of the
    services it configures; other services and the journal stay as they are. ``at`` is the
    step's feature file and line (default: the scenario's), named by every error."""
    route_path(service, "/")
    file, line = at if at is not None else _split_location(mocks.location)
    try:
        tag = parse_tag(MOCK_PREFIX + name)
        if not isinstance(tag, MockTag) or tag.off:
            raise MockBddError(f"'{name}' switches a map off; name the map to switch to")
        if mocks.maps is None:
            mocks.handle.apply(tag.name, **tag.param_dict)
        else:
            mocks.maps.switch(mocks.handle, service, tag, file, line)
    except MockBddError as exc:
        text = exc.located(file, line).render()
        raise StepUsageError(text.removeprefix("mockbdd: ")) from None


def _split_location(location: str) -> tuple[str | None, int | None]:
    file, _, line = location.rpartition(":")
    if file and line.isdigit():
        return file, int(line)
    return location or None, None


def clear_requests(mocks: ScenarioMocks, service: str) -> None:
    """15: forget what this service received (other services' requests stay)."""
    check_service(service)
    mocks.admin.remove_requests({"method": "ANY", "urlPathPattern": service_regex(service)})


__all__ = [
    "CATCH_ALL_PRIORITY",
    "HANG_MS",
    "STEP_PRIORITY",
    "MockAssertionError",
    "ScenarioMocks",
    "StepSettings",
    "StepTable",
    "StepUsageError",
    "all_stubs_used",
    "clear_requests",
    "drops_connection",
    "malformed_response",
    "no_unexpected_requests",
    "not_received",
    "nth_request_json",
    "received_body",
    "received_count",
    "received_header",
    "received_in_order",
    "received_json",
    "received_no_header",
    "received_query",
    "respond_after",
    "respond_body",
    "respond_headers",
    "respond_in_order",
    "respond_json",
    "respond_status",
    "respond_times_then",
    "respond_when_matches",
    "switch_map",
    "times_out",
    "unavailable",
    "unmatched_get_status",
    "wait_received",
]
