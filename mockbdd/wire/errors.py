"""Turn pydantic validation errors into ``InvalidInput`` with a JSON pointer and a plain reason."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mockbdd.domain.errors import InvalidInput, unknown_field
from mockbdd.extensions import Extensions, Kind

T = TypeVar("T")


def pointer_of(loc: Iterable[int | str], base: str = "") -> str:
    return base + "".join(f"/{p}" for p in loc)


def to_invalid_input(exc: ValidationError, model: type[BaseModel], base: str = "") -> InvalidInput:
    """Every problem pydantic found, each as a JSON pointer and a reason in mockbdd's words (the
    first is the error's own field and reason, the others are in ``more``)."""
    found: dict[str, list[Mapping[str, Any]]] = {}
    raw = exc.errors(include_url=False)
    for err in raw:
        if _wrong_branch(err, raw):
            continue
        loc = tuple(step for step in err["loc"] if not _is_union_member(step))
        found.setdefault(pointer_of(loc, base), []).append({**err, "loc": loc})
    errors = [InvalidInput(pointer, reason_of(errs, model)) for pointer, errs in found.items()]
    return InvalidInput.of(errors)


def _wrong_branch(err: Mapping[str, Any], errors: Sequence[Mapping[str, Any]]) -> bool:
    """A union member whose type the value is not, when another member took the value and
    found a problem inside it (``postServeActions`` as a list with a bad entry is not also
    "must be a JSON object", its other form)."""
    loc = tuple(err["loc"])
    if str(err["type"]) not in _KIND_WORDS or not loc or not _is_union_member(loc[-1]):
        return False
    union = loc[:-1]
    return any(
        tuple(other["loc"])[: len(union)] == union
        and len(other["loc"]) > len(loc)
        and _is_union_member(other["loc"][len(union)])
        for other in errors
    )


# the steps pydantic adds to a location for the member of a union it tried (``str``,
# ``list[str]``, ``dict[str,any]``, a model's name): not a part of the input
_UNION_MEMBER = re.compile(r"^(str|int|float|bool|none|[a-z]+\[.*\]|\w+Model|function-\w+\[.*)$")


def _is_union_member(step: int | str) -> bool:
    return isinstance(step, str) and _UNION_MEMBER.match(step) is not None


_KIND_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a JSON object",
    "model_type": "a JSON object",
    "model_attributes_type": "a JSON object",
    "list_type": "a list",
    "none_required": "null",
}
_BOUNDS = {
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("greater than", "gt"),
}


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def shown(value: Any) -> str:
    """A given value as a message quotes it: ``'abc'``, ``900``, ``[1]``, ``{"a": 1}``."""
    text = repr(value) if isinstance(value, str) else _json(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _json(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def reason_of(errs: list[Mapping[str, Any]], model: type[BaseModel]) -> str:
    """One field's problems (several when it is a union: one per member tried) as one reason."""
    first = errs[0]
    kind, ctx, loc = str(first["type"]), first.get("ctx") or {}, first["loc"]
    got = f", got {shown(first['input'])}"
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else ""
        known = _known_fields(model, loc[:-1])
        return unknown_field(name, known)
    if kind == "missing":
        return "required"
    if kind in _BOUNDS:
        words, key = _BOUNDS[kind]
        return f"must be {words} {_number(ctx.get(key))}{got}"
    if kind in ("too_short", "too_long"):
        words = "at least" if kind == "too_short" else "at most"
        count = ctx.get("min_length" if kind == "too_short" else "max_length")
        return f"must have {words} {count} item{'' if count == 1 else 's'}{got}"
    if kind == "literal_error":
        return f"must be one of {str(ctx.get('expected', '')).replace(' or ', ', ')}{got}"
    if kind == "union_tag_invalid":
        tags = str(ctx.get("expected_tags", "")).replace(" or ", ", ")
        return (
            f"unknown {ctx.get('discriminator', 'type')} {ctx.get('tag')!r}: choose one of {tags}"
        )
    if kind == "union_tag_not_found":
        return f"needs {ctx.get('discriminator', 'type')}"
    kinds = [_KIND_WORDS[str(e["type"])] for e in errs if str(e["type"]) in _KIND_WORDS]
    if kinds:
        return f"must be {' or '.join(dict.fromkeys(kinds))}{got}"
    message = str(first["msg"])
    if kind == "value_error":  # a validator's own reason: pydantic prefixes "Value error, "
        return message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def unknown_name(label: str, name: object, known: Iterable[str]) -> str:
    """The reason for a name no registry entry has, listing the valid choices:
    ``must be one of the registered faults (A, B), got 'X'; did you mean 'A'?`` (mockbdd's
    words, as ``reason_of`` says a literal's choices)."""
    choices = list(known)
    if not choices:
        return (
            f"no {label} is registered, got {name!r} (plugins register them through the "
            "mockbdd.plugins entry points)"
        )
    import difflib  # only when a close name is wanted (idle RSS)

    close = (
        difflib.get_close_matches(name, choices, n=1, cutoff=0.7) if isinstance(name, str) else []
    )
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"must be one of the registered {label}s ({', '.join(choices)}), got {name!r}{hint}"


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
