"""What strict mode and phrases 26-27 look for: requests no stub expected (unmatched, or
answered only by phrase 13's catch-all) and stubs that never answered. The engine decides both:
each serve event says whether a stub matched and which; the server says which stubs were never
served and which service each belongs to. Reports use service-relative paths, as the other
assertion reports do."""

from __future__ import annotations

import re

from mockbdd.bdd.received import full_path, plural, relative_url
from mockbdd.bdd.scenario_mocks import CATCH_ALL, ScenarioMocks, describe_stub, is_catch_all
from mockbdd.client.models import LoggedRequest, StubInfo

NOT_CATCH_ALL = {"matchesJsonPath": f"$.mockbdd[?(@.{CATCH_ALL} == true)]"}
"""``exceptMetadata`` of the unused-stubs query: a catch-all is never "unused"."""


def _under(service: str | None, url: str) -> bool:
    if service is None:
        return True
    prefix = full_path(service, "")
    return url == prefix or url.startswith((prefix + "/", prefix + "?"))


def _service_of(url: str) -> str | None:
    """The service a namespace URL is under: its first path segment."""
    first = url.split("?", 1)[0].split("/")[1:2]
    return first[0] if first and first[0] else None


def _route_text(logged: LoggedRequest, service: str | None) -> str:
    """``GET /v1/unknown`` (relative to ``service``), or ``GET /v1/unknown on "inventory"``
    when no service is given (strict mode reports every service)."""
    owner = service or _service_of(logged.url)
    if owner is None:
        return f"{logged.method} {logged.url}"
    on = "" if service else f' on "{owner}"'
    return f"{logged.method} {relative_url(logged.url, owner)}{on}"


def unexpected_requests(
    mocks: ScenarioMocks, service: str | None
) -> list[tuple[LoggedRequest, StubInfo | None]]:
    """Requests to ``service`` (None: any) that no stub matched, or that only a catch-all
    (phrase 13) answered, with that catch-all; in arrival order. One call: the journal's serve
    events carry what the engine decided."""
    found: list[tuple[LoggedRequest, StubInfo | None]] = []
    for event in reversed(mocks.admin.requests()):  # newest first
        if not _under(service, event.request.url):
            continue
        if not event.was_matched and event.admitted_by is None:  # a limit's 429 was expected
            found.append((event.request, None))
        elif event.stub is not None and is_catch_all(event.stub):
            found.append((event.request, event.stub))
    return found


def unexpected_requests_report(mocks: ScenarioMocks, service: str | None) -> str:
    """'' when no request to ``service`` (None: any) went unmatched or only met a catch-all,
    else the report, with the closest stub of the first one (the server's near miss)."""
    found = unexpected_requests(mocks, service)
    if not found:
        return ""
    where = f'"{service}"' if service else "this scenario's mocks"
    lines = [f"{where} received {plural(len(found), 'request')} that no stub matched:"]
    for logged, catch_all in found:
        note = ""
        if catch_all is not None:
            status = (catch_all.response or {}).get("status")
            note = f" (only the catch-all answered it, with status {status})"
        lines.append(f"  {_route_text(logged, service)}{note}")
    first = found[0][0]
    misses = [
        m
        for m in mocks.admin.near_misses_for_request(first)
        if m.stub is None or not is_catch_all(m.stub)
    ]
    if misses:
        lines.append(f"closest stub for {_route_text(first, service)}:")
        lines += [f"  {line}" for line in misses[0].diff.splitlines()]
    return "\n".join(lines)


def unused_stubs(mocks: ScenarioMocks, service: str | None, timeout: float = 0.0) -> list[StubInfo]:
    """Stubs of ``service`` (None: all) never served since they were added, each with the
    service the server says it belongs to; a catch-all (phrase 13) never counts as unused.
    The server waits up to ``timeout`` s for them all to be used."""
    return mocks.admin.unused_stubs(service, except_metadata=NOT_CATCH_ALL, timeout=timeout)


def unused_stubs_report(
    mocks: ScenarioMocks, service: str | None, unused: list[StubInfo] | None = None
) -> str:
    """'' when every stub of ``service`` (None: all) was served at least once, else the list."""
    unused = unused_stubs(mocks, service) if unused is None else unused
    if not unused:
        return ""
    where = f'on "{service}"' if service else "in this scenario"
    lines = [f"{plural(len(unused), 'stub')} {where} never answered a request:"]
    for stub in unused:
        owner = service or stub.service
        lines.append(f"  {describe_stub(stub, owner, named=service is None)}")
    return "\n".join(lines)


def not_replaced_by_steps(mocks: ScenarioMocks, unused: list[StubInfo]) -> list[StubInfo]:
    """``unused`` without the tag-map stubs a step's stub replaced (same method, a path the
    step's stub takes): they were never answered because the step outranks them, which is
    what the step asked for, not a problem strict mode should report."""
    if not any(stub.mockbdd.get("source") != "step" for stub in unused):
        return unused
    steps = [s for s in mocks.admin.list_stubs() if s.mockbdd.get("source") == "step"]
    return [s for s in unused if not any(_replaces(step, s) for step in steps)]


def _replaces(step: StubInfo, stub: StubInfo) -> bool:
    if stub.mockbdd.get("source") == "step" or is_catch_all(step):
        return False
    if "ANY" not in (step.method, stub.method) and step.method != stub.method:
        return False
    literal = stub.request.get("urlPath") or str(stub.request.get("url") or "").split("?")[0]
    step_path = step.request.get("urlPath")
    step_pattern = step.request.get("urlPathPattern")
    if isinstance(step_path, str):
        if literal:
            return bool(literal == step_path)
        return _full_match(stub.request.get("urlPathPattern"), step_path)
    return bool(literal) and _full_match(step_pattern, str(literal))


def _full_match(pattern: object, path: str) -> bool:
    if not isinstance(pattern, str):
        return False
    try:
        return re.fullmatch(pattern, path) is not None
    except re.error:
        return False
