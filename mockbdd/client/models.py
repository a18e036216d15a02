"""What the admin API answers, decoded once into frozen values (respx-style call records).

Each model keeps the JSON it came from as ``raw`` (for round trips, and for fields a model does
not name), and decodes leniently: a missing field gets its WireMock default, so the same models
read a real WireMock's answers too. No pydantic and no engine import: the client stays light.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import field
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, TypeAlias
from urllib.parse import parse_qs, urlsplit

from mockbdd.records import record

Json: TypeAlias = dict[str, Any]
Values: TypeAlias = Mapping[str, tuple[str, ...]]
_NO_VALUES: Values = MappingProxyType({})
_NO_JSON: Mapping[str, Any] = MappingProxyType({})


def _none_values() -> Values:
    return _NO_VALUES


def _no_json() -> Mapping[str, Any]:
    return _NO_JSON


def _obj(value: Any) -> Json:
    return value if isinstance(value, dict) else {}


def _str(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _values(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(str(v) for v in items if v is not None)


def _params(raw: Any, url: str) -> Values:
    """WireMock's ``queryParams`` (``{name: {"values": [...]}}``), else parsed from the URL."""
    if isinstance(raw, dict) and raw:
        return MappingProxyType(
            {str(k): _values(_obj(v).get("values", [])) for k, v in raw.items()}
        )
    query = urlsplit(url).query
    return MappingProxyType(
        {k: tuple(v) for k, v in parse_qs(query, keep_blank_values=True).items()}
    )


def _moment(millis: Any) -> datetime | None:
    if isinstance(millis, int | float) and not isinstance(millis, bool):
        return datetime.fromtimestamp(millis / 1000, tz=timezone.utc)
    return None


@record
class LoggedRequest:
    """A request as the journal recorded it. ``headers`` keep the names as sent; ``header()``
    looks one up in any case. ``url`` is namespace-relative (path and query string)."""

    method: str
    url: str
    absolute_url: str = ""
    headers: Values = field(default_factory=_none_values)
    query: Values = field(default_factory=_none_values)
    body: str = ""
    body_bytes: bytes = b""
    client_ip: str = ""
    logged_at: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=_no_json, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> LoggedRequest:
        obj = _obj(data)
        url = _str(obj.get("url"), "/")
        body = _str(obj.get("body"))
        try:
            raw_body = base64.b64decode(_str(obj.get("bodyAsBase64")), validate=True)
        except (binascii.Error, ValueError):
            raw_body = b""
        headers = {str(k): _values(v) for k, v in _obj(obj.get("headers")).items()}
        return cls(
            method=_str(obj.get("method"), "GET").upper(),
            url=url,
            absolute_url=_str(obj.get("absoluteUrl")),
            headers=MappingProxyType(headers),
            query=_params(obj.get("queryParams"), url),
            body=body,
            body_bytes=raw_body or body.encode(),
            client_ip=_str(obj.get("clientIp")),
            logged_at=_moment(obj.get("loggedDate")),
            raw=MappingProxyType(dict(obj)),
        )

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    def header(self, name: str) -> tuple[str, ...] | None:
        """Every value of header ``name`` (any case), or None when it was not sent."""
        lower = name.lower()
        found = [values for k, values in self.headers.items() if k.lower() == lower]
        return tuple(v for values in found for v in values) if found else None

    def to_json(self) -> Json:
        """The LoggedRequest JSON (what ``near_misses_for_request`` and ``match`` take)."""
        return dict(self.raw) or {"method": self.method, "url": self.url, "body": self.body}


@record
class StubInfo:
    """A stub mapping as the server holds it. ``request`` stays the RequestPattern JSON (its
    operators are open-ended); ``service`` is the service it belongs to when the server said so
    (``unused_stubs``), else its ``metadata.mockbdd.service``."""

    id: str
    request: Mapping[str, Any] = field(default_factory=_no_json)
    response: Mapping[str, Any] | None = None
    responses: tuple[Mapping[str, Any], ...] | None = None
    name: str | None = None
    priority: int | None = None
    metadata: Mapping[str, Any] = field(default_factory=_no_json)
    scenario_name: str | None = None
    service: str | None = None
    raw: Mapping[str, Any] = field(default_factory=_no_json, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any, service: str | None = None) -> StubInfo:
        obj = _obj(data)
        metadata = _obj(obj.get("metadata"))
        responses = obj.get("responses")
        own = _obj(metadata.get("mockbdd")).get("service")
        return cls(
            id=_str(obj.get("id") or obj.get("uuid")),
            request=MappingProxyType(_obj(obj.get("request"))),
            response=obj["response"] if isinstance(obj.get("response"), dict) else None,
            responses=tuple(_obj(r) for r in responses) if isinstance(responses, list) else None,
            name=_opt_str(obj.get("name")),
            priority=_opt_int(obj.get("priority")),
            metadata=MappingProxyType(metadata),
            scenario_name=_opt_str(obj.get("scenarioName")),
            service=service if service is not None else _opt_str(own),
            raw=MappingProxyType(dict(obj)),
        )

    @property
    def method(self) -> str:
        return _str(self.request.get("method"), "ANY")

    @property
    def mockbdd(self) -> Mapping[str, Any]:
        """``metadata.mockbdd``: what the BDD layer notes on its stubs (service, source, ...)."""
        return _obj(self.metadata.get("mockbdd"))

    def to_json(self) -> Json:
        return dict(self.raw)


@record
class ServedResponse:
    status: int = 0
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str = ""
    fault: str | None = None


@record
class SubEvent:
    """What happened to a request after its answer: ``WEBHOOK_REQUEST``, ``WEBHOOK_RESPONSE``,
    ``ERROR`` (``data["message"]``), ``REQUEST_NOT_MATCHED``..."""

    type: str
    offset_ns: int = 0
    data: Mapping[str, Any] = field(default_factory=_no_json)

    @classmethod
    def from_json(cls, data: Any) -> SubEvent:
        obj = _obj(data)
        return cls(
            type=_str(obj.get("type")),
            offset_ns=_opt_int(obj.get("timeOffsetNanos")) or 0,
            data=MappingProxyType(_obj(obj.get("data"))),
        )


@record
class ServeEvent:
    """One journaled request and what answered it (``stub`` None when no stub matched;
    ``admitted_by`` the admit stage that answered instead of the stubs, e.g. a limit)."""

    id: str
    request: LoggedRequest
    was_matched: bool
    stub: StubInfo | None = None
    response: ServedResponse = field(default_factory=ServedResponse)
    sub_events: tuple[SubEvent, ...] = ()
    admitted_by: str | None = None
    raw: Mapping[str, Any] = field(default_factory=_no_json, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> ServeEvent:
        obj = _obj(data)
        matched = obj.get("wasMatched") is True
        answer = _obj(obj.get("response"))
        status = _opt_int(answer.get("status"))
        return cls(
            id=_str(obj.get("id")),
            request=LoggedRequest.from_json(obj.get("request")),
            was_matched=matched,
            admitted_by=_opt_str(obj.get("admittedBy")),
            stub=StubInfo.from_json(obj["stubMapping"])
            if matched and "stubMapping" in obj
            else None,
            response=ServedResponse(
                status=status if status is not None else 0,
                headers=MappingProxyType(
                    {str(k): str(v) for k, v in _obj(answer.get("headers")).items()}
                ),
                body=_str(answer.get("body")),
                fault=_opt_str(answer.get("fault")),
            ),
            sub_events=tuple(SubEvent.from_json(sub) for sub in _list(obj.get("subEvents"))),
            raw=MappingProxyType(dict(obj)),
        )


@record
class FieldDiff:
    """One row of the server's near-miss diff, in mockbdd's voice (``header X-A``, ``"2"``)."""

    field: str
    expected: str
    actual: str
    matched: bool
    distance: float = 0.0

    @classmethod
    def from_json(cls, data: Any) -> FieldDiff:
        obj = _obj(data)
        distance = obj.get("distance")
        return cls(
            field=_str(obj.get("field")),
            expected=_str(obj.get("expected")),
            actual=_str(obj.get("actual")),
            matched=obj.get("matched") is True,
            distance=float(distance) if isinstance(distance, int | float) else 0.0,
        )


@record
class NearMiss:
    """A request close to a pattern, or a stub close to a request. ``diff`` is WireMock's text;
    ``fields`` the rows of a mockbdd verify, ``number`` the request's place (from 1) among the
    requests of the service the verify named, ``serve_event_id`` its journal id."""

    request: LoggedRequest
    stub: StubInfo | None = None
    request_pattern: Mapping[str, Any] | None = None
    distance: float | None = None
    diff: str = ""
    fields: tuple[FieldDiff, ...] = ()
    number: int | None = None
    serve_event_id: str | None = None
    raw: Mapping[str, Any] = field(default_factory=_no_json, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> NearMiss:
        obj = _obj(data)
        distance = _obj(obj.get("matchResult")).get("distance")
        pattern = obj.get("requestPattern")
        rows = obj.get("fields")
        diff = obj.get("diff") or _obj(pattern).get("diff")
        return cls(
            request=LoggedRequest.from_json(obj.get("request")),
            stub=StubInfo.from_json(obj["stubMapping"]) if "stubMapping" in obj else None,
            request_pattern=MappingProxyType(pattern) if isinstance(pattern, dict) else None,
            distance=float(distance) if isinstance(distance, int | float) else None,
            diff=_str(diff),
            fields=tuple(FieldDiff.from_json(r) for r in rows) if isinstance(rows, list) else (),
            number=_opt_int(obj.get("number")),
            serve_event_id=_opt_str(obj.get("serveEventId")),
            raw=MappingProxyType(dict(obj)),
        )


def near_misses(items: Any) -> tuple[NearMiss, ...]:
    return tuple(NearMiss.from_json(m) for m in items) if isinstance(items, list) else ()


@record
class VerifyResult:
    """The server's verdict on an expectation: ``holds``, the ``count`` it saw against the
    ``expected`` one, and the closest requests when short of it."""

    holds: bool
    count: int
    expected: int
    mode: str | None = None
    near_misses: tuple[NearMiss, ...] = ()
    nth_found: bool | None = None
    journal_truncated: bool = False

    @classmethod
    def from_json(cls, data: Any) -> VerifyResult:
        obj = _obj(data)
        nth = obj.get("nthFound")
        return cls(
            holds=obj.get("holds") is True,
            count=_opt_int(obj.get("count")) or 0,
            expected=_opt_int(obj.get("expected")) or 0,
            mode=_opt_str(obj.get("mode")),
            near_misses=near_misses(obj.get("nearMisses")),
            nth_found=nth if isinstance(nth, bool) else None,
            journal_truncated=obj.get("journalTruncated") is True,
        )


@record
class RouteMatch:
    """A stub whose method and URL accept the request: ``matches`` when its other conditions do
    too; ``route_only`` when nothing but this method and path (or URL) constrains it."""

    stub: StubInfo
    matches: bool
    route_only: bool


@record
class MatchResult:
    """A dry run: the stub that would answer a request now and its response (nothing journaled,
    nothing advanced), the stubs of its route in match order, and near misses when none does."""

    matched: bool
    stub: StubInfo | None = None
    response: Mapping[str, Any] | None = None
    position: int | None = None
    route_matches: tuple[RouteMatch, ...] = ()
    near_misses: tuple[NearMiss, ...] = ()

    @classmethod
    def from_json(cls, data: Any) -> MatchResult:
        obj = _obj(data)
        routes = obj.get("routeMatches")
        return cls(
            matched=obj.get("matched") is True,
            stub=StubInfo.from_json(obj["stub"]) if isinstance(obj.get("stub"), dict) else None,
            response=MappingProxyType(obj["response"])
            if isinstance(obj.get("response"), dict)
            else None,
            position=_opt_int(obj.get("position")),
            route_matches=tuple(
                RouteMatch(
                    StubInfo.from_json(_obj(r).get("stub")),
                    _obj(r).get("matches") is True,
                    _obj(r).get("routeOnly") is True,
                )
                for r in (routes if isinstance(routes, list) else [])
            ),
            near_misses=near_misses(obj.get("nearMisses")),
        )


@record
class SwitchResult:
    """What a switch removed (stub ids) and the stubs it added."""

    removed: tuple[str, ...]
    stubs: tuple[StubInfo, ...]

    @classmethod
    def from_json(cls, data: Any) -> SwitchResult:
        obj = _obj(data)
        removed = obj.get("removed")
        mappings = obj.get("mappings")
        return cls(
            removed=tuple(str(i) for i in removed) if isinstance(removed, list) else (),
            stubs=tuple(StubInfo.from_json(m) for m in mappings)
            if isinstance(mappings, list)
            else (),
        )


def stubs(items: Sequence[Any]) -> list[StubInfo]:
    return [StubInfo.from_json(s) for s in items]
