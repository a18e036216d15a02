"""WireMock StubMapping JSON ⇄ domain objects. Decoding happens once, here, at the edge, with
the extensions of the server that decodes (``BUILTIN`` for callers that have no server)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from types import MappingProxyType
from typing import Any, ParamSpec, TypeVar

from pydantic import BaseModel, ValidationError

from mockbdd.domain.delays import DelayDistribution
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.frozen import freeze
from mockbdd.domain.listeners import SERVE_EVENT_LISTENERS, ListenerCall
from mockbdd.domain.responses import (
    ResponseDefinition,
    ResponseSequence,
    SequenceItem,
    WhenExhausted,
)
from mockbdd.domain.stubs import DEFAULT_PRIORITY, StubMapping
from mockbdd.extensions import Extensions
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.delay_codec import parse_delay
from mockbdd.wire.errors import registered, to_invalid_input
from mockbdd.wire.models import (
    ImportOptionsModel,
    RequestPatternModel,
    ResponseDefinitionModel,
    SequenceItemModel,
    StubMappingModel,
)
from mockbdd.wire.request_patterns import build_request_pattern, parse_request_pattern
from mockbdd.wire.responses import build_response, json_body_bytes

__all__ = [
    "json_body_bytes",
    "parse_delay_distribution",
    "parse_import_options",
    "parse_mappings_document",
    "parse_request_pattern",
    "parse_stub_mapping",
    "stub_to_json",
]


def parse_stub_mapping(
    obj: Any, pointer: str = "", *, extensions: Extensions = BUILTIN
) -> StubMapping:
    """Decode one StubMapping with the operators, delay types, faults, transformers and custom
    matchers of ``extensions`` (a server passes its own); raises ``InvalidInput`` naming the
    field and the reason."""
    if not isinstance(obj, dict):
        raise InvalidInput(pointer, "a mapping must be a JSON object")
    try:
        model = StubMappingModel.model_validate(obj)
    except ValidationError as exc:
        shape = to_invalid_input(exc, StubMappingModel, pointer).all()
        raise InvalidInput.of([*shape, *_part_problems(obj, pointer, shape, extensions)]) from None
    problems: list[InvalidInput] = []
    for key in ("id", "uuid"):
        _collect(problems, _check_uuid, getattr(model, key), f"{pointer}/{key}")
    stub_id = model.id or model.uuid or str(uuid.uuid4())
    if model.id and model.uuid and model.id != model.uuid:
        problems.append(InvalidInput(f"{pointer}/uuid", "'id' and 'uuid' differ; give one of them"))
    answers = [f for f in ("response", "responses", "webSocket") if getattr(model, f) is not None]
    if len(answers) != 1:
        problems.append(
            InvalidInput(
                pointer or "/", "give exactly one of 'response', 'responses' or 'webSocket'"
            )
        )
    if model.whenExhausted is not None and model.responses is None:
        problems.append(InvalidInput(f"{pointer}/whenExhausted", "only allowed with 'responses'"))
    for key in ("requiredScenarioState", "newScenarioState"):
        if getattr(model, key) is not None and model.scenarioName is None:
            problems.append(InvalidInput(f"{pointer}/{key}", "needs 'scenarioName'"))
    request = _collect(
        problems, build_request_pattern, model.request, f"{pointer}/request", extensions
    )
    response: ResponseDefinition | ResponseSequence | None = None
    if model.webSocket is not None:  # the upgrade is accepted; the script plays per connection
        # imported with the first webSocket stub (idle RSS: its domain is 18 classes)
        from mockbdd.wire.websockets import build_websocket

        script = _collect(
            problems, build_websocket, model.webSocket, f"{pointer}/webSocket", extensions
        )
        response = None if script is None else ResponseDefinition(status=101, websocket=script)
    elif model.response is not None:
        response = _collect(
            problems, build_response, model.response, f"{pointer}/response", extensions
        )
    elif model.responses is not None:
        items = [
            _collect(problems, build_response, item, f"{pointer}/responses/{i}", extensions)
            for i, item in enumerate(model.responses)
        ]
        response = ResponseSequence(
            tuple(
                SequenceItem(r, item.times)
                for r, item in zip(items, model.responses, strict=True)
                if r
            ),
            WhenExhausted(model.whenExhausted or "repeatLast"),
        )
    listeners = _collect(problems, _listeners, model, pointer, extensions)
    if problems:
        raise InvalidInput.of(problems)
    assert request is not None
    assert response is not None
    assert listeners is not None
    source = dict(obj)
    source.pop("uuid", None)
    source["id"] = stub_id
    source["uuid"] = stub_id
    # the defaults spelled out, as real WireMock 3.13.2 answers a stub: clients read them
    source["request"] = {"method": "ANY", **(obj.get("request") or {})}
    if model.response is not None:
        source["response"] = {"status": 200, **obj["response"]}
    return StubMapping(
        id=stub_id,
        request=request,
        response=response,
        source=MappingProxyType(source),
        priority=DEFAULT_PRIORITY if model.priority is None else model.priority,
        name=model.name,
        scenario_name=model.scenarioName,
        required_scenario_state=model.requiredScenarioState,
        new_scenario_state=model.newScenarioState,
        metadata=model.metadata,
        persistent=bool(model.persistent),
        listeners=listeners,
    )


def _listeners(
    model: StubMappingModel, pointer: str, extensions: Extensions
) -> tuple[ListenerCall, ...]:
    """``serveEventListeners`` then ``postServeActions`` (list or WireMock 2's object form),
    each by a registered name with parameters its listener accepts."""
    entries: list[tuple[str, str, dict[str, Any]]] = []
    for i, item in enumerate(model.serveEventListeners or ()):
        entries.append((f"{pointer}/serveEventListeners/{i}", item.name, item.parameters or {}))
    actions = model.postServeActions
    if isinstance(actions, dict):
        for name, parameters in actions.items():
            entries.append((f"{pointer}/postServeActions/{name}", name, parameters))
    else:
        for i, item in enumerate(actions or ()):
            entries.append((f"{pointer}/postServeActions/{i}", item.name, item.parameters or {}))
    calls: list[ListenerCall] = []
    for at, name, parameters in entries:
        where = at if at.rsplit("/", 1)[-1] == name else f"{at}/name"
        listener = registered(extensions, SERVE_EVENT_LISTENERS, name, where)
        frozen = freeze(parameters)
        try:
            listener.check(frozen)
        except ValueError as exc:
            field, _, reason = str(exc).partition(": ")
            if field.startswith("/") and reason:
                raise InvalidInput(f"{at}/parameters{field}", reason) from None
            raise InvalidInput(f"{at}/parameters", str(exc)) from None
        calls.append(ListenerCall(name, frozen))
    return tuple(calls)


T = TypeVar("T")
P = ParamSpec("P")


def _collect(
    problems: list[InvalidInput], build: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T | None:
    """``build(...)``, or None with its error added to ``problems`` (so one run reports all)."""
    try:
        return build(*args, **kwargs)
    except InvalidInput as exc:
        problems.append(exc)
        return None


def _part_problems(
    obj: dict[str, Any], pointer: str, found: Sequence[InvalidInput], extensions: Extensions
) -> list[InvalidInput]:
    """The problems of the request and responses that the shape check did not already flag
    (an unknown fault next to a bad status): each part decoded on its own."""
    parts: list[tuple[str, Any, type[BaseModel], Callable[..., Any]]] = [
        ("request", obj.get("request"), RequestPatternModel, build_request_pattern),
        ("response", obj.get("response"), ResponseDefinitionModel, build_response),
    ]
    if isinstance(obj.get("responses"), list):
        parts += [
            (f"responses/{i}", item, SequenceItemModel, build_response)
            for i, item in enumerate(obj["responses"])
        ]
    problems: list[InvalidInput] = []
    for part, value, model, build in parts:
        where = f"{pointer}/{part}"
        if value is None or any(f.pointer.startswith(where) for f in found):
            continue
        try:
            build(model.model_validate(value), where, extensions)
        except ValidationError:
            continue  # not reached: a shape problem of the part is in ``found``
        except InvalidInput as exc:
            problems += exc.all()
    return problems


def _check_uuid(value: str | None, pointer: str) -> None:
    """WireMock's stub ids are UUIDs (``8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7``); it refuses any
    other id, and so does mockbdd, so a mapping that loads here loads into WireMock too."""
    if value is None:
        return
    try:
        valid = value.count("-") == 4 and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        valid = False
    if not valid:
        raise InvalidInput(
            pointer,
            f"{value!r} is not a UUID: give one like '8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7', "
            "or leave it out and the server assigns one (a 'name' can be any text)",
        )


def stub_to_json(stub: StubMapping) -> dict[str, Any]:
    return dict(stub.source)


def parse_mappings_document(obj: Any, *, extensions: Extensions = BUILTIN) -> list[StubMapping]:
    """One mapping, or ``{"mappings": [...]}``: all valid, or ``InvalidInput`` and nothing."""
    if isinstance(obj, dict) and "mappings" in obj and "request" not in obj:
        items = obj["mappings"]
        if not isinstance(items, list):
            raise InvalidInput("/mappings", "must be a list of mappings")
        return [
            parse_stub_mapping(item, f"/mappings/{i}", extensions=extensions)
            for i, item in enumerate(items)
        ]
    return [parse_stub_mapping(obj, extensions=extensions)]


def parse_import_options(obj: Any, pointer: str = "/importOptions") -> ImportOptionsModel:
    """``importOptions`` of ``POST /mappings/import``; absent or null means the defaults."""
    if obj is None:
        return ImportOptionsModel()
    if not isinstance(obj, dict):
        raise InvalidInput(pointer, "must be an object")
    try:
        return ImportOptionsModel.model_validate(obj)
    except ValidationError as exc:
        raise to_invalid_input(exc, ImportOptionsModel, pointer) from None


def parse_delay_distribution(
    obj: Any, pointer: str, *, extensions: Extensions = BUILTIN
) -> DelayDistribution:
    """A ``delayDistribution`` on its own (global settings)."""
    return parse_delay(obj, pointer, extensions=extensions)
