"""Typed tag-map parameters: durations, ints and strings, and ``{name}`` placeholders.

A placeholder that is a whole string value becomes the typed value (a duration becomes its
milliseconds as an int, an int stays an int); inside a longer string it becomes its text.
``{{name}}`` (template syntax) is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

ParamType = Literal["duration", "int", "str"]
PARAM_TYPES: tuple[ParamType, ...] = ("duration", "int", "str")

PLACEHOLDER_RE = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m)?\Z")
_UNIT_MS = {"ms": 1.0, "s": 1000.0, "m": 60_000.0, None: 1.0}
DURATION_HINT = "a duration such as 250ms, 2s, 1.5s or 1m (a bare number is milliseconds)"


def parse_duration(value: object) -> int:
    """``250ms`` → 250, ``2s`` → 2000, ``1.5s`` → 1500, ``300`` → 300. Raises ``ValueError``."""
    if isinstance(value, bool):
        raise ValueError(f"expected {DURATION_HINT}, got {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"a duration cannot be negative, got {value!r}")
        return round(value)
    if isinstance(value, str):
        match = _DURATION_RE.match(value.strip())
        if match:
            return round(float(match.group(1)) * _UNIT_MS[match.group(2)])
    raise ValueError(f"expected {DURATION_HINT}, got {value!r}")


@dataclass(frozen=True)
class BoundValue:
    """A parameter value: ``text`` as written, ``value`` typed (ms for durations)."""

    type: ParamType
    text: str
    value: int | str


def coerce(param_type: ParamType, raw: object) -> BoundValue:
    """Type one raw value (from a tag or a YAML default). Raises ``ValueError`` with the reason."""
    text = str(raw)
    if param_type == "duration":
        return BoundValue("duration", text, parse_duration(raw))
    if param_type == "int":
        if isinstance(raw, bool | float):
            raise ValueError(f"expected an integer, got {raw!r}")
        try:
            return BoundValue("int", text, int(text.strip()))
        except ValueError:
            raise ValueError(f"expected an integer, got {raw!r}") from None
    if isinstance(raw, bool | list | dict) or raw is None:
        raise ValueError(f"expected a string, got {raw!r}")
    return BoundValue("str", text, text)


@dataclass(frozen=True)
class ParamDef:
    """A declared parameter: ``default`` is ``None`` when the tag must give a value."""

    name: str
    type: ParamType
    default: BoundValue | None = None
    description: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None


def placeholders(text: str) -> list[str]:
    """Names of the ``{name}`` placeholders in one string."""
    return PLACEHOLDER_RE.findall(text)


def substitute(obj: Any, values: Mapping[str, BoundValue]) -> Any:
    """A new structure with declared placeholders replaced; undeclared ones stay as written."""
    if isinstance(obj, dict):
        return {key: substitute(val, values) for key, val in obj.items()}
    if isinstance(obj, list):
        return [substitute(item, values) for item in obj]
    if isinstance(obj, str) and values:
        return _substitute_str(obj, values)
    return obj


def _substitute_str(text: str, values: Mapping[str, BoundValue]) -> Any:
    whole = PLACEHOLDER_RE.fullmatch(text)
    if whole and whole.group(1) in values:
        return values[whole.group(1)].value
    return PLACEHOLDER_RE.sub(
        lambda m: values[m.group(1)].text if m.group(1) in values else m.group(0), text
    )
