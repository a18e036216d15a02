"""Turn pydantic validation errors into ``InvalidInput`` with a JSON pointer and a plain reason."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mockbdd.domain.errors import InvalidInput
from mockbdd.extensions import Extensions, Kind

T = TypeVar("T")


def pointer_of(loc: Iterable[int | str], base: str = "") -> str:
    return base + "".join(f"/{p}" for p in loc)


def to_invalid_input(exc: ValidationError, model: type[BaseModel], base: str = "") -> InvalidInput:
    err = exc.errors(include_url=False)[0]
    loc = tuple(err["loc"])
    pointer = pointer_of(loc, base)
    if err["type"] == "extra_forbidden":
        name = str(loc[-1])
        known = _known_fields(model, loc[:-1])
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return InvalidInput(pointer, f"unknown field {name!r}{hint}")
    return InvalidInput(pointer, str(err["msg"]))


def unknown_name(label: str, name: object, known: Iterable[str]) -> str:
    """The reason for a name no registry entry has, listing the valid choices:
    ``Input should be a registered fault (A, B), got 'X'; did you mean 'A'?``."""
    choices = list(known)
    if not choices:
        return (
            f"no {label} is registered, got {name!r} (plugins register them through the "
            "mockbdd.plugins entry points)"
        )
    close = (
        difflib.get_close_matches(name, choices, n=1, cutoff=0.7) if isinstance(name, str) else []
    )
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"Input should be a registered {label} ({', '.join(choices)}), got {name!r}{hint}"


def registered(extensions: Extensions, kind: Kind[T], name: str, pointer: str) -> T:
    """The entry registered as ``name``, or ``InvalidInput`` listing the valid choices."""
    entry = extensions.get(kind, name)
    if entry is None:
        raise InvalidInput(pointer, unknown_name(kind.label, name, extensions.names(kind)))
    return entry


def check_parameters(check: Callable[[Any], None], parameters: Any, pointer: str) -> None:
    """A plugin's ``check``: its ValueError is the client's mistake, told in its words."""
    try:
        check(parameters)
    except ValueError as exc:
        raise InvalidInput(pointer, str(exc)) from None


def _known_fields(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    current: type[BaseModel] | None = model
    for step in loc:
        if current is None or isinstance(step, int):
            continue
        field = current.model_fields.get(str(step))
        current = None
        if field is not None:
            for candidate in _models_in(field.annotation):
                current = candidate
    return list(current.model_fields) if current is not None else []


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_models_in(arg))
    return found
