"""Tag-map stubs: shorthand checks at load time, normalisation to WireMock StubMapping JSON,
service prefixes and routes at resolve time."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockbdd.services import MappingUrlError, prefix_mapping
from mockbdd.tagmaps.errors import TagMapError
from mockbdd.tagmaps.params import PLACEHOLDER_RE, ParamDef, parse_duration
from mockbdd.tagmaps.yaml_lines import DataPath, LineIndex
from mockbdd.wire.models import StubMappingModel

# what a tag-map stub may have: a WireMock StubMapping's fields, as the server decodes them
STUB_KEYS = tuple(StubMappingModel.model_fields)
URL_FIELDS = ("url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate")
_BODY_FIELDS = ("body", "jsonBody", "base64Body", "bodyFileName", "jsonBodyFromSchema")
# shorthand → WireMock field; also used to find the YAML line of a normalised field
REQUEST_ALIASES = {"path": "urlPath"}
RESPONSE_ALIASES = {"json": "jsonBody", "delay": "fixedDelayMilliseconds"}
# shorthand → the built-in transformer it names; its value is the transformerParameters
TRANSFORMER_SHORTHANDS = {
    "openaiChat": "openai-chat",
    "openaiEmbeddings": "openai-embeddings",
    "openaiModels": "openai-models",
    "anthropicMessages": "anthropic-messages",
}
_REVERSE_ALIASES = {v: k for k, v in {**REQUEST_ALIASES, **RESPONSE_ALIASES}.items()}
SERVICE_RE = re.compile(r"[A-Za-z0-9_.-]+\Z")


class StubError(ValueError):
    """A stub problem found after parameters were substituted: a JSON pointer and the reason."""

    def __init__(self, pointer: str, reason: str) -> None:
        super().__init__(f"{pointer}: {reason}")
        self.pointer = pointer
        self.reason = reason


@dataclass(frozen=True, order=True)
class Route:
    """What "the same route" means for precedence: service, method and URL field value."""

    service: str
    method: str
    field: str
    value: str

    def describe(self) -> str:
        if not self.field:
            target = "every path"
        elif self.field in ("url", "urlPath"):
            target = self.value
        else:
            target = f"{self.field} {self.value}"
        return f"{self.method} {target} on service {self.service!r}"


# ---------------------------------------------------------------- load time (with lines)


def check_stub(
    stub: Mapping[str, Any], path: DataPath, index: LineIndex, params: Mapping[str, ParamDef]
) -> list[TagMapError]:
    """Shape checks that need the YAML line: unknown keys, shorthand clashes, ``delay`` values."""
    errors: list[TagMapError] = []
    for key in stub:
        if key not in STUB_KEYS:
            import difflib  # only when a close name is wanted (idle RSS)

            close = difflib.get_close_matches(str(key), STUB_KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            errors.append(index.error((*path, str(key)), f"unknown stub key {key!r}{hint}"))
    request = stub.get("request")
    if request is not None:
        if isinstance(request, dict):
            errors += _check_request(request, (*path, "request"), index)
        else:
            errors.append(index.error((*path, "request"), "'request' must be a mapping"))
    if "response" in stub and "responses" in stub:
        errors.append(
            index.error((*path, "responses"), "use either 'response' or 'responses', not both")
        )
    if "whenExhausted" in stub and "responses" not in stub:
        errors.append(index.error((*path, "whenExhausted"), "'whenExhausted' needs 'responses'"))
    if "response" in stub:
        errors += _check_response(stub["response"], (*path, "response"), index, params)
    if "responses" in stub:
        errors += _check_responses(stub["responses"], (*path, "responses"), index, params)
    return errors


def _check_request(
    request: Mapping[str, Any], path: DataPath, index: LineIndex
) -> list[TagMapError]:
    fields = [f for f in ("path", *URL_FIELDS) if f in request]
    if len(fields) > 1:
        return [index.error((*path, fields[1]), f"use only one of {', '.join(fields)}")]
    return []


def _check_responses(
    items: Any, path: DataPath, index: LineIndex, params: Mapping[str, ParamDef]
) -> list[TagMapError]:
    if not isinstance(items, list):
        return [index.error(path, "'responses' must be a list")]
    if not items:
        return [index.error(path, "'responses' must not be empty")]
    errors: list[TagMapError] = []
    for i, item in enumerate(items):
        errors += _check_response(item, (*path, str(i)), index, params)
    return errors


def _check_response(
    response: Any, path: DataPath, index: LineIndex, params: Mapping[str, ParamDef]
) -> list[TagMapError]:
    """Every shape problem of one response (not only the first), each at its key's line."""
    what = f"'{path[-2]}[{path[-1]}]'" if path[-1].isdigit() else f"'{path[-1]}'"
    if not isinstance(response, dict):
        return [index.error(path, f"{what} must be a mapping")]
    errors: list[TagMapError] = []
    bodies = [f for f in ("json", *_BODY_FIELDS) if f in response]
    if len(bodies) > 1:
        errors.append(index.error((*path, bodies[1]), f"use only one of {', '.join(bodies)}"))
    if "delay" in response and "fixedDelayMilliseconds" in response:
        detail = "use either 'delay' or 'fixedDelayMilliseconds'"
        errors.append(index.error((*path, "delay"), detail))
    shorthands = [k for k in TRANSFORMER_SHORTHANDS if k in response]
    clashing = [k for k in ("transformers", "transformerParameters") if k in response]
    if shorthands and (len(shorthands) > 1 or clashing):
        other = [*shorthands[1:], *clashing][0]
        detail = (
            f"use either {shorthands[0]!r} or {other!r}: {shorthands[0]!r} sets the "
            "transformers and their parameters itself"
        )
        errors.append(index.error((*path, other), detail))
    if shorthands and not isinstance(response[shorthands[0]], dict):
        key = shorthands[0]
        reason = f"{key!r} must be a mapping of the {TRANSFORMER_SHORTHANDS[key]} parameters"
        errors.append(index.error((*path, key), reason))
    for key in ("delay", "fixedDelayMilliseconds"):
        if key in response:
            problem = check_delay_value(response[key], params)
            if problem:
                errors.append(index.error((*path, key), f"{key!r}: {problem}"))
    return errors


def check_delay_value(value: Any, params: Mapping[str, ParamDef]) -> str:
    """'' when ``value`` is a valid delay (or a duration/int placeholder), else the reason."""
    if isinstance(value, str):
        whole = PLACEHOLDER_RE.fullmatch(value)
        if whole:
            param = params.get(whole.group(1))
            if param is None:
                known = ", ".join(params) or "none"
                return f"unknown parameter {value} (declared: {known})"
            if param.type == "str":
                return f"parameter {whole.group(1)!r} must have type duration or int, not str"
            return ""
        if PLACEHOLDER_RE.search(value):
            return ""  # e.g. "{ms}ms": checked once substituted
    try:
        parse_duration(value)
    except ValueError as exc:
        return str(exc)
    return ""


# ---------------------------------------------------------------- resolve time (pure)


def normalise_stub(stub: Mapping[str, Any]) -> dict[str, Any]:
    """Shorthands → WireMock fields: ``path``→``urlPath``, ``json``→``jsonBody``,
    ``delay``→``fixedDelayMilliseconds`` (ms), ``method`` defaults to ``ANY``."""
    out = dict(stub)
    request = dict(out.get("request") or {})
    for short, full in REQUEST_ALIASES.items():
        if short in request:
            request[full] = request.pop(short)
    request.setdefault("method", "ANY")
    out["request"] = request
    if isinstance(out.get("response"), dict):
        out["response"] = _normalise_response(out["response"], "/response")
    if isinstance(out.get("responses"), list):
        out["responses"] = [
            _normalise_response(item, f"/responses/{i}") if isinstance(item, dict) else item
            for i, item in enumerate(out["responses"])
        ]
    return out


def _normalise_response(response: Mapping[str, Any], pointer: str) -> dict[str, Any]:
    out = dict(response)
    if "json" in out:
        out["jsonBody"] = out.pop("json")
    for key in ("delay", "fixedDelayMilliseconds"):
        if key in out and isinstance(out[key], str):
            try:
                out[key] = parse_duration(out[key])
            except ValueError as exc:
                raise StubError(f"{pointer}/{key}", str(exc)) from None
    if "delay" in out:
        out["fixedDelayMilliseconds"] = parse_duration(out.pop("delay"))
    for short, transformer in TRANSFORMER_SHORTHANDS.items():
        if short in out:
            out["transformers"] = [transformer]
            out["transformerParameters"] = out.pop(short)
    return out


def route_of(service: str, stub: Mapping[str, Any]) -> Route:
    """The route of a normalised stub (before the service prefix is added)."""
    request = stub.get("request") or {}
    method = str(request.get("method", "ANY")).upper()
    for field in URL_FIELDS:
        if field in request:
            return Route(service, method, field, str(request[field]))
    return Route(service, method, "", "")


def prefix_service(stub: Mapping[str, Any], service: str) -> dict[str, Any]:
    """Put the stub under ``/<service>`` (:func:`mockbdd.services.prefix_mapping`, the
    one implementation), with its errors as :class:`StubError` for the map's file and line."""
    try:
        return prefix_mapping(stub, service)
    except MappingUrlError as exc:
        raise StubError(exc.pointer, exc.reason) from None
    except ValueError as exc:  # an invalid service name (tag-map loading already refuses it)
        raise StubError("", str(exc)) from None


def source_path(stub_path: DataPath, pointer: str, source: Any) -> DataPath:
    """The YAML data path of a JSON pointer into the normalised stub (shorthand names mapped
    back), as far as the source has it."""
    path = list(stub_path)
    current = source
    for raw in (p for p in pointer.split("/") if p):
        step = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, Mapping):
            key = step if step in current else _REVERSE_ALIASES.get(step, step)
            if key not in current:
                break
            current = current[key]
        elif isinstance(current, list) and step.isdigit() and int(step) < len(current):
            key = step
            current = current[int(step)]
        else:
            break
        path.append(key)
    return tuple(path)


def service_problem(service: str) -> str:
    if not SERVICE_RE.match(service) or service in (".", ".."):
        return f"service name {service!r} must match [A-Za-z0-9_.-]+ (it becomes a URL prefix)"
    return ""
