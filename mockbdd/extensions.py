"""One registry for every extension point: content operators, delay types, faults, response
transformers, custom matchers, data-plane stages and service plugins.

The registry knows nothing of what it holds. Each layer that consumes a kind of extension
declares a typed :class:`Kind` key next to the protocol its entries implement (as pytest's
``StashKey``), so this module imports nothing of mockbdd and every layer may use it:

    # mockbdd/domain/faults.py
    FAULTS: Kind[FaultAction] = Kind("fault")

    # a plugin
    def register(extensions: Extensions) -> None:
        extensions.add(FAULTS, "SLOW_LORIS", SlowLoris())

Built-in features register through the same :meth:`Extensions.add` as plugins do. Plugins are
found through the ``mockbdd.plugins`` entry-point group; each entry point names a callable
taking the :class:`Extensions` being assembled. An instance per server, never a global: a
frozen instance is immutable, and its consumers may cache lookup tables derived from it
(:meth:`Extensions.derived`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

ENTRY_POINT_GROUP = "mockbdd.plugins"


@dataclass(frozen=True, eq=False)
class Kind(Generic[T]):
    """A typed key for one kind of extension; identity is the key (two kinds never collide).

    ``check`` returns why an entry cannot be registered under a name ('' when it can), so a
    plugin that registers the wrong thing fails at start-up, naming itself, not at the first
    request that needs it."""

    label: str  # what errors call an entry of this kind: "delay type", "fault", ...
    check: Callable[[str, Any], str] | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"Kind({self.label!r})"


class ExtensionError(ValueError):
    """A plugin that cannot be loaded, registers a name twice or registers the wrong thing."""


Register = Callable[["Extensions"], None]


class Extensions:
    """Named entries per :class:`Kind`, in registration order. Immutable once frozen."""

    def __init__(self) -> None:
        self._entries: dict[Kind[Any], dict[str, Any]] = {}
        self._origin: dict[tuple[Kind[Any], str], str] = {}
        self._frozen = False
        self._plugins: tuple[str, ...] = ()
        self._derived: dict[Callable[[Extensions], Any], Any] = {}

    @property
    def plugins(self) -> tuple[str, ...]:
        """The entry points loaded, by name, for /health and errors."""
        return self._plugins

    @property
    def frozen(self) -> bool:
        return self._frozen

    def add(self, kind: Kind[T], name: str, entry: T, *, origin: str = "mockbdd") -> None:
        self._may_add(kind, name, origin)
        problem = kind.check(name, entry) if kind.check is not None else ""
        if problem:
            raise ExtensionError(f"{origin}: {kind.label} {name!r}: {problem}")
        self._put(kind, name, entry, origin)

    def add_on_first_use(
        self, kind: Kind[T], name: str, make: Callable[[], T], *, origin: str = "mockbdd"
    ) -> None:
        """The entry ``make()`` returns, made when it is first looked up (:meth:`get`,
        :meth:`items`): a built-in whose module a server that never uses it does not import
        (idle RSS). The name is taken now, so a plugin registering it again is refused at
        start-up; ``kind``'s check runs on the entry when it is made."""
        self._may_add(kind, name, origin)
        self._put(kind, name, _OnFirstUse(make), origin)

    def _may_add(self, kind: Kind[Any], name: str, origin: str) -> None:
        if self._frozen:
            raise ExtensionError(f"cannot add {kind.label} {name!r}: the extensions are in use")
        if not isinstance(name, str) or not name:
            raise ExtensionError(f"{origin}: a {kind.label} needs a non-empty name, got {name!r}")

    def _put(self, kind: Kind[Any], name: str, entry: object, origin: str) -> None:
        table = self._entries.setdefault(kind, {})
        if name in table:
            first = self._origin[(kind, name)]
            raise ExtensionError(f"{kind.label} {name!r} is registered twice ({first}, {origin})")
        table[name] = entry
        self._origin[(kind, name)] = origin

    def get(self, kind: Kind[T], name: str) -> T | None:
        entry: T | None = self._entries.get(kind, {}).get(name)
        if isinstance(entry, _OnFirstUse):
            made: T = self._made(kind, name, entry)
            return made
        return entry

    def kinds(self) -> tuple[Kind[Any], ...]:
        """The kinds that have entries, in the order their first entry was added."""
        return tuple(kind for kind, table in self._entries.items() if table)

    def names(self, kind: Kind[Any]) -> tuple[str, ...]:
        return tuple(self._entries.get(kind, {}))

    def items(self, kind: Kind[T]) -> Iterator[tuple[str, T]]:
        table = self._entries.get(kind, {})
        for name, entry in list(table.items()):
            yield name, self._made(kind, name, entry) if isinstance(entry, _OnFirstUse) else entry

    def _made(self, kind: Kind[T], name: str, pending: _OnFirstUse[T]) -> T:
        """The entry of ``pending``, made now and kept in its place (the same object from
        then on, frozen or not)."""
        entry = pending.make()
        problem = kind.check(name, entry) if kind.check is not None else ""
        if problem:
            raise ExtensionError(f"{self._origin[(kind, name)]}: {kind.label} {name!r}: {problem}")
        self._entries[kind][name] = entry
        return entry

    def origin(self, kind: Kind[Any], name: str) -> str | None:
        return self._origin.get((kind, name))

    def freeze(self) -> Extensions:
        self._frozen = True
        return self

    def derived(self, build: Callable[[Extensions], R]) -> R:
        """``build(self)``, computed once per instance: the lookup tables a codec derives from
        the entries (so decoding costs one dict lookup more, not a rebuild). Only once frozen:
        a table of a registry still being assembled would go stale."""
        try:
            value: R = self._derived[build]
        except KeyError:
            if not self._frozen:
                raise ExtensionError("derived tables need frozen extensions") from None
            value = self._derived[build] = build(self)
        return value


class _OnFirstUse(Generic[T]):
    """An entry of :meth:`Extensions.add_on_first_use` not looked up yet."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], T]) -> None:
        self.make = make


def assemble(
    registers: Iterable[Register],
    *,
    plugins: bool = True,
    entry_points: Iterable[metadata.EntryPoint] | None = None,
) -> Extensions:
    """A frozen :class:`Extensions`: the built-in ``registers`` in order, then (``plugins``)
    every ``mockbdd.plugins`` entry point."""
    extensions = Extensions()
    for register in registers:
        register(extensions)
    if plugins:
        load_plugins(extensions, entry_points)
    return extensions.freeze()


def load_plugins(
    extensions: Extensions, entry_points: Iterable[metadata.EntryPoint] | None = None
) -> Extensions:
    """Run every ``mockbdd.plugins`` entry point's register function against ``extensions``.
    A plugin that fails to import or to register is an :class:`ExtensionError` naming it; every
    failing plugin is named at once, so one start-up shows them all."""
    found = metadata.entry_points(group=ENTRY_POINT_GROUP) if entry_points is None else entry_points
    loaded = list(extensions.plugins)
    problems: list[str] = []
    for ep in sorted(found, key=lambda e: e.name):
        try:
            _load(extensions, ep)
        except ExtensionError as exc:
            problems.append(str(exc))
        else:
            loaded.append(ep.name)
    if problems:
        raise ExtensionError("; ".join(problems) if len(problems) == 1 else _listed(problems))
    extensions._plugins = tuple(loaded)
    return extensions


def _listed(problems: list[str]) -> str:
    return f"{len(problems)} plugins cannot be used:\n" + "\n".join(f"  {p}" for p in problems)


def _load(extensions: Extensions, ep: metadata.EntryPoint) -> None:
    origin = f"plugin {ep.name!r} ({ep.value})"
    try:
        register = ep.load()
    except Exception as exc:  # any import error of third-party code: report, do not crash
        raise ExtensionError(f"{origin} cannot be loaded: {exc}") from exc
    if not callable(register):
        raise ExtensionError(f"{origin} is not callable: it must take the Extensions")
    _register(extensions, register, origin)


def _register(extensions: Extensions, register: Register, origin: str) -> None:
    try:
        register(_Scoped(extensions, origin))  # type: ignore[arg-type]
    except ExtensionError:
        raise
    except Exception as exc:
        raise ExtensionError(f"{origin} failed to register: {exc}") from exc


class _Scoped:
    """The view a plugin's register function gets: every ``add`` is attributed to it, and it
    can read what is registered so far but not freeze the registry."""

    def __init__(self, extensions: Extensions, origin: str) -> None:
        self._extensions = extensions
        self._origin = origin

    def add(self, kind: Kind[T], name: str, entry: T, *, origin: str | None = None) -> None:
        self._extensions.add(kind, name, entry, origin=origin or self._origin)

    def add_on_first_use(
        self, kind: Kind[T], name: str, make: Callable[[], T], *, origin: str | None = None
    ) -> None:
        self._extensions.add_on_first_use(kind, name, make, origin=origin or self._origin)

    def get(self, kind: Kind[T], name: str) -> T | None:
        return self._extensions.get(kind, name)

    def names(self, kind: Kind[Any]) -> tuple[str, ...]:
        return self._extensions.names(kind)

    def items(self, kind: Kind[T]) -> Iterator[tuple[str, T]]:
        return self._extensions.items(kind)
