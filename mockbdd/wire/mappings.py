"""WireMock StubMapping JSON ⇄ domain objects. Decoding happens once, here, at the edge."""

from __future__ import annotations

import base64
import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from mockbdd.domain.delays import DelayDistribution, FixedDelay, LogNormalDelay, UniformDelay
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.faults import Fault
from mockbdd.domain.patterns import MultiValuePattern
from mockbdd.domain.patterns_multi import CookiePattern
from mockbdd.domain.patterns_regex import compile_java_regex
from mockbdd.domain.request_pattern import GET_OR_HEAD, BasicAuth, RequestPattern
from mockbdd.domain.responses import (
    ChunkedDribbleDelay,
    ResponseDefinition,
    ResponseSequence,
    SequenceItem,
    WhenExhausted,
)
from mockbdd.domain.stubs import DEFAULT_PRIORITY, StubMapping
from mockbdd.domain.urls import (
    AnyUrl,
    UrlEqualTo,
    UrlMatcher,
    UrlPathEqualTo,
    UrlPathTemplate,
    UrlRegex,
)
from mockbdd.wire.errors import pointer_of, to_invalid_input
from mockbdd.wire.models import (
    FixedDistribution,
    ImportOptionsModel,
    LogNormalDistribution,
    RequestPatternModel,
    ResponseDefinitionModel,
    StubMappingModel,
    UniformDistribution,
)
from mockbdd.wire.patterns import parse_content_pattern, parse_multi_value_pattern

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 field-name
_FORBIDDEN_IN_VALUE = re.compile(r"[\r\n\x00]")
_URL_FIELDS = ("url", "urlPattern", "urlPath", "urlPathPattern", "urlPathTemplate")
_BODY_FIELDS = ("body", "jsonBody", "base64Body", "bodyFileName")


def parse_stub_mapping(obj: Any, pointer: str = "") -> StubMapping:
    """Decode one StubMapping; raises ``InvalidInput`` naming the field and the reason."""
    if not isinstance(obj, dict):
        raise InvalidInput(pointer, "a mapping must be a JSON object")
    try:
        model = StubMappingModel.model_validate(obj)
    except ValidationError as exc:
        raise to_invalid_input(exc, StubMappingModel, pointer) from None
    stub_id = model.id or model.uuid or str(uuid.uuid4())
    if model.id and model.uuid and model.id != model.uuid:
        raise InvalidInput(f"{pointer}/uuid", "'id' and 'uuid' differ; give one of them")
    if (model.response is None) == (model.responses is None):
        raise InvalidInput(pointer or "/", "give exactly one of 'response' or 'responses'")
    if model.whenExhausted is not None and model.responses is None:
        raise InvalidInput(f"{pointer}/whenExhausted", "only allowed with 'responses'")
    if model.requiredScenarioState is not None and model.scenarioName is None:
        raise InvalidInput(f"{pointer}/requiredScenarioState", "needs 'scenarioName'")
    if model.newScenarioState is not None and model.scenarioName is None:
        raise InvalidInput(f"{pointer}/newScenarioState", "needs 'scenarioName'")
    request = build_request_pattern(model.request, f"{pointer}/request")
    response: ResponseDefinition | ResponseSequence
    if model.response is not None:
        response = build_response(model.response, f"{pointer}/response")
    else:
        assert model.responses is not None
        items = tuple(
            SequenceItem(build_response(item, f"{pointer}/responses/{i}"), item.times)
            for i, item in enumerate(model.responses)
        )
        response = ResponseSequence(items, WhenExhausted(model.whenExhausted or "repeatLast"))
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
    )


def parse_request_pattern(obj: Any, pointer: str = "") -> RequestPattern:
    """Decode a request pattern as given to count/find/verify."""
    if not isinstance(obj, dict):
        raise InvalidInput(pointer, "a request pattern must be a JSON object")
    try:
        model = RequestPatternModel.model_validate(obj)
    except ValidationError as exc:
        raise to_invalid_input(exc, RequestPatternModel, pointer) from None
    return build_request_pattern(model, pointer)


def build_request_pattern(model: RequestPatternModel, pointer: str) -> RequestPattern:
    method = model.method.upper()
    if not method.replace("-", "").isalnum() and method != GET_OR_HEAD:
        raise InvalidInput(f"{pointer}/method", f"invalid HTTP method {model.method!r}")
    given = [f for f in _URL_FIELDS if getattr(model, f) is not None]
    if len(given) > 1:
        raise InvalidInput(
            f"{pointer}/{given[1]}", f"give only one URL field, got {' and '.join(given)}"
        )
    if model.pathParameters and model.urlPathTemplate is None:
        raise InvalidInput(f"{pointer}/pathParameters", "only allowed with 'urlPathTemplate'")
    url = _url_matcher(model, given[0] if given else None, pointer)
    headers = _multi(model.headers, f"{pointer}/headers")
    host = None
    if model.host is not None:
        host_json = {"equalTo": model.host} if isinstance(model.host, str) else model.host
        host = parse_content_pattern(host_json, f"{pointer}/host")
    basic = None
    if model.basicAuth is not None and model.basicAuthCredentials is not None:
        raise InvalidInput(
            f"{pointer}/basicAuth", "give one of 'basicAuth' or 'basicAuthCredentials'"
        )
    creds = model.basicAuthCredentials or model.basicAuth
    if creds is not None:
        token = base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode()
        basic = BasicAuth(creds.username, creds.password, f"Basic {token}")
    return RequestPattern(
        method=method,
        url=url,
        query_parameters=_multi(model.queryParameters, f"{pointer}/queryParameters"),
        headers=MappingProxyType({k.lower(): v for k, v in headers.items()}),
        cookies=MappingProxyType(
            {k: CookiePattern(p) for k, p in _multi(model.cookies, f"{pointer}/cookies").items()}
        ),
        form_parameters=_multi(model.formParameters, f"{pointer}/formParameters"),
        basic_auth=basic,
        body_patterns=tuple(
            parse_content_pattern(p, f"{pointer}/bodyPatterns/{i}")
            for i, p in enumerate(model.bodyPatterns or ())
        ),
        host=host,
        port=model.port,
        scheme=model.scheme,
        client_ip=(
            parse_content_pattern(model.clientIp, f"{pointer}/clientIp") if model.clientIp else None
        ),
        header_names=MappingProxyType({k.lower(): k for k in headers}),
    )


def _url_matcher(model: RequestPatternModel, field: str | None, pointer: str) -> UrlMatcher:
    if field is None:
        return AnyUrl()
    value: str = getattr(model, field)
    where = f"{pointer}/{field}"
    if field == "url":
        return UrlEqualTo(value)
    if field == "urlPath":
        return UrlPathEqualTo(value)
    if field == "urlPathTemplate":
        params = {
            name: parse_content_pattern(p, f"{pointer}/pathParameters/{name}")
            for name, p in (model.pathParameters or {}).items()
        }
        return UrlPathTemplate.build(value, params, where)
    return UrlRegex(value, field == "urlPathPattern", compile_java_regex(value, where))


def _multi(patterns: dict[str, Any] | None, pointer: str) -> Mapping[str, MultiValuePattern]:
    if not patterns:
        return MappingProxyType({})
    return MappingProxyType(
        {
            name: parse_multi_value_pattern(p, f"{pointer}/{_escape(name)}")
            for name, p in patterns.items()
        }
    )


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def build_response(model: ResponseDefinitionModel, pointer: str) -> ResponseDefinition:
    given = [
        f for f in _BODY_FIELDS if f in model.model_fields_set and getattr(model, f) is not None
    ]
    if len(given) > 1:
        raise InvalidInput(
            f"{pointer}/{given[1]}", f"give only one body field, got {' and '.join(given)}"
        )
    headers = _headers(model.headers, f"{pointer}/headers")
    if model.statusMessage is not None and _FORBIDDEN_IN_VALUE.search(model.statusMessage):
        raise InvalidInput(f"{pointer}/statusMessage", "cannot contain CR, LF or NUL")
    body = b""
    if model.body is not None:
        body = model.body.encode()
    elif "jsonBody" in model.model_fields_set and model.jsonBody is not None:
        body = json_body_bytes(model.jsonBody)
        if not any(n.lower() == "content-type" for n, _ in headers):
            headers.append(("Content-Type", "application/json"))
    elif model.base64Body is not None:
        try:
            body = base64.b64decode(model.base64Body, validate=True)
        except ValueError as exc:  # binascii.Error, or non-ASCII text
            raise InvalidInput(f"{pointer}/base64Body", f"not valid base64: {exc}") from None
    if model.bodyFileName is not None:
        _check_file_name(model.bodyFileName, f"{pointer}/bodyFileName")
    if model.transformers:
        raise InvalidInput(
            f"{pointer}/transformers",
            f"response transformers ({', '.join(model.transformers)}) are not supported by this "
            "mockbdd version yet; the stub would serve the raw template",
        )
    if model.proxyBaseUrl is not None:
        _check_proxy_base_url(model.proxyBaseUrl, f"{pointer}/proxyBaseUrl")
    proxy_headers = _headers(
        model.additionalProxyRequestHeaders, f"{pointer}/additionalProxyRequestHeaders"
    )
    delay: DelayDistribution | None = None
    if model.fixedDelayMilliseconds is not None:
        delay = FixedDelay(model.fixedDelayMilliseconds)
    if model.delayDistribution is not None:
        if delay is not None:
            raise InvalidInput(
                f"{pointer}/delayDistribution",
                "give either fixedDelayMilliseconds or delayDistribution",
            )
        delay = build_delay(model.delayDistribution, f"{pointer}/delayDistribution")
    dribble = None
    if model.chunkedDribbleDelay is not None:
        d = model.chunkedDribbleDelay
        dribble = ChunkedDribbleDelay(d.numberOfChunks, d.totalDuration)
    return ResponseDefinition(
        status=model.status,
        status_message=model.statusMessage,
        headers=tuple(headers),
        body=body,
        body_file_name=model.bodyFileName,
        delay=delay,
        chunked_dribble_delay=dribble,
        fault=Fault(model.fault) if model.fault else None,
        proxy_base_url=model.proxyBaseUrl,
        additional_proxy_request_headers=tuple(proxy_headers),
        remove_proxy_request_headers=tuple(
            h.lower() for h in model.removeProxyRequestHeaders or ()
        ),
        proxy_url_prefix_to_remove=model.proxyUrlPrefixToRemove,
        transformers=tuple(model.transformers or ()),
    )


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def json_body_bytes(value: Any) -> bytes:
    """``jsonBody`` as real WireMock 3.13.2 (Jackson) writes it: compact, UTF-8, characters
    beyond the BMP as ``\\uD834\\uDD1E`` escapes, and fractional numbers in plain decimal
    notation (``1e20`` as ``100000000000000000000``, ``1e-7`` as ``0.0000001``, ``-0.0`` as
    ``0.0``); same values, same bytes. Done once, when the mapping is read."""
    text = _ASTRAL.sub(_surrogate_escape, "".join(_json_parts(value)))
    return text.encode()


def _json_parts(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            yield ("," if i else "") + json.dumps(str(key), ensure_ascii=False) + ":"
            yield from _json_parts(item)
        yield "}"
    elif isinstance(value, list):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ","
            yield from _json_parts(item)
        yield "]"
    elif isinstance(value, float) and math.isfinite(value):
        yield _plain_decimal(value)
    else:
        yield json.dumps(value, ensure_ascii=False)


def _plain_decimal(number: float) -> str:
    if number == 0:
        return "0.0"
    text = repr(number)
    if "e" not in text:
        return text
    return format(Decimal(text), "f")


def _surrogate_escape(match: re.Match[str]) -> str:
    code = ord(match.group()) - 0x10000
    return f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}"


def build_delay(
    model: FixedDistribution | UniformDistribution | LogNormalDistribution, pointer: str
) -> DelayDistribution:
    if isinstance(model, FixedDistribution):
        return FixedDelay(model.milliseconds)
    if isinstance(model, UniformDistribution):
        if model.lower > model.upper:
            raise InvalidInput(f"{pointer}/lower", "must not be greater than 'upper'")
        return UniformDelay(model.lower, model.upper)
    return LogNormalDelay(model.median, model.sigma, model.maxValue)


def _headers(given: Mapping[str, str | list[str]] | None, pointer: str) -> list[tuple[str, str]]:
    """Header pairs, refused unless every name is a token and no value holds CR, LF or NUL."""
    headers: list[tuple[str, str]] = []
    for name, value in (given or {}).items():
        if not _TOKEN.fullmatch(name):
            raise InvalidInput(pointer, f"{name!r} is not a valid header name")
        values: Iterable[str] = [value] if isinstance(value, str) else value
        for v in values:
            if _FORBIDDEN_IN_VALUE.search(v):
                raise InvalidInput(
                    f"{pointer}/{_escape(name)}", "header values cannot contain CR, LF or NUL"
                )
            headers.append((name, v))
    return headers


def _check_proxy_base_url(url: str, pointer: str) -> None:
    reason = "must be an absolute http:// or https:// URL with a host"
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a port that is not a number in range
    except ValueError as exc:
        raise InvalidInput(pointer, f"{reason}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(pointer, reason)
    if not url.isprintable() or any(c.isspace() for c in url):
        # checked on the raw text: urlsplit silently drops tabs and newlines
        raise InvalidInput(pointer, f"{reason}, without whitespace or control characters")


def _check_file_name(name: str, pointer: str) -> None:
    if "\x00" in name:
        raise InvalidInput(pointer, "a file name cannot contain NUL")
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
        raise InvalidInput(pointer, f"{name!r} escapes the files root: give a path inside it")


def stub_to_json(stub: StubMapping) -> dict[str, Any]:
    return dict(stub.source)


def parse_mappings_document(obj: Any) -> list[StubMapping]:
    """One mapping, or ``{"mappings": [...]}``: all valid, or ``InvalidInput`` and nothing."""
    if isinstance(obj, dict) and "mappings" in obj and "request" not in obj:
        items = obj["mappings"]
        if not isinstance(items, list):
            raise InvalidInput("/mappings", "must be a list of mappings")
        return [parse_stub_mapping(item, f"/mappings/{i}") for i, item in enumerate(items)]
    return [parse_stub_mapping(obj)]


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


def parse_delay_distribution(obj: Any, pointer: str) -> DelayDistribution:
    """A ``delayDistribution`` on its own (global settings), validated by the response model's
    schema rather than a schema of its own (pydantic schemas cost memory)."""
    if not isinstance(obj, dict):
        raise InvalidInput(pointer, "must be an object with a 'type'")
    try:
        model = ResponseDefinitionModel.model_validate({"delayDistribution": obj})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise InvalidInput(pointer_of(err["loc"][1:], pointer), str(err["msg"])) from None
    assert model.delayDistribution is not None
    return build_delay(model.delayDistribution, pointer)
