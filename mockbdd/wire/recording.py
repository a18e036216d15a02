"""WireMock's record and snapshot (``RecordSpec``): the options, and the stub mappings made of
serve events, in WireMock's shape, so that recorded files load back with ``--mappings`` and
answer as the upstream did.

Options: ``targetBaseUrl`` (start only), ``filters`` (a request pattern plus ``ids`` and
``allowNonProxied``), ``captureHeaders`` (``{"Accept": {}, "X": {"caseInsensitive": true}}``),
``requestBodyPattern`` (``matcher``: ``auto``, ``equalTo``, ``equalToJson``, ``equalToXml``,
with ``ignoreArrayOrder``, ``ignoreExtraElements``, ``caseInsensitive``),
``extractBodyCriteria`` (``textSizeThreshold``, ``binarySizeThreshold``: ``"2 kb"``, ``1024``),
``persist`` (default true), ``repeatsAsScenarios`` (default true), ``transformers``,
``transformerParameters``, ``outputFormat`` (``FULL`` or ``IDS``).
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import uuid
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.request_pattern import RequestPattern
from mockbdd.extensions import Extensions
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.request_patterns import parse_request_pattern

SPEC_FIELDS = (
    "targetBaseUrl",
    "filters",
    "captureHeaders",
    "requestBodyPattern",
    "extractBodyCriteria",
    "persist",
    "repeatsAsScenarios",
    "transformers",
    "transformerParameters",
    "outputFormat",
)
MATCHERS = ("auto", "equalTo", "equalToJson", "equalToXml")
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?b?)?\s*\Z", re.IGNORECASE)
_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
}
# response headers a recorded stub must not replay: the transport sets them, or they describe
# an encoding the recorded (decoded) body no longer has
_DROPPED = frozenset(
    {
        "content-length",
        "transfer-encoding",
        "connection",
        "content-encoding",
        "matched-stub-id",
        "matched-stub-name",
        "date",
        "keep-alive",
    }
)
_TEXT_TYPES = ("text/", "json", "xml", "javascript", "x-www-form-urlencoded", "yaml", "csv")


@dataclass(frozen=True, slots=True)
class BodyPattern:
    matcher: str = "auto"
    ignore_array_order: bool = True
    ignore_extra_elements: bool = True
    case_insensitive: bool = False


@dataclass(frozen=True, slots=True)
class RecordSpec:
    target: str | None = None
    filters: RequestPattern | None = None
    ids: frozenset[str] | None = None
    allow_non_proxied: bool = False
    capture_headers: tuple[tuple[str, bool], ...] = ()  # (name, caseInsensitive)
    body_pattern: BodyPattern = field(default_factory=BodyPattern)
    text_threshold: int | None = None  # bytes over which a text body goes to a file
    binary_threshold: int | None = None
    persist: bool = True
    repeats_as_scenarios: bool = True
    transformers: tuple[str, ...] = ()
    transformer_parameters: Mapping[str, Any] | None = None
    ids_only: bool = False


def parse_record_spec(obj: Any, *, start: bool, extensions: Extensions = BUILTIN) -> RecordSpec:
    """The options of ``/recordings/start`` (``start``: ``targetBaseUrl`` required) or
    ``/recordings/snapshot``; ``InvalidInput`` naming the field."""
    if obj is None:
        obj = {}
    if not isinstance(obj, dict):
        raise InvalidInput("", "the record spec must be a JSON object")
    unknown = sorted(set(obj) - set(SPEC_FIELDS))
    if unknown:
        raise InvalidInput(f"/{unknown[0]}", f"unknown field (known: {', '.join(SPEC_FIELDS)})")
    target = obj.get("targetBaseUrl")
    if start and (not isinstance(target, str) or not re.match(r"https?://[^/?#]+", target)):
        raise InvalidInput(
            "/targetBaseUrl", "required: the URL to record from, http(s)://host[:port]"
        )
    if not start and target is not None:
        raise InvalidInput("/targetBaseUrl", "a snapshot records from the journal: no target")
    filters, ids, allow = _filters(obj.get("filters"), extensions)
    thresholds = _extract(obj.get("extractBodyCriteria"))
    transformers = obj.get("transformers", [])
    if not isinstance(transformers, list) or not all(isinstance(t, str) for t in transformers):
        raise InvalidInput("/transformers", "must be a list of transformer names")
    parameters = obj.get("transformerParameters")
    if parameters is not None and not isinstance(parameters, dict):
        raise InvalidInput("/transformerParameters", "must be an object")
    output = obj.get("outputFormat", "FULL")
    if output not in ("FULL", "IDS"):
        raise InvalidInput("/outputFormat", "must be FULL or IDS")
    return RecordSpec(
        target=target.rstrip("/") if isinstance(target, str) else None,
        filters=filters,
        ids=ids,
        allow_non_proxied=allow,
        capture_headers=_capture(obj.get("captureHeaders")),
        body_pattern=_body_pattern(obj.get("requestBodyPattern")),
        text_threshold=thresholds[0],
        binary_threshold=thresholds[1],
        persist=_flag(obj, "persist", True),
        repeats_as_scenarios=_flag(obj, "repeatsAsScenarios", True),
        transformers=tuple(transformers),
        transformer_parameters=parameters,
        ids_only=output == "IDS",
    )


def _flag(obj: Mapping[str, Any], name: str, default: bool) -> bool:
    value = obj.get(name, default)
    if not isinstance(value, bool):
        raise InvalidInput(f"/{name}", "must be true or false")
    return value


def _filters(
    raw: Any, extensions: Extensions
) -> tuple[RequestPattern | None, frozenset[str] | None, bool]:
    if raw is None:
        return None, None, False
    if not isinstance(raw, dict):
        raise InvalidInput("/filters", "must be a request pattern, with ids and allowNonProxied")
    pattern = {k: v for k, v in raw.items() if k not in ("ids", "allowNonProxied")}
    ids = raw.get("ids")
    if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, str) for i in ids)):
        raise InvalidInput("/filters/ids", "must be a list of serve event ids")
    allow = raw.get("allowNonProxied", False)
    if not isinstance(allow, bool):
        raise InvalidInput("/filters/allowNonProxied", "must be true or false")
    decoded = parse_request_pattern(pattern, "/filters", extensions=extensions) if pattern else None
    return decoded, None if ids is None else frozenset(ids), allow


def _capture(raw: Any) -> tuple[tuple[str, bool], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise InvalidInput(
            "/captureHeaders", 'must map header names to {} or {"caseInsensitive": true}'
        )
    out = []
    for name, options in raw.items():
        if not isinstance(options, dict) or set(options) - {"caseInsensitive"}:
            raise InvalidInput(f"/captureHeaders/{name}", 'must be {} or {"caseInsensitive": true}')
        insensitive = options.get("caseInsensitive", False)
        if not isinstance(insensitive, bool):
            raise InvalidInput(f"/captureHeaders/{name}/caseInsensitive", "must be true or false")
        out.append((str(name), insensitive))
    return tuple(out)


def _body_pattern(raw: Any) -> BodyPattern:
    if raw is None:
        return BodyPattern()
    known = ("matcher", "ignoreArrayOrder", "ignoreExtraElements", "caseInsensitive")
    if not isinstance(raw, dict):
        raise InvalidInput("/requestBodyPattern", f"must be an object ({', '.join(known)})")
    extra = sorted(set(raw) - set(known))
    if extra:
        raise InvalidInput(
            f"/requestBodyPattern/{extra[0]}", f"unknown field (known: {', '.join(known)})"
        )
    matcher = raw.get("matcher", "auto")
    if matcher not in MATCHERS:
        raise InvalidInput("/requestBodyPattern/matcher", f"must be one of {', '.join(MATCHERS)}")
    flags = {}
    for name in known[1:]:
        value = raw.get(name)
        if value is not None and not isinstance(value, bool):
            raise InvalidInput(f"/requestBodyPattern/{name}", "must be true or false")
        flags[name] = value
    return BodyPattern(
        matcher,
        True if flags["ignoreArrayOrder"] is None else flags["ignoreArrayOrder"],
        True if flags["ignoreExtraElements"] is None else flags["ignoreExtraElements"],
        bool(flags["caseInsensitive"]),
    )


def parse_size(value: Any, pointer: str) -> int:
    """``2048``, ``"2 kb"``, ``"1 Mb"`` → bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE.match(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidInput(pointer, f"{value!r} is not a size such as 2048, '2 kb' or '1 Mb'")
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "").lower()])


def _extract(raw: Any) -> tuple[int | None, int | None]:
    if raw is None:
        return None, None
    if not isinstance(raw, dict) or set(raw) - {"textSizeThreshold", "binarySizeThreshold"}:
        raise InvalidInput(
            "/extractBodyCriteria", "must be {textSizeThreshold?, binarySizeThreshold?}"
        )
    text = raw.get("textSizeThreshold")
    binary = raw.get("binarySizeThreshold")
    return (
        None if text is None else parse_size(text, "/extractBodyCriteria/textSizeThreshold"),
        None if binary is None else parse_size(binary, "/extractBodyCriteria/binarySizeThreshold"),
    )


# -- stubs made of serve events ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordedStub:
    """A stub mapping (JSON) and, when its body was extracted, the file to write."""

    mapping: dict[str, Any]
    body_file: tuple[str, bytes] | None = None


def selected(events: Iterable[ServeEvent], spec: RecordSpec) -> list[ServeEvent]:
    """The events a recording or snapshot turns into stubs, oldest first."""
    chosen = []
    for event in events:
        if spec.ids is not None and event.id not in spec.ids:
            continue
        proxied = event.stub is not None and _proxied(event)
        if not proxied and not spec.allow_non_proxied:
            continue
        if event.response.status == 0:  # a fault, or still in flight
            continue
        if spec.filters is not None and not spec.filters.matches(event.request):
            continue
        chosen.append(event)
    return chosen


def _proxied(event: ServeEvent) -> bool:
    stub = event.stub
    if stub is None:
        return False
    response = stub.response
    return getattr(response, "proxy_base_url", None) is not None


def stubs_of(events: Iterable[ServeEvent], spec: RecordSpec, extract: bool) -> list[RecordedStub]:
    """One stub per distinct request (method, URL, captured headers, body); repeats become a
    scenario in recorded order (``repeatsAsScenarios``) or are dropped. ``extract``: bodies
    over the thresholds go to files (``bodyFileName``)."""
    groups: dict[str, list[ServeEvent]] = {}
    for event in events:
        key = json.dumps(_request(event, spec), sort_keys=True)
        groups.setdefault(key, []).append(event)
    out: list[RecordedStub] = []
    scenarios = 0
    for group in groups.values():
        repeats = group if spec.repeats_as_scenarios else group[:1]
        name = stub_name(group[0])
        scenario = None
        if len(repeats) > 1:
            scenarios += 1
            scenario = f"scenario-{scenarios}-{name.replace('_', '-')}"
        for i, event in enumerate(repeats):
            recorded = _stub(event, spec, name, extract)
            if scenario is not None:
                mapping = recorded.mapping
                mapping["scenarioName"] = scenario
                mapping["requiredScenarioState"] = "Started" if i == 0 else f"{scenario}-{i + 1}"
                if i < len(repeats) - 1:
                    mapping["newScenarioState"] = f"{scenario}-{i + 2}"
            out.append(recorded)
    return out


def stub_name(event: ServeEvent) -> str:
    """WireMock's name for a recorded stub: the path's segments, joined by ``_``."""
    path = event.request.path
    words = [re.sub(r"[^A-Za-z0-9-]+", "", s) for s in path.split("/")]
    name = "_".join(w for w in words if w)[:150]
    return name or "root"


def _request(event: ServeEvent, spec: RecordSpec) -> dict[str, Any]:
    request = event.request
    pattern: dict[str, Any] = {"url": request.url or "/", "method": request.method}
    headers = {}
    for name, insensitive in spec.capture_headers:
        values = request.header(name)
        if values:
            matcher: dict[str, Any] = {"equalTo": values[0]}
            if insensitive:
                matcher["caseInsensitive"] = True
            headers[name] = matcher
    if headers:
        pattern["headers"] = headers
    raw = request.body.raw
    if raw:
        pattern["bodyPatterns"] = [_body_matcher(raw, request.header("content-type"), spec)]
    return pattern


def _body_matcher(raw: bytes, content_type: list[str] | None, spec: RecordSpec) -> dict[str, Any]:
    options = spec.body_pattern
    kind = (content_type or [""])[0].lower()
    matcher = options.matcher
    text = raw.decode("utf-8", errors="replace")
    if matcher == "auto":
        if "json" in kind and _is_json(text):
            matcher = "equalToJson"
        elif "xml" in kind:
            matcher = "equalToXml"
        else:
            matcher = "equalTo"
    if matcher == "equalToJson":
        return {
            "equalToJson": text,
            "ignoreArrayOrder": options.ignore_array_order,
            "ignoreExtraElements": options.ignore_extra_elements,
        }
    if matcher == "equalToXml":
        return {"equalToXml": text}
    found: dict[str, Any] = {"equalTo": text}
    if options.case_insensitive:
        found["caseInsensitive"] = True
    return found


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _decoded(headers: tuple[tuple[str, str], ...], body: bytes) -> bytes:
    encoding = next((v.lower() for k, v in headers if k.lower() == "content-encoding"), "")
    try:
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
    except (OSError, zlib.error, EOFError):
        return body
    return body


def _is_text(headers: tuple[tuple[str, str], ...], body: bytes) -> bool:
    kind = next((v.lower() for k, v in headers if k.lower() == "content-type"), "")
    if kind:
        return any(t in kind for t in _TEXT_TYPES)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _stub(event: ServeEvent, spec: RecordSpec, name: str, extract: bool) -> RecordedStub:
    record = event.response
    body = _decoded(record.headers, record.body)
    response: dict[str, Any] = {"status": record.status}
    text = _is_text(record.headers, body)
    ident = str(uuid.uuid4())
    threshold = spec.text_threshold if text else spec.binary_threshold
    body_file = None
    if body and extract and threshold is not None and len(body) > threshold:
        file_name = f"{name}-{ident}.{_extension(record.headers, text)}"
        response["bodyFileName"] = file_name
        body_file = (file_name, body)
    elif body and text:
        response["body"] = body.decode("utf-8", errors="replace")
    elif body:
        response["base64Body"] = base64.b64encode(body).decode("ascii")
    headers: dict[str, Any] = {}
    for key, value in record.headers:
        if key.lower() in _DROPPED:
            continue
        if key in headers:  # repeated: WireMock's list form
            previous = headers[key]
            headers[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            headers[key] = value
    if headers:
        response["headers"] = headers
    if spec.transformers:
        response["transformers"] = list(spec.transformers)
    if spec.transformer_parameters is not None:
        response["transformerParameters"] = dict(spec.transformer_parameters)
    mapping = {
        "id": ident,
        "name": name,
        "request": _request(event, spec),
        "response": response,
        "uuid": ident,
        "persistent": True,
    }
    return RecordedStub(mapping, body_file)


def _extension(headers: tuple[tuple[str, str], ...], text: bool) -> str:
    kind = next((v.lower() for k, v in headers if k.lower() == "content-type"), "")
    for needle, ext in (("json", "json"), ("xml", "xml"), ("html", "html"), ("javascript", "js")):
        if needle in kind:
            return ext
    return "txt" if text else "bin"
