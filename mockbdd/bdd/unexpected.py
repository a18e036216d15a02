"""What strict mode and phrases 26-27 look for: requests no stub expected (unmatched, or
answered only by phrase 13's catch-all) and stubs that never answered. Reports use
service-relative paths, as the other assertion reports do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockbdd.bdd.received import Received, full_path, plural
from mockbdd.bdd.scenario_mocks import ScenarioMocks, describe_stub, is_catch_all, stub_service


def _under(service: str | None, url: str) -> bool:
    if service is None:
        return True
    prefix = full_path(service, "")
    return url == prefix or url.startswith((prefix + "/", prefix + "?"))


def _service_of(url: str) -> str | None:
    """The service a namespace URL is under: its first path segment."""
    first = url.split("?", 1)[0].split("/")[1:2]
    return first[0] if first and first[0] else None


def _route_text(logged: Mapping[str, Any], service: str | None) -> str:
    """``GET /v1/unknown`` (relative to ``service``), or ``GET /v1/unknown on "inventory"``
    when no service is given (strict mode reports every service)."""
    owner = service or _service_of(str(logged.get("url", "/")))
    if owner is None:
        return f"{logged.get('method')} {logged.get('url')}"
    relative = Received.from_logged(0, logged, owner).url
    on = "" if service else f' on "{owner}"'
    return f"{logged.get('method')} {relative}{on}"


def unexpected_requests(
    mocks: ScenarioMocks, service: str | None
) -> list[tuple[dict[str, Any], Mapping[str, Any] | None]]:
    """Requests to ``service`` (None: any) that no stub matched, or that only a catch-all
    (phrase 13) answered, with that catch-all; in arrival order."""
    admin = mocks.admin
    found: list[tuple[dict[str, Any], Mapping[str, Any] | None]] = [
        (r, None) for r in admin.unmatched_requests()
    ]
    for stub in admin.list_stubs():
        if is_catch_all(stub) and (service is None or stub_service(stub) == service):
            events = admin.requests(matching_stub=str(stub["id"]))
            found += [(e["request"], stub) for e in events if isinstance(e.get("request"), dict)]
    found = [(r, s) for r, s in found if _under(service, str(r.get("url")))]
    found.sort(key=lambda item: item[0].get("loggedDate", 0))
    return found


def unexpected_requests_report(mocks: ScenarioMocks, service: str | None) -> str:
    """'' when no request to ``service`` (None: any) went unmatched or only met a catch-all,
    else the report."""
    found = unexpected_requests(mocks, service)
    if not found:
        return ""
    where = f'"{service}"' if service else "this scenario's mocks"
    lines = [f"{where} received {plural(len(found), 'request')} that no stub matched:"]
    for logged, catch_all in found:
        note = ""
        if catch_all is not None:
            status = (catch_all.get("response") or {}).get("status")
            note = f" (only the catch-all answered it, with status {status})"
        lines.append(f"  {_route_text(logged, service)}{note}")
    first = found[0][0]
    misses = [
        m
        for m in mocks.admin.near_misses_for_request(_loggable(first))
        if not is_catch_all(m.get("stubMapping") or {})
    ]
    if misses:
        lines.append(f"closest stub for {_route_text(first, service)}:")
        lines += [f"  {line}" for line in str(misses[0].get("diff", "")).splitlines()]
    return "\n".join(lines)


def _loggable(logged: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("url", "method", "headers", "body", "bodyAsBase64")
    return {k: logged[k] for k in keys if k in logged}


def unused_stubs(mocks: ScenarioMocks, service: str | None) -> list[dict[str, Any]]:
    """Stubs of ``service`` (None: all) never served since they were added; a catch-all
    (phrase 13) never counts as unused."""
    return [
        s
        for s in mocks.admin.unmatched_stubs()
        if not is_catch_all(s) and (service is None or stub_service(s) == service)
    ]


def unused_stubs_report(
    mocks: ScenarioMocks, service: str | None, unused: list[dict[str, Any]] | None = None
) -> str:
    """'' when every stub of ``service`` (None: all) was served at least once, else the list."""
    unused = unused_stubs(mocks, service) if unused is None else unused
    if not unused:
        return ""
    where = f'on "{service}"' if service else "in this scenario"
    lines = [f"{plural(len(unused), 'stub')} {where} never answered a request:"]
    for stub in unused:
        owner = service or stub_service(stub)
        lines.append(f"  {describe_stub(stub, owner, named=service is None)}")
    return "\n".join(lines)
