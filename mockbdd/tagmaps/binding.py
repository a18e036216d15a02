"""From a tag to map applications: ``extends`` depth first, parameters bound and typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mockbdd.tagmaps.errors import MockBddError, TagMapError, TagParamError, UnknownTagError, where
from mockbdd.tagmaps.params import BoundValue, coerce
from mockbdd.tagmaps.registry import StubTemplate, TagMap, TagMapRegistry
from mockbdd.tagmaps.tags import MockTag


@dataclass(frozen=True)
class Scope:
    """The registry and where the tags are written (for messages)."""

    registry: TagMapRegistry
    feature_file: str | None = None
    line: int | None = None

    @property
    def at(self) -> str:
        return where(self.feature_file, self.line)

    def locate(self, error: MockBddError) -> MockBddError:
        return error.located(self.feature_file, self.line)

    def check_known(self, tag: MockTag) -> None:
        if tag.name in self.registry:
            return
        close = self.registry.suggest(tag.name)
        raise UnknownTagError(
            tag.tag,
            known=[f"@mock:{n}" for n in self.registry.names()],
            suggestion=f"@mock:{close}" if close else None,
            file=self.feature_file,
            line=self.line,
            source=self.registry.source,
            searched=self.registry.searched,
        )

    def map_error(
        self, tag_map: TagMap, template: StubTemplate | None, sub: tuple[str, ...], detail: str
    ) -> TagMapError:
        """An error in ``tag_map`` at its file:line, saying where the map was applied."""
        path = template.path if template else tag_map.path
        hint = f"applied at {self.at}" if self.at else None
        return tag_map.index.error((*path, *sub), f"{detail} (map {tag_map.name!r})", hint)

    def param_error(self, tag: MockTag, detail: str) -> TagParamError:
        return TagParamError(detail, tag=tag.raw, file=self.feature_file, line=self.line)


Values = tuple[tuple[str, BoundValue], ...]


@dataclass(frozen=True)
class MapApplication:
    """One map applied with its bound parameter values; ``root`` is the tag that brought it."""

    name: str
    values: Values
    root: MockTag = field(compare=False)

    @property
    def label(self) -> str:
        args = ", ".join(f"{k}={v.text}" for k, v in self.values)
        return f"'{self.name}' ({args})" if args else f"'{self.name}'"


def expand(scope: Scope, tag: MockTag, offed: frozenset[str] = frozenset()) -> list[MapApplication]:
    """``tag``'s map and what it extends, extended maps first; maps in ``offed`` are skipped
    with whatever only they bring. A value reaches an extended map that declares the same
    parameter: from the tag, else from the nearest extending map."""
    if tag.name in offed:
        return []
    registry = scope.registry
    given = tag.param_dict
    reachable = {tag.name, *registry.ancestors(tag.name)}
    declared = sorted({p for name in reachable for p in registry.get(name).params})
    for key in sorted(given):
        if key not in declared and key != SEED_PARAM:
            raise _unknown_param(scope, tag, key, declared)
    apps: list[MapApplication] = []

    def visit(name: str, inherited: Mapping[str, BoundValue]) -> None:
        tag_map = registry.get(name)
        app = MapApplication(name, _bind(scope, tag_map, tag, inherited), tag)
        if app in apps:
            return
        passed = {**inherited, **dict(app.values)}
        for parent in tag_map.extends:
            if parent not in offed:
                visit(parent, passed)
        if app not in apps:
            apps.append(app)

    visit(tag.name, {})
    return apps


SEED_PARAM = "seed"  # @mock:<name>:seed=N seeds the namespace, whatever parameters the map has


def tag_seed(scope: Scope, tag: MockTag) -> int | None:
    """The namespace seed a tag gives (``seed=N``), unless its map takes a ``seed`` of its own."""
    raw = tag.param_dict.get(SEED_PARAM)
    if raw is None or SEED_PARAM in scope.registry.get(tag.name).params:
        return None
    if not raw.isdigit():
        raise scope.param_error(tag, f"bad value {raw!r} for seed of {tag.tag}: a whole number")
    return int(raw)


def _unknown_param(scope: Scope, tag: MockTag, key: str, declared: list[str]) -> TagParamError:
    import difflib  # only when a close name is wanted (idle RSS)

    close = difflib.get_close_matches(key, declared, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    known = f"known parameters: {', '.join(declared)}" if declared else "it takes no parameters"
    return scope.param_error(tag, f"unknown parameter {key!r} for {tag.tag}{hint} ({known})")


def _bind(
    scope: Scope, tag_map: TagMap, tag: MockTag, inherited: Mapping[str, BoundValue]
) -> Values:
    given = tag.param_dict
    values: list[tuple[str, BoundValue]] = []
    for param in tag_map.params.values():
        if param.name in given or param.name in inherited:
            raw = given.get(param.name) or inherited[param.name].text
            try:
                value = coerce(param.type, raw)
            except ValueError as exc:
                raise scope.param_error(
                    tag,
                    f"bad value {raw!r} for parameter {param.name!r} ({param.type}) of "
                    f"{tag.tag}: {exc}",
                ) from None
        elif param.default is not None:
            value = param.default
        else:
            via = "" if tag_map.name == tag.name else f" (extended by {tag.tag})"
            raise scope.param_error(
                tag,
                f"map '{tag_map.name}'{via} needs parameter {param.name!r} ({param.type}): "
                f"write {tag.tag}:{param.name}=<value>",
            )
        values.append((param.name, value))
    return tuple(values)
