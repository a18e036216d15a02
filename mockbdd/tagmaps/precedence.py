"""Who wins a route (or a setting) on one level: extending maps shadow the maps they extend;
two maps left for one route is a conflict, since runners give tags as sets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockbdd.tagmaps.binding import MapApplication, Scope
from mockbdd.tagmaps.errors import TagConflictError
from mockbdd.tagmaps.params import BoundValue, substitute
from mockbdd.tagmaps.registry import StubTemplate, TagMap
from mockbdd.tagmaps.stubs import Route, StubError, normalise_stub, route_of, source_path
from mockbdd.tagmaps.tags import Level

KEYED_KINDS = ("settings", "scenarios", "data", "collections", "mounts", "templates")


@dataclass(frozen=True)
class Candidate:
    """A normalised (not yet prefixed) stub offered by one application for one route."""

    route: Route
    app: MapApplication
    stub: dict[str, Any]
    template: StubTemplate


@dataclass(frozen=True)
class LevelResult:
    """One level's applications, its candidate stubs, and the winner of each route and key."""

    level: Level
    apps: tuple[MapApplication, ...]
    candidates: tuple[Candidate, ...]
    routes: Mapping[Route, MapApplication]
    keyed: Mapping[str, Mapping[str, tuple[MapApplication, Any]]]


def build_level(scope: Scope, level: Level, apps: list[MapApplication]) -> LevelResult:
    candidates: list[Candidate] = []
    by_route: dict[Route, dict[MapApplication, None]] = {}
    keyed: dict[str, dict[str, dict[MapApplication, Any]]] = {k: {} for k in KEYED_KINDS}
    for app in apps:
        tag_map = scope.registry.get(app.name)
        values = dict(app.values)
        for template in tag_map.stubs:
            stub = _build_stub(scope, tag_map, template, values)
            route = route_of(template.service, stub)
            candidates.append(Candidate(route, app, stub, template))
            by_route.setdefault(route, {})[app] = None
        sources = (
            tag_map.settings,
            tag_map.scenarios,
            tag_map.data,
            tag_map.collections,
            tag_map.mounts,
            {} if tag_map.templates is None else {"folder": tag_map.templates},
        )
        for kind, source in zip(KEYED_KINDS, sources, strict=True):
            for key, value in source.items():
                keyed[kind].setdefault(key, {})[app] = substitute(value, values)
    routes = {
        route: winner(scope, level, dict.fromkeys(providers), route.describe())[0]
        for route, providers in by_route.items()
    }
    final = {
        kind: {
            key: winner(scope, level, by_app, f"{kind} {key!r}", compare_values=True)
            for key, by_app in by_key.items()
        }
        for kind, by_key in keyed.items()
    }
    return LevelResult(level, tuple(apps), tuple(candidates), routes, final)


def winner(
    scope: Scope,
    level: Level,
    by_app: Mapping[MapApplication, Any],
    what: str,
    compare_values: bool = False,
) -> tuple[MapApplication, Any]:
    """The one provider left once extending maps shadow the maps they extend."""
    registry = scope.registry
    left = [
        app
        for app in by_app
        if not any(o.name != app.name and app.name in registry.ancestors(o.name) for o in by_app)
    ]
    if compare_values and all(by_app[a] == by_app[left[0]] for a in left):
        left = left[:1]
    if len(left) > 1:
        first, second = left[0], left[1]
        verb = f"set {what} differently" if compare_values else f"stub {what}"
        raise TagConflictError(
            f"maps {first.label} and {second.label} both {verb} on the {level} level",
            level=level,
            tags=tuple(dict.fromkeys((first.root.raw, second.root.raw))),
            file=scope.feature_file,
            line=scope.line,
            hint="move one tag to another level, or make one map extend the other",
        )
    return left[0], by_app[left[0]]


def _build_stub(
    scope: Scope, tag_map: TagMap, template: StubTemplate, values: Mapping[str, BoundValue]
) -> dict[str, Any]:
    try:
        return normalise_stub(substitute(dict(template.body), values))
    except StubError as exc:
        sub = source_path((), exc.pointer, template.body)
        raise scope.map_error(tag_map, template, sub, f"{exc.pointer}: {exc.reason}") from None
