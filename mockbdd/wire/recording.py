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
import unicodedata
import uuid
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import field
from typing import Any
from urllib.parse import unquote, unquote_plus
from xml.etree import ElementTree

from mockbdd.domain.errors import InvalidInput, unknown_field
from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.request_pattern import RequestPattern
from mockbdd.domain.responses import TRANSFORMERS
from mockbdd.extensions import Extensions
from mockbdd.records import record
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
        "keep-alive",
    }
)
# WireMock's TEXT_MIME_TYPE_PATTERNS: a body of any other type (or of none) is binary
_TEXT_TYPES = ("text", "json", "xml", "html", "yaml", "csv", "x-www-form-urlencoded")


@record
class BodyPattern:
    matcher: str = "auto"
    ignore_array_order: bool = True
    ignore_extra_elements: bool = True
    case_insensitive: bool = False


@record
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
        raise InvalidInput(f"/{unknown[0]}", unknown_field(unknown[0], SPEC_FIELDS))
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
    known = extensions.names(TRANSFORMERS)
    for i, name in enumerate(transformers):
        if name not in known:  # refused now: the recording would fail at stop, and be lost
            raise InvalidInput(
                f"/transformers/{i}",
                f"no response transformer named {name!r} (known: {', '.join(known)}); "
                "mockbdd gives the recorded stubs' responses these transformers",
            )
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
        raise InvalidInput(f"/requestBodyPattern/{extra[0]}", unknown_field(extra[0], known))
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
    """``2048``, ``"2 kb"``, ``"1 Mb"``, ``"1,5 KB"`` → bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE.match(value.replace(",", ".")) if isinstance(value, str) else None
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
    return (  # WireMock: a threshold not given is never reached
        None if text is None else parse_size(text, "/extractBodyCriteria/textSizeThreshold"),
        None if binary is None else parse_size(binary, "/extractBodyCriteria/binarySizeThreshold"),
    )


# -- stubs made of serve events ----------------------------------------------------------------


@record
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
    """One stub per serve event (``events`` oldest first), newest first as WireMock returns
    them. Events with the same request pattern (method, URL, captured headers, body) are
    repeats: with ``repeatsAsScenarios`` they become a scenario whose states follow the order
    they were served in (scenarios numbered from the most recent request), else only the
    newest is kept. ``extract``: bodies over the thresholds go to files (``bodyFileName``)."""
    newest_first = [(event, _request(event, spec)) for event in reversed(list(events))]
    groups: dict[str, list[int]] = {}  # pattern -> indexes in newest_first, newest first
    for i, (_, pattern) in enumerate(newest_first):
        groups.setdefault(json.dumps(pattern, sort_keys=True), []).append(i)
    kept = set(range(len(newest_first)))
    if not spec.repeats_as_scenarios:
        kept = {indexes[0] for indexes in groups.values()}
    out: dict[int, RecordedStub] = {}
    for i in sorted(kept):
        event, pattern = newest_first[i]
        out[i] = _stub(event, pattern, spec, extract)
    if spec.repeats_as_scenarios:
        number = 0
        for indexes in groups.values():
            if len(indexes) < 2:
                continue
            number += 1
            path = unquote(newest_first[indexes[0]][0].request.path)
            parts = "-".join(s for s in path.split("/") if s)
            scenario = f"scenario-{number}-{parts}"
            chronological = indexes[::-1]
            for state, i in enumerate(chronological, start=1):
                mapping = out[i].mapping
                mapping["scenarioName"] = scenario
                mapping["requiredScenarioState"] = (
                    "Started" if state == 1 else f"{scenario}-{state}"
                )
                if state < len(chronological):
                    mapping["newScenarioState"] = f"{scenario}-{state + 1}"
    return [out[i] for i in sorted(out)]


def stub_name(event: ServeEvent) -> str:
    """WireMock's name for a recorded stub (``SafeNames.makeSafeNameFromUrl``): the decoded
    path with ``/`` as ``_`` and spaces as ``-``, accents and every character but letters,
    digits, ``_``, ``-`` and ``.`` dropped, no ``_`` at either end, lower case, 200 at most."""
    name = re.sub(r"\s", "-", unquote(event.request.path).replace("/", "_"))
    name = unicodedata.normalize("NFD", name)
    name = re.sub(r"[^A-Za-z0-9_.-]", "", name).strip("_")
    return name[:200].lower()


def _request(event: ServeEvent, spec: RecordSpec) -> dict[str, Any]:
    request = event.request
    url = request.url or "/"
    path, mark, query = url.partition("?")
    pattern: dict[str, Any]
    if mark and query:  # WireMock: urlPath and each query parameter's values, decoded
        params: dict[str, list[dict[str, str]]] = {}
        for item in query.split("&"):
            key, _, value = item.partition("=")
            params.setdefault(unquote_plus(key), []).append({"equalTo": unquote_plus(value)})
        pattern = {
            "urlPath": path,
            "method": request.method,
            "queryParameters": {k: {"hasExactly": v} for k, v in params.items()},
        }
    else:
        pattern = {"url": url, "method": request.method}
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
    """WireMock's body pattern of a recorded request. ``auto``: JSON types get
    ``equalToJson``, XML types ``equalToXml``, multipart ``anything``, other non-text types
    ``binaryEqualTo``, the rest ``equalTo``; a body that is not JSON (XML) gets ``equalTo``."""
    options = spec.body_pattern
    kind = (content_type or [""])[0].split(";")[0].strip().lower()
    matcher = options.matcher
    text = raw.decode("utf-8", errors="replace")
    if matcher == "auto" and kind:
        if "json" in kind:
            matcher = "equalToJson" if _is_json(text) else "equalTo"
        elif "xml" in kind:
            matcher = "equalToXml"
        elif kind == "multipart/form-data":
            return {"anything": "anything"}
        elif "xml" not in kind and not _text_type(kind):
            return {"binaryEqualTo": base64.b64encode(raw).decode("ascii")}
    if matcher == "equalToJson":
        return {
            "equalToJson": text,
            "ignoreArrayOrder": options.ignore_array_order,
            "ignoreExtraElements": options.ignore_extra_elements,
        }
    if matcher == "equalToXml" and _is_xml(text):
        return {"equalToXml": text}
    return {"equalTo": text, "caseInsensitive": options.case_insensitive}


def _text_type(mime: str) -> bool:
    """WireMock's ``determineIsTextFromMimeType``."""
    return any(t in mime for t in _TEXT_TYPES)


def _is_xml(text: str) -> bool:
    from mockbdd.domain.xml_tree import XmlError, parse_xml

    try:
        parse_xml(text)
    except XmlError:
        return False
    return True


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


def _is_text(headers: tuple[tuple[str, str], ...]) -> bool:
    """As WireMock decides it: by the Content-Type alone (none: binary)."""
    kind = next((v.lower() for k, v in headers if k.lower() == "content-type"), "")
    return _text_type(kind.split(";")[0])


def _stub(
    event: ServeEvent, request: dict[str, Any], spec: RecordSpec, extract: bool
) -> RecordedStub:
    record = event.response
    body = _decoded(record.headers, record.body)
    response: dict[str, Any] = {"status": record.status}
    text = _is_text(record.headers)
    ident = str(uuid.uuid4())
    name = stub_name(event)
    threshold = spec.text_threshold if text else spec.binary_threshold
    body_file = None
    if body and extract and threshold is not None and len(body) > threshold:
        file_name = f"{name}-{ident}.{_extension(record.headers, event.request.path, body)}"
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
    mapping: dict[str, Any] = {
        "id": ident,
        "name": name,
        "request": request,
        "response": response,
        "uuid": ident,
    }
    if spec.persist:
        mapping["persistent"] = True
    return RecordedStub(mapping, body_file)


_COMMON_TYPES = {
    "image/jpeg": "jpeg",
    "image/gif": "gif",
    "image/tiff": "tiff",
    "image/png": "png",
    "image/x-icon": "ico",
    "image/svg+xml": "svg",
    "audio/x-aiff": "aiff",
    "video/x-ms-asf": "asf",
    "video/mpeg": "mp2",
    "audio/mpeg": "mp3",
    "video/quicktime": "mov",
    "application/pdf": "pdf",
}


def _extension(headers: tuple[tuple[str, str], ...], path: str, body: bytes) -> str:
    """WireMock's ``ContentTypes.determineFileExtension``: from the Content-Type, else the
    URL's last segment, else what the body parses as (JSON, XML, else text)."""
    kind = next((v.lower() for k, v in headers if k.lower() == "content-type"), "")
    kind = kind.split(";")[0].strip()
    if kind:
        for needle, ext in (("json", "json"), ("xml", "xml"), ("text", "txt")):
            if needle in kind:
                return ext
        if kind in _COMMON_TYPES:
            return _COMMON_TYPES[kind]
    last = path.rsplit("/", 1)[-1]
    if "." in last:
        return last.rsplit(".", 1)[-1]
    text = body.decode("utf-8", errors="replace")
    if _is_json(text):
        return "json"
    try:
        ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return "txt"
    return "xml"
