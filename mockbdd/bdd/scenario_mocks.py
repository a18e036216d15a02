"""The object every step works on: one scenario's namespace handle and the step settings."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mockbdd.client.models import StubInfo
from mockbdd.client.namespace import NamespaceHandle
from mockbdd.client.sync import Client
from mockbdd.services import check_service, service_path
from mockbdd.tagmaps.tags import MockTag

HANG_MS = 60_000  # phrase 8: "times out" = the response comes after a minute


class StepUsageError(ValueError):
    """A step written in a way mockbdd cannot carry out (bad path, table or JSON)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"mockbdd: {detail}")


@dataclass(frozen=True)
class StepSettings:
    """``timeout``: how long positive assertions wait; ``settle``: the pause before negative
    ones; ``hang_ms``: how late a "times out" response comes. The server does the waiting."""

    timeout: float = 2.0
    settle: float = 0.2
    hang_ms: int = HANG_MS


@dataclass(frozen=True)
class StepTable:
    """A Gherkin table from either runner: headings and rows of cells."""

    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @classmethod
    def from_lists(cls, cells: Sequence[Sequence[str]] | None) -> StepTable:
        """pytest-bdd's ``datatable`` (header row first)."""
        if not cells:
            raise StepUsageError("this step needs a table")
        return cls(tuple(cells[0]), tuple(tuple(r) for r in cells[1:]))

    def dicts(self, required: Sequence[str], optional: Sequence[str] = ()) -> list[dict[str, str]]:
        """Rows as ``{heading: cell}``; unknown or missing headings are an error."""
        known = (*required, *optional)
        unknown = [h for h in self.headings if h not in known]
        missing = [h for h in required if h not in self.headings]
        if unknown or missing:
            shown = " | ".join(known)
            note = f" (optional: {', '.join(optional)})" if optional else ""
            got = " | ".join(self.headings)
            raise StepUsageError(f"the table needs the columns | {shown} |{note}; got | {got} |")
        return [
            dict(zip(self.headings, (c.strip() for c in row), strict=True)) for row in self.rows
        ]


class MapSwitcher(Protocol):
    """Applies a tag map to a live namespace (phrase 14); raises ``MockBddError`` naming
    ``file`` and ``line``."""

    def switch(
        self,
        handle: NamespaceHandle,
        service: str | None,
        tag: MockTag,
        file: str | None,
        line: int | None,
    ) -> None: ...


@dataclass
class ScenarioMocks:
    """One scenario's mocks: the namespace handle plus what the steps need around it.

    ``maps`` applies tag maps mid-scenario (phrase 14); ``location`` is the scenario's
    ``file:line``."""

    handle: NamespaceHandle
    settings: StepSettings = field(default_factory=StepSettings)
    strict: bool = False
    shared: bool = False
    location: str = ""
    maps: MapSwitcher | None = None

    @property
    def admin(self) -> Client:
        """The namespace's admin client (the whole WireMock admin API, scoped)."""
        return self.handle.admin


# ------------------------------------------------------------------------------ helpers


def route_path(service: str, path: str) -> str:
    """The namespace path of a service route, after checking both parts."""
    try:
        check_service(service)
    except ValueError as exc:
        raise StepUsageError(str(exc)) from None
    if "?" in path or "#" in path:
        raise StepUsageError(
            f"write the path without a query string ({path!r}): step stubs match the path "
            'whatever the query (the "only when the request matches" phrase checks query values)'
        )
    return service_path(service, path)


def parse_json_text(text: str | None, what: str) -> Any:
    try:
        return json.loads(text or "")
    except ValueError as exc:
        raise StepUsageError(f"{what} is not valid JSON: {exc}") from None


CATCH_ALL = "catchAll"  # metadata.mockbdd flag of phrase 13's stub


def step_stubs(mocks: ScenarioMocks, service: str) -> list[StubInfo]:
    """The stubs steps wrote for ``service``, newest first (the server lists newest first)."""
    return [
        stub
        for stub in mocks.admin.list_stubs()
        if stub.mockbdd.get("service") == service and stub.mockbdd.get("source") == "step"
    ]


def is_catch_all(stub: StubInfo) -> bool:
    """Phrase 13's stub: what it answers is unexpected, and it is never "unused"."""
    return stub.mockbdd.get(CATCH_ALL) is True


def stub_source(stub: StubInfo) -> str:
    """Where a stub came from, for reports: a step, a tag map, or elsewhere."""
    meta = stub.mockbdd
    if meta.get("source") == "step":
        return "from a step"
    if meta.get("tagMap"):
        return f"from tag map '{meta['tagMap']}'"
    return "added through the admin API"


def describe_stub(stub: StubInfo, service: str | None, *, named: bool = False) -> str:
    """``POST /v1/charges (from tag map 'checkout_failure')``, paths relative to ``service``;
    ``named`` adds the service: ``POST /v1/charges on "payments" (from ...)``."""
    on = f' on "{service}"' if named and service else ""
    name = f" {stub.name!r}" if stub.name else ""
    return f"{stub.method} {_stub_target(stub.request, service)}{on}{name} ({stub_source(stub)})"


def _stub_target(request: Mapping[str, Any], service: str | None) -> str:
    prefix = f"/{service}" if service else ""
    for key in ("urlPath", "url", "urlPathTemplate"):
        value = request.get(key)
        if isinstance(value, str):
            if prefix and (value == prefix or value.startswith((prefix + "/", prefix + "?"))):
                value = value[len(prefix) :]
            return value or "/"
    for key in ("urlPathPattern", "urlPattern"):
        value = request.get(key)
        if isinstance(value, str):
            anchor = "^" if value.startswith("^") else ""
            escaped = re.escape(prefix)
            rest = value[len(anchor) + len(escaped) :]
            if prefix and value[len(anchor) :].startswith(escaped) and rest[:1] in ("/", "("):
                if rest in ("(/.*)?", "(/.*)?$"):
                    return "any path"
                value = anchor + rest
            return f"{key} {value}"
    return "any URL"
