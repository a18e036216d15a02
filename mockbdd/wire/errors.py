"""Turn pydantic validation errors into ``InvalidInput`` with a JSON pointer and a plain reason."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pydantic import BaseModel, ValidationError

from mockbdd.domain.errors import InvalidInput


def pointer_of(loc: Iterable[int | str], base: str = "") -> str:
    # discriminated unions add the tag value as a location step: drop it
    parts = [
        str(p) for p in loc if not (isinstance(p, str) and p in {"fixed", "uniform", "lognormal"})
    ]
    return base + "".join(f"/{p}" for p in parts)


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
