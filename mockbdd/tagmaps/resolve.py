"""Effective tag maps for one scenario (DESIGN §5).

Effective = Feature ∪ Rule ∪ Scenario ∪ Examples. For one route (service, method, URL) the most
specific level wins and the other levels' stubs for it are dropped; two maps on one level for one
route is an error, unless one of them extends the other (the extending map wins). A map reached
twice with the same parameters is applied once. ``@mock:x:off`` removes ``x`` from the less
specific levels, with whatever only ``x`` brought in through ``extends``. Tags are sets in every
runner, so nothing here depends on tag order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.service_plugins import SERVICE_PLUGINS
from mockbdd.extensions import Extensions
from mockbdd.tagmaps.binding import MapApplication, Scope, expand, tag_seed
from mockbdd.tagmaps.errors import MockBddError, TagConflictError, TagMapError
from mockbdd.tagmaps.params import parse_duration
from mockbdd.tagmaps.precedence import Candidate, LevelResult, build_level
from mockbdd.tagmaps.registry import TagMap, TagMapRegistry, display_path
from mockbdd.tagmaps.stubs import Route, StubError, prefix_service, source_path
from mockbdd.tagmaps.tags import LEVELS, Level, MockTag, ReservedTag, make_mock_tag, parse_tag
from mockbdd.templating.file_routes import NAME as TEMPLATE_FILES
from mockbdd.templating.file_routes import templates_stub
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.collections import parse_collection
from mockbdd.wire.errors import unknown_name
from mockbdd.wire.mappings import parse_stub_mapping

__all__ = [
    "LEVELS",
    "Level",
    "Resolution",
    "ResolvedStub",
    "check_plugins",
    "check_tag",
    "resolve",
    "resolve_map",
]

TagInput = str | MockTag | ReservedTag


@dataclass(frozen=True)
class ResolvedStub:
    """A WireMock StubMapping ready for the engine, under its service prefix."""

    service: str
    mapping: dict[str, Any]
    map_name: str
    level: Level
    at: str | None = None  # "file:line" of the stub in its tag map, for messages


@dataclass(frozen=True)
class Resolution:
    """What a scenario's tags amount to."""

    stubs: tuple[ResolvedStub, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    scenarios: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # name -> {items, schema?, idField?, relations?}: the CRUD collections the namespace
    # opens with (``data`` and ``collections`` together), each served by a ``crud`` stub
    collections: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # service -> {plugin, config}: service plugins to mount into the namespace
    mounts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    strict: bool = False
    shared: bool = False
    applied_maps: tuple[str, ...] = ()

    @property
    def services(self) -> tuple[str, ...]:
        """The services the stubs and mounts answer under (a ``templates:`` stub has none)."""
        named = [*(s.service for s in self.stubs if s.service), *self.mounts]
        return tuple(dict.fromkeys(named))


def resolve(
    registry: TagMapRegistry,
    *,
    feature: Iterable[TagInput] = (),
    rule: Iterable[TagInput] = (),
    scenario: Iterable[TagInput] = (),
    examples: Iterable[TagInput] = (),
    feature_file: str | None = None,
    line: int | None = None,
    extensions: Extensions = BUILTIN,
) -> Resolution:
    """Resolve the tags of one scenario, given per level (any order; duplicates are fine).
    Stubs are checked with ``extensions`` (a server passes its own)."""
    scope = Scope(registry, feature_file, line)
    given = {"feature": feature, "rule": rule, "scenario": scenario, "examples": examples}
    tags = {lvl: _LevelTags.parse(given[lvl], scope) for lvl in LEVELS}
    for lvl in LEVELS:
        tags[lvl].check(lvl, scope)
    results: list[LevelResult] = []
    for i, lvl in enumerate(LEVELS):
        offed = frozenset(t.name for later in LEVELS[i + 1 :] for t in tags[later].off)
        apps = [app for tag in tags[lvl].on for app in expand(scope, tag, offed)]
        results.append(build_level(scope, lvl, list(dict.fromkeys(apps))))
    return _merge(
        scope,
        results,
        extensions,
        strict=any(t.strict for t in tags.values()),
        shared=any(t.shared for t in tags.values()),
    )


def resolve_map(
    registry: TagMapRegistry,
    name: str,
    params: Mapping[str, object] | None = None,
    *,
    feature_file: str | None = None,
    line: int | None = None,
    extensions: Extensions = BUILTIN,
) -> Resolution:
    """One map applied on its own (``ns.apply(name, **params)``, the "switches to" step)."""
    try:
        tag = make_mock_tag(name, params)
    except MockBddError as exc:
        raise exc.located(feature_file, line) from None
    return resolve(
        registry, scenario=[tag], feature_file=feature_file, line=line, extensions=extensions
    )


def check_plugins(registry: TagMapRegistry, extensions: Extensions = BUILTIN) -> list[TagMapError]:
    """A problem for each service plugin a map names that ``extensions`` does not have (what
    a server with them refuses), naming the installed ones: checked when maps are loaded by a
    server, by ``mockbdd lint``, and when a scenario applies a map."""
    scope = Scope(registry)
    return [e for tag_map in registry for e in _plugin_errors(scope, tag_map, extensions)]


def _plugin_errors(scope: Scope, tag_map: TagMap, extensions: Extensions) -> list[TagMapError]:
    installed = extensions.names(SERVICE_PLUGINS)
    errors: list[TagMapError] = []
    for service, mount in tag_map.mounts.items():
        plugin = str(mount["plugin"])
        if plugin in installed:
            continue
        detail = f"service {service!r}: {unknown_name(SERVICE_PLUGINS.label, plugin, installed)}"
        errors.append(scope.map_error(tag_map, None, ("services", service, "plugin"), detail))
    return errors


def check_tag(registry: TagMapRegistry, tag: MockTag) -> None:
    """Raise what applying ``tag`` alone would raise about its name and parameters."""
    scope = Scope(registry)
    scope.check_known(tag)
    if not tag.off:
        expand(scope, tag)


@dataclass(frozen=True)
class _LevelTags:
    on: tuple[MockTag, ...]
    off: tuple[MockTag, ...]
    strict: bool
    shared: bool

    @classmethod
    def parse(cls, raw: Iterable[TagInput], scope: Scope) -> _LevelTags:
        parsed: set[MockTag | ReservedTag] = set()
        for item in raw:
            try:
                tag = item if isinstance(item, MockTag | ReservedTag) else parse_tag(item)
            except MockBddError as exc:
                raise scope.locate(exc) from None
            if tag is not None:
                parsed.add(tag)
        mock = sorted((t for t in parsed if isinstance(t, MockTag)), key=lambda t: t.canonical)
        reserved = {t.name for t in parsed if isinstance(t, ReservedTag)}
        return cls(
            on=tuple(t for t in mock if not t.off),
            off=tuple(t for t in mock if t.off),
            strict="strict" in reserved,
            shared="shared" in reserved,
        )

    def check(self, level: Level, scope: Scope) -> None:
        for tag in (*self.on, *self.off):
            scope.check_known(tag)
        switched_off = {t.name: t for t in self.off}
        for tag in self.on:
            off = switched_off.get(tag.name)
            if off is not None:
                raise TagConflictError(
                    f"{tag.canonical} and {off.canonical} are both on the {level} level",
                    hint="keep one of them",
                    level=level,
                    tags=(tag.raw, off.raw),
                    file=scope.feature_file,
                    line=scope.line,
                )


def _merge(
    scope: Scope,
    results: list[LevelResult],
    extensions: Extensions,
    *,
    strict: bool,
    shared: bool,
) -> Resolution:
    winners: dict[Route, tuple[Level, MapApplication]] = {}
    keyed: dict[str, dict[str, tuple[MapApplication, Any]]] = {}
    for result in results:  # least specific first: later levels overwrite
        winners.update({route: (result.level, app) for route, app in result.routes.items()})
        for kind, by_key in result.keyed.items():
            keyed.setdefault(kind, {}).update(by_key)
    stubs = tuple(
        ResolvedStub(
            c.template.service,
            _finish_stub(scope, c, extensions),
            c.app.name,
            result.level,
            _stub_at(scope.registry.get(c.app.name), c.template.path),
        )
        for result in results
        for c in result.candidates
        if winners[c.route] == (result.level, c.app)
    )
    values = {kind: {k: v for k, (_, v) in by_key.items()} for kind, by_key in keyed.items()}
    levels = {app: r.level for r in results for app in r.apps}
    crud_stubs, collections = _collections(scope, keyed, levels, extensions)
    crud_stubs += _templates(scope, keyed, levels, extensions)
    settings = _normalise_settings(scope, keyed.get("settings", {}))
    for result in results:  # the most specific level's seed wins
        for app in result.apps:
            seed = tag_seed(scope, app.root)
            if seed is not None:
                settings["seed"] = seed
    applied = dict.fromkeys(a.name for r in results for a in r.apps)
    unknown = [e for n in applied for e in _plugin_errors(scope, scope.registry.get(n), extensions)]
    if unknown:
        raise unknown[0].with_more(unknown[1:])
    return Resolution(
        stubs=stubs + crud_stubs,
        collections=MappingProxyType(collections),
        settings=MappingProxyType(settings),
        scenarios=MappingProxyType({k: str(v) for k, v in values.get("scenarios", {}).items()}),
        data=MappingProxyType(values.get("data", {})),
        mounts=MappingProxyType(values.get("mounts", {})),
        strict=strict,
        shared=shared,
        applied_maps=tuple(applied),
    )


def _collections(
    scope: Scope,
    keyed: Mapping[str, Mapping[str, tuple[MapApplication, Any]]],
    levels: Mapping[MapApplication, Level],
    extensions: Extensions,
) -> tuple[tuple[ResolvedStub, ...], dict[str, Any]]:
    """The CRUD collections of the maps (``data`` items with ``collections`` specs) as the
    admin API takes them, and the ``crud`` stub serving each at ``/<service>/<name>`` (the
    collection's ``service``, else the map's only one)."""
    data, specs = keyed.get("data", {}), keyed.get("collections", {})
    stubs: list[ResolvedStub] = []
    out: dict[str, Any] = {}
    for name in dict.fromkeys([*specs, *data]):
        app, spec = specs.get(name, (None, {}))
        data_app, items = data.get(name, (None, []))
        owner = app or data_app
        assert owner is not None
        tag_map = scope.registry.get(owner.name)
        where = ("collections", name) if app is not None else ("data", name)
        spec = dict(spec)
        service = spec.pop("service", None) or _only_service(tag_map)
        path = "/" + str(spec.pop("path", None) or name).strip("/")
        wire = {"items": list(items), **spec}
        if not service:
            detail = (
                f"collection {name!r} needs a service to be served under: "
                f"collections: {{{name}: {{service: <name>}}}}"
            )
            raise scope.map_error(tag_map, None, where, detail)
        try:
            parse_collection(name, wire, "")
            base = "" if path == "/" else path
            mapping = {
                "request": {"urlPathPattern": f"/{re.escape(service)}{re.escape(base)}(/[^/]+)?"},
                "response": {
                    "transformers": ["crud"],
                    "transformerParameters": {"collection": name, "basePath": f"/{service}{base}"},
                },
                "metadata": {"mockbdd": {"service": service, "tagMap": tag_map.name}},
            }
            parse_stub_mapping(mapping, extensions=extensions)
        except (StubError, InvalidInput) as exc:
            detail = f"collection {name!r}: {exc.pointer or '/'}: {exc.reason}"
            raise scope.map_error(tag_map, None, where, detail) from None
        out[name] = wire
        stubs.append(ResolvedStub(service, mapping, owner.name, levels.get(owner, "scenario")))
    return tuple(stubs), out


def _templates(
    scope: Scope,
    keyed: Mapping[str, Mapping[str, tuple[MapApplication, Any]]],
    levels: Mapping[MapApplication, Level],
    extensions: Extensions,
) -> tuple[ResolvedStub, ...]:
    """The ``templates:`` folder of the most specific map that names one, read now and sent
    as one stub at the lowest priority (``mockbdd.templating.file_routes``): the server needs
    no copy of the folder, and a file that does not compile is the map's error, with its line."""
    found = keyed.get("templates", {}).get("folder")
    if found is None:
        return ()
    app, folder = found
    tag_map = scope.registry.get(app.name)
    shown = display_path(Path(folder))
    try:
        mapping = templates_stub(Path(folder), shown)
        mapping["metadata"]["mockbdd"]["tagMap"] = tag_map.name
        parse_stub_mapping(mapping, extensions=extensions)
    except (OSError, UnicodeDecodeError) as exc:
        detail = f"'templates': cannot read {shown}: {exc}"
        raise scope.map_error(tag_map, None, ("templates",), detail) from None
    except InvalidInput as exc:
        reason = exc.reason.removeprefix(f"{TEMPLATE_FILES}: ")
        detail = f"'templates' ({shown}): {reason}"
        raise scope.map_error(tag_map, None, ("templates",), detail) from None
    except ValueError as exc:
        detail = f"'templates' ({shown}): {exc}"
        raise scope.map_error(tag_map, None, ("templates",), detail) from None
    return (ResolvedStub("", mapping, app.name, levels.get(app, "scenario")),)


def _stub_at(tag_map: TagMap, path: tuple[str, ...]) -> str:
    return f"{tag_map.file}:{tag_map.index.locate(path)[0]}"


def _only_service(tag_map: TagMap) -> str:
    """The service a map's collections default to: its only one ('' with none or several)."""
    services = tag_map.services
    return services[0] if len(services) == 1 else ""


def _finish_stub(scope: Scope, candidate: Candidate, extensions: Extensions) -> dict[str, Any]:
    """Service prefix, ``metadata.mockbdd``, then the full WireMock check."""
    template = candidate.template
    tag_map = scope.registry.get(candidate.app.name)
    try:
        mapping = prefix_service(candidate.stub, template.service)
        metadata = dict(mapping.get("metadata") or {})
        metadata["mockbdd"] = {"service": template.service, "tagMap": tag_map.name}
        mapping["metadata"] = metadata
        parse_stub_mapping(mapping, extensions=extensions)
    except StubError as exc:
        sub = source_path((), exc.pointer, template.body)
        detail = f"{exc.pointer or '/'}: {exc.reason}"
        raise scope.map_error(tag_map, template, sub, detail) from None
    except InvalidInput as exc:
        first, *more = (
            scope.map_error(
                tag_map,
                template,
                source_path((), e.pointer, template.body),
                f"{e.pointer or '/'}: {e.reason}",
            )
            for e in exc.all()
        )
        raise first.with_more(more) from None
    return mapping


def _normalise_settings(
    scope: Scope, settings: Mapping[str, tuple[MapApplication, Any]]
) -> dict[str, Any]:
    """``delay`` (a duration) → ``fixedDelay`` in milliseconds."""
    out = {key: value for key, (_, value) in settings.items()}
    for key in ("delay", "fixedDelay"):
        if key in out and not isinstance(out[key], int):
            try:
                out[key] = parse_duration(out[key])
            except ValueError as exc:
                tag_map = scope.registry.get(settings[key][0].name)
                raise scope.map_error(tag_map, None, ("settings", key), f"{key!r}: {exc}") from None
    if "delay" in out:
        out["fixedDelay"] = out.pop("delay")
    return out
