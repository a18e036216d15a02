"""``@record``: a frozen, slotted dataclass whose methods are shared, not generated per class.

``@dataclass(frozen=True, slots=True)`` compiles six functions for each class (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``) and, on Python 3.10
and 3.11, keeps the class it replaced alive as well (the frozen ``__setattr__`` closes over it):
about 15 KiB of a server's resident memory per class, and a server that has answered one
request has loaded some 150 of them. A record is the same dataclass (``dataclasses.fields``,
``replace``, ``asdict``, pickling, ``__match_args__`` and its generated ``__init__`` all as
before) whose comparison, hash, repr and refusal to be written to are written once, here:
about 7 KiB a class. Equality and hashing are the dataclass's own rules (the fields that
``compare``, those that ``hash``; ``other`` must be of the same class), as is the repr; a
method the class body defines itself is kept, as a dataclass keeps it.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: object) -> Callable[[Any], Any]:
        return lambda decorator: decorator


T = TypeVar("T")


Key = Callable[[Any], tuple[Any, ...]]


def _key(names: tuple[str, ...]) -> Key:
    """A tuple of the named attributes (in C: ``attrgetter`` of two or more names gives one)."""
    if len(names) >= 2:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


# Each class gets its own closures of these: a function object, its code shared by all.


def _eq_of(key: Key) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:  # a bool, or NotImplemented
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _hash_of(key: Key) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _repr_of(names: tuple[str, ...]) -> Callable[[Any], str]:
    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _setattr(self: Any, name: str, value: object) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


@dataclass_transform(frozen_default=True, eq_default=True)
def record(cls: type[T], /) -> type[T]:
    """``@record``: a frozen, slotted dataclass with shared methods."""
    made = dataclasses.dataclass(cls, frozen=True, slots=True, eq=False, repr=False)
    fields = dataclasses.fields(made)  # type: ignore[arg-type]
    compared = tuple(f.name for f in fields if f.compare)
    hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    key = _key(compared)
    shared: dict[str, object] = {
        # the dataclass's own pair close over the class ``slots`` replaced, keeping it alive
        "__setattr__": _setattr,
        "__delattr__": _delattr,
    }
    own = cls.__dict__
    if "__eq__" not in own:
        shared["__eq__"] = _eq_of(key)
    if own.get("__hash__") is None:  # none of its own (a body's __eq__ leaves __hash__ None)
        shared["__hash__"] = _hash_of(key if hashed == compared else _key(hashed))
    if "__repr__" not in own:
        shared["__repr__"] = _repr_of(tuple(f.name for f in fields if f.repr))
    for name, method in shared.items():
        if name in ("__eq__", "__hash__", "__repr__"):  # a closure of the class's own
            method.__qualname__ = f"{cls.__qualname__}.{name}"  # type: ignore[attr-defined]
        setattr(made, name, method)
    return made
