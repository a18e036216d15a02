"""Tag-map files (``tag_maps/*.yaml``): loading with line numbers, validation, the registry."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from mockbdd.tagmaps.errors import TagMapError, TagMapLoadError
from mockbdd.tagmaps.models import (
    PluginServiceModel,
    TagMapFileModel,
    TagMapModel,
    validation_errors,
)
from mockbdd.tagmaps.params import ParamDef, coerce
from mockbdd.tagmaps.stubs import check_delay_value, check_stub, service_problem
from mockbdd.tagmaps.tags import NAME_RE, PARAM_KEY_RE
from mockbdd.tagmaps.yaml_lines import DataPath, LineIndex, load_yaml

ENV_VAR = "MOCKBDD_TAG_MAPS"
DEFAULT_DIR = "tag_maps"


@dataclass(frozen=True)
class StubTemplate:
    """One stub as written in the file (shorthands kept, placeholders not yet substituted)."""

    service: str
    body: Mapping[str, Any]
    path: DataPath  # ("maps", <map>, "services", <service>, "<index>")


@dataclass(frozen=True)
class TagMap:
    """One validated map; ``index`` finds the file line of any of its parts."""

    name: str
    file: str
    line: int
    index: LineIndex = field(repr=False, compare=False)
    description: str | None = None
    extends: tuple[str, ...] = ()
    params: Mapping[str, ParamDef] = field(default_factory=lambda: MappingProxyType({}))
    stubs: tuple[StubTemplate, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    scenarios: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    collections: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # service -> {plugin, config}: services a service plugin answers (mounted when applied)
    mounts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # ``templates:``: the folder of template files (absolute), read when the map is applied
    templates: str | None = None

    @property
    def path(self) -> DataPath:
        return ("maps", self.name)

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*(s.service for s in self.stubs), *self.mounts]))

    def error(self, sub: Iterable[str], detail: str) -> TagMapError:
        return self.index.error((*self.path, *sub), detail)


class TagMapRegistry:
    """All maps by name; immutable once built. ``source`` is the directory (None if none);
    ``searched`` says where maps were looked for when none were found."""

    __slots__ = ("_ancestors", "_maps", "_searched", "_source")

    def __init__(
        self,
        maps: Iterable[TagMap] = (),
        *,
        source: str | None = None,
        searched: str | None = None,
    ) -> None:
        by_name: dict[str, TagMap] = {}
        errors: list[TagMapError] = []
        for tag_map in maps:
            first = by_name.get(tag_map.name)
            if first is not None:
                errors.append(
                    tag_map.error(
                        (),
                        f"map {tag_map.name!r} is also defined at {first.file}:{first.line}; "
                        "map names must be unique across tag-map files",
                    )
                )
                continue
            by_name[tag_map.name] = tag_map
        errors += _graph_errors(by_name)
        if errors:
            raise TagMapLoadError(sorted(errors, key=_error_order))
        self._maps: Mapping[str, TagMap] = MappingProxyType(by_name)
        self._source = source
        self._searched = searched
        self._ancestors: Mapping[str, frozenset[str]] = MappingProxyType(
            {name: _ancestors(by_name, name) for name in by_name}
        )

    @classmethod
    def load_dir(cls, path: str | os.PathLike[str]) -> TagMapRegistry:
        """Load every ``*.yaml``/``*.yml`` in ``path`` (or the one file ``path``)."""
        directory = Path(path)
        if not directory.exists():
            raise missing_folder(directory)
        files = (
            [directory]
            if directory.is_file()
            else sorted(
                p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
            )
        )
        maps: list[TagMap] = []
        errors: list[TagMapError] = []
        for file in files:
            found, problems = load_file(file)
            maps += found
            errors += problems
        if errors:
            raise TagMapLoadError(sorted(errors, key=_error_order))
        return cls(maps, source=display_path(directory))

    @classmethod
    def from_texts(cls, texts: Mapping[str, str]) -> TagMapRegistry:
        """Build from ``{file name: YAML text}`` (inline maps, tests)."""
        maps: list[TagMap] = []
        errors: list[TagMapError] = []
        for file, text in texts.items():
            found, problems = parse_tag_map_text(text, file)
            maps += found
            errors += problems
        if errors:
            raise TagMapLoadError(sorted(errors, key=_error_order))
        return cls(maps, source="<inline>")

    @property
    def source(self) -> str | None:
        return self._source

    @property
    def searched(self) -> str | None:
        return self._searched

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._maps))

    def get(self, name: str) -> TagMap:
        """The map called ``name``; ``KeyError`` if there is none."""
        return self._maps[name]

    def __contains__(self, name: object) -> bool:
        return name in self._maps

    def __iter__(self) -> Iterator[TagMap]:
        return iter(self._maps[name] for name in self.names())

    def __len__(self) -> int:
        return len(self._maps)

    def ancestors(self, name: str) -> frozenset[str]:
        """Every map ``name`` reaches through ``extends``, transitively (not itself)."""
        return self._ancestors[name]

    def suggest(self, name: str) -> str | None:
        import difflib  # only when a close name is wanted (idle RSS)

        close = difflib.get_close_matches(name, self.names(), n=1)
        return close[0] if close else None

    def describe(self) -> list[dict[str, Any]]:
        """JSON-ready summary of every map (for ``mockbdd tags`` and ``GET /tag-maps``)."""
        return [_describe(m) for m in self]


def load_registry(path: str | os.PathLike[str] | None = None) -> TagMapRegistry:
    """The registry from ``path``, else ``$MOCKBDD_TAG_MAPS``, else ``./tag_maps`` when it exists,
    else an empty registry (``source`` None)."""
    origin = None
    if path is None and os.environ.get(ENV_VAR):
        path, origin = os.environ[ENV_VAR], f"${ENV_VAR}"
    if path is None:
        default = Path.cwd() / DEFAULT_DIR
        return TagMapRegistry.load_dir(default) if default.is_dir() else empty_registry()
    target = Path(path)
    if not target.exists():
        raise missing_folder(target, origin)
    return TagMapRegistry.load_dir(target)


def missing_folder(directory: Path, origin: str | None = None) -> TagMapError:
    """A tag-map folder that is not there, said with the absolute path looked at (a relative
    one is read from the current directory) and where it came from."""
    where = f" (from {origin})" if origin else ""
    return TagMapError(
        f"tag-map folder {directory.resolve()} does not exist{where}", file=display_path(directory)
    )


def empty_registry() -> TagMapRegistry:
    """No maps: none were given, and the default folder does not exist (the registry says so)."""
    default = Path.cwd() / DEFAULT_DIR
    return TagMapRegistry(
        searched=f"{default} (the default: {DEFAULT_DIR}/ in the current directory), which "
        f"does not exist, and ${ENV_VAR} is not set"
    )


def display_path(path: Path) -> str:
    """``path`` relative to the current directory when it is under it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def load_file(path: Path) -> tuple[list[TagMap], list[TagMapError]]:
    file = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [TagMapError(f"cannot read tag-map file: {exc}", file=file)]
    return parse_tag_map_text(text, file)


def parse_tag_map_text(text: str, file: str) -> tuple[list[TagMap], list[TagMapError]]:
    """Maps of one file, or the reasons it is broken (each with its line)."""
    try:
        data, index = load_yaml(text, file)
    except TagMapError as exc:
        return [], [exc]
    if not isinstance(data, dict):
        return [], [index.error((), "a tag-map file is a mapping: 'version: 1' and 'maps:'")]
    try:
        model = TagMapFileModel.model_validate(data)
    except ValidationError as exc:
        return [], validation_errors(exc, data, index)
    maps: list[TagMap] = []
    errors: list[TagMapError] = []
    for name, spec in model.maps.items():
        built, problems = _build_map(name, spec, index)
        errors += problems
        if built is not None and not problems:
            maps.append(built)
    return maps, errors


def _build_map(
    name: str, spec: TagMapModel, index: LineIndex
) -> tuple[TagMap | None, list[TagMapError]]:
    path: DataPath = ("maps", name)
    if not NAME_RE.match(name):
        detail = f"map name {name!r} must match [a-z0-9_.-]+ (it is used as @mock:<name>)"
        return None, [index.error(path, detail)]
    errors: list[TagMapError] = []
    params = _build_params(spec, path, index, errors)
    settings = _build_settings(spec, path, index, params, errors)
    stubs: list[StubTemplate] = []
    mounts: dict[str, Any] = {}
    for service, items in spec.services.items():
        problem = service_problem(service)
        if problem:
            errors.append(index.error((*path, "services", service), problem))
            continue
        if isinstance(items, PluginServiceModel):
            mounts[service] = {"plugin": items.plugin, "config": dict(items.config)}
            continue
        for i, body in enumerate(items):
            stub_path = (*path, "services", service, str(i))
            errors += check_stub(body, stub_path, index, params)
            stubs.append(StubTemplate(service, MappingProxyType(body), stub_path))
    tag_map = TagMap(
        name=name,
        file=index.file,
        line=index.line(path),
        index=index,
        description=spec.description,
        extends=tuple(spec.extends),
        params=MappingProxyType(params),
        stubs=tuple(stubs),
        settings=MappingProxyType(settings),
        scenarios=MappingProxyType(dict(spec.scenarios)),
        data=MappingProxyType(dict(spec.data)),
        collections=MappingProxyType(
            {
                k: v.model_dump(by_alias=True, exclude_defaults=True)
                for k, v in spec.collections.items()
            }
        ),
        mounts=MappingProxyType(mounts),
        templates=_templates_folder(spec.templates, path, index, errors),
    )
    return tag_map, errors


def _templates_folder(
    given: str | None, path: DataPath, index: LineIndex, errors: list[TagMapError]
) -> str | None:
    """``templates:`` as an absolute folder: relative to the map's file and inside its folder
    (the map is shared with whoever runs the suite; it may not read elsewhere)."""
    if given is None:
        return None
    home = Path(index.file).resolve().parent
    folder = (home / given).resolve()
    where = (*path, "templates")
    if Path(given).is_absolute() or not folder.is_relative_to(home):
        detail = f"'templates' must be a folder inside {display_path(home)}/, got {given!r}"
        errors.append(index.error(where, detail))
        return None
    if not folder.is_dir():
        detail = f"'templates': no folder {display_path(folder)}"
        errors.append(index.error(where, detail))
        return None
    return str(folder)


def _build_params(
    spec: TagMapModel, path: DataPath, index: LineIndex, errors: list[TagMapError]
) -> dict[str, ParamDef]:
    params: dict[str, ParamDef] = {}
    for pname, pspec in spec.params.items():
        if not PARAM_KEY_RE.match(pname):
            detail = f"parameter name {pname!r} must match [A-Za-z_][A-Za-z0-9_]*"
            errors.append(index.error((*path, "params", pname), detail))
            continue
        default = None
        if pspec.default is not None:
            try:
                default = coerce(pspec.type, pspec.default)
            except ValueError as exc:
                detail = f"default of parameter {pname!r} ({pspec.type}): {exc}"
                errors.append(index.error((*path, "params", pname, "default"), detail))
        params[pname] = ParamDef(pname, pspec.type, default, pspec.description)
    return params


def _build_settings(
    spec: TagMapModel,
    path: DataPath,
    index: LineIndex,
    params: Mapping[str, ParamDef],
    errors: list[TagMapError],
) -> dict[str, Any]:
    if spec.settings is None:
        return {}
    settings = {k: v for k, v in spec.settings if v is not None}
    if "delay" in settings and "fixedDelay" in settings:
        detail = "use either 'delay' or 'fixedDelay', not both"
        errors.append(index.error((*path, "settings", "delay"), detail))
    for key in ("delay", "fixedDelay"):
        if key in settings:
            problem = check_delay_value(settings[key], params)
            if problem:
                errors.append(index.error((*path, "settings", key), f"{key!r}: {problem}"))
    return settings


def _graph_errors(maps: Mapping[str, TagMap]) -> list[TagMapError]:
    """Unknown ``extends`` targets and ``extends`` cycles (``a -> b -> a``)."""
    errors: list[TagMapError] = []
    for tag_map in maps.values():
        for i, parent in enumerate(tag_map.extends):
            if parent not in maps:
                import difflib  # only when a close name is wanted (idle RSS)

                close = difflib.get_close_matches(parent, list(maps), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                detail = f"map {tag_map.name!r} extends unknown map {parent!r}{hint}"
                errors.append(tag_map.error(("extends", str(i)), detail))
    done: set[str] = set()
    reported: set[frozenset[str]] = set()

    def visit(name: str, stack: list[str]) -> None:
        stack.append(name)
        for i, parent in enumerate(maps[name].extends):
            if parent in stack:
                cycle = [*stack[stack.index(parent) :], parent]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    detail = "extends cycle: " + " -> ".join(cycle)
                    errors.append(maps[name].error(("extends", str(i)), detail))
            elif parent in maps and parent not in done:
                visit(parent, stack)
        stack.pop()
        done.add(name)

    for name in sorted(maps):
        if name not in done:
            visit(name, [])
    return errors


def _ancestors(maps: Mapping[str, TagMap], name: str) -> frozenset[str]:
    seen: set[str] = set()
    todo = list(maps[name].extends)
    while todo:
        parent = todo.pop()
        if parent not in seen and parent != name:
            seen.add(parent)
            todo += maps[parent].extends
    return frozenset(seen)


def _error_order(error: TagMapError) -> tuple[str, int, int]:
    return (error.file or "", error.line or 0, error.column or 0)


def _describe(tag_map: TagMap) -> dict[str, Any]:
    return {
        "name": tag_map.name,
        "tag": f"@mock:{tag_map.name}",
        "description": tag_map.description,
        "file": tag_map.file,
        "line": tag_map.line,
        "extends": list(tag_map.extends),
        "params": {
            p.name: {
                "type": p.type,
                "default": p.default.text if p.default else None,
                "required": p.required,
                "description": p.description,
            }
            for p in tag_map.params.values()
        },
        "services": {s: sum(1 for t in tag_map.stubs if t.service == s) for s in tag_map.services},
        "settings": sorted(tag_map.settings),
        "scenarios": dict(tag_map.scenarios),
    }
