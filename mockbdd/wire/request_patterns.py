"""WireMock request pattern JSON → domain ``RequestPattern`` (stubs, count/find/verify)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from mockbdd.domain.custom_matchers import CUSTOM_MATCHERS, CustomMatch
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.frozen import freeze
from mockbdd.domain.patterns import MultiValuePattern
from mockbdd.domain.patterns_multi import CookiePattern
from mockbdd.domain.patterns_regex import compile_java_regex
from mockbdd.domain.request_pattern import GET_OR_HEAD, BasicAuth, RequestPattern
from mockbdd.domain.urls import (
    AnyUrl,
    UrlEqualTo,
    UrlMatcher,
    UrlPathEqualTo,
    UrlPathTemplate,
    UrlRegex,
)
from mockbdd.extensions import Extensions
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.errors import check_parameters, registered, to_invalid_input
from mockbdd.wire.models import URL_FIELDS, CustomMatcherModel, RequestPatternModel
from mockbdd.wire.patterns import parse_content_pattern, parse_multi_value_pattern


def parse_request_pattern(
    obj: Any, pointer: str = "", *, extensions: Extensions = BUILTIN
) -> RequestPattern:
    """Decode a request pattern as given to count/find/verify."""
    if not isinstance(obj, dict):
        raise InvalidInput(pointer, "a request pattern must be a JSON object")
    try:
        model = RequestPatternModel.model_validate(obj)
    except ValidationError as exc:
        raise to_invalid_input(exc, RequestPatternModel, pointer) from None
    return build_request_pattern(model, pointer, extensions)


def build_request_pattern(
    model: RequestPatternModel, pointer: str, extensions: Extensions
) -> RequestPattern:
    method = model.method.upper()
    if not method.replace("-", "").isalnum() and method != GET_OR_HEAD:
        raise InvalidInput(f"{pointer}/method", f"invalid HTTP method {model.method!r}")
    given = [f for f in URL_FIELDS if getattr(model, f) is not None]
    if len(given) > 1:
        raise InvalidInput(
            f"{pointer}/{given[1]}", f"give only one URL field, got {' and '.join(given)}"
        )
    if model.pathParameters and model.urlPathTemplate is None:
        raise InvalidInput(f"{pointer}/pathParameters", "only allowed with 'urlPathTemplate'")
    url = _url_matcher(model, given[0] if given else None, pointer, extensions)
    headers = _multi(model.headers, f"{pointer}/headers", extensions)
    host = None
    if model.host is not None:
        host_json = {"equalTo": model.host} if isinstance(model.host, str) else model.host
        host = parse_content_pattern(host_json, f"{pointer}/host", extensions=extensions)
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
        query_parameters=_multi(model.queryParameters, f"{pointer}/queryParameters", extensions),
        headers=MappingProxyType({k.lower(): v for k, v in headers.items()}),
        cookies=MappingProxyType(
            {
                k: CookiePattern(p)
                for k, p in _multi(model.cookies, f"{pointer}/cookies", extensions).items()
            }
        ),
        form_parameters=_multi(model.formParameters, f"{pointer}/formParameters", extensions),
        basic_auth=basic,
        body_patterns=tuple(
            parse_content_pattern(p, f"{pointer}/bodyPatterns/{i}", extensions=extensions)
            for i, p in enumerate(model.bodyPatterns or ())
        ),
        host=host,
        port=model.port,
        scheme=model.scheme,
        client_ip=(
            parse_content_pattern(model.clientIp, f"{pointer}/clientIp", extensions=extensions)
            if model.clientIp is not None
            else None
        ),
        header_names=MappingProxyType({k.lower(): k for k in headers}),
        custom_matcher=_custom_matcher(model.customMatcher, f"{pointer}/customMatcher", extensions),
    )


def _custom_matcher(
    model: CustomMatcherModel | None, pointer: str, extensions: Extensions
) -> CustomMatch | None:
    if model is None:
        return None
    matcher = registered(extensions, CUSTOM_MATCHERS, model.name, f"{pointer}/name")
    parameters = freeze(model.parameters)
    check_parameters(matcher.check, parameters, f"{pointer}/parameters")
    return CustomMatch(model.name, parameters, matcher)


def _url_matcher(
    model: RequestPatternModel, field: str | None, pointer: str, extensions: Extensions
) -> UrlMatcher:
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
            name: parse_content_pattern(
                p, f"{pointer}/pathParameters/{name}", extensions=extensions
            )
            for name, p in (model.pathParameters or {}).items()
        }
        return UrlPathTemplate.build(value, params, where)
    return UrlRegex(value, field == "urlPathPattern", compile_java_regex(value, where))


def _multi(
    patterns: dict[str, Any] | None, pointer: str, extensions: Extensions
) -> Mapping[str, MultiValuePattern]:
    if not patterns:
        return MappingProxyType({})
    return MappingProxyType(
        {
            name: parse_multi_value_pattern(p, f"{pointer}/{_escape(name)}", extensions=extensions)
            for name, p in patterns.items()
        }
    )


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")
