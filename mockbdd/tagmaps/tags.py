"""One normaliser for tag strings from every runner.

behave gives ``mock:x`` (a ``str`` subclass), pytest-bdd ``mock:x``, gherkin ``@mock:x``; all
arrive here and leave as a :class:`MockTag`, a :class:`ReservedTag`, or ``None`` when the tag is
not mockbdd's. Syntax: ``@mock:<name>``, ``@mock:<name>:key=v;key2=v``, ``@mock:<name>:off``,
``@mockbdd:strict``, ``@mockbdd:shared``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from mockbdd.tagmaps.errors import TagSyntaxError, UnknownReservedTagError

Level = Literal["feature", "rule", "scenario", "examples"]
LEVELS: tuple[Level, ...] = ("feature", "rule", "scenario", "examples")  # least specific first

MOCK_PREFIX = "mock:"
RESERVED_PREFIX = "mockbdd:"
ReservedName = Literal["shared", "strict"]
_RESERVED: dict[str, ReservedName] = {"shared": "shared", "strict": "strict"}
RESERVED_NAMES: tuple[ReservedName, ...] = tuple(_RESERVED.values())

NAME_RE = re.compile(r"[a-z0-9_.-]+\Z")
PARAM_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# Why each character is refused: what the runners do with it (notes/bdd-runners.md §4, §8.18).
_FORBIDDEN: dict[str, str] = {
    "(": "behave treats () as tag-expression grouping",
    ")": "behave treats () as tag-expression grouping",
    "[": "behave's tag expressions read [] as a wildcard character class",
    "]": "behave's tag expressions read [] as a wildcard character class",
    ",": "behave's tag-expression parser splits on ',' and fails",
    "*": "behave's tag expressions read * as a wildcard",
    "?": "behave's tag expressions read ? as a wildcard",
}


@dataclass(frozen=True)
class MockTag:
    """``@mock:<name>[:k=v;...|:off]``; ``params`` sorted by key, values as written."""

    name: str
    params: tuple[tuple[str, str], ...] = ()
    off: bool = False
    raw: str = field(default="", compare=False)

    @property
    def tag(self) -> str:
        """The map's tag as users write it, without parameters: ``@mock:<name>``."""
        return f"@{MOCK_PREFIX}{self.name}"

    @property
    def canonical(self) -> str:
        """The whole tag in canonical form, with ``@``."""
        if self.off:
            return f"{self.tag}:off"
        if self.params:
            return f"{self.tag}:" + ";".join(f"{k}={v}" for k, v in self.params)
        return self.tag

    @property
    def param_dict(self) -> dict[str, str]:
        return dict(self.params)


@dataclass(frozen=True)
class ReservedTag:
    """``@mockbdd:strict`` or ``@mockbdd:shared``."""

    name: ReservedName
    raw: str = field(default="", compare=False)

    @property
    def tag(self) -> str:
        return f"@{RESERVED_PREFIX}{self.name}"


def parse_tag(raw: str) -> MockTag | ReservedTag | None:
    """Parse one tag from any runner; ``None`` for tags that are not mockbdd's.

    Raises :class:`TagSyntaxError` (or :class:`UnknownReservedTagError`) with the reason.
    """
    text = str(raw).strip()
    body = text[1:] if text.startswith("@") else text
    if body.startswith(MOCK_PREFIX):
        return _parse_mock(body, str(raw))
    if body.startswith(RESERVED_PREFIX):
        return _parse_reserved(body, str(raw))
    return None


def make_mock_tag(name: str, params: Mapping[str, object] | None = None) -> MockTag:
    """Build (and validate) a tag from parts, e.g. from ``pytest.mark.mockbdd(name, **params)``."""
    body = MOCK_PREFIX + name
    if params:
        body += ":" + ";".join(f"{k}={v}" for k, v in params.items())
    return _parse_mock(body, body)


def _parse_mock(body: str, raw: str) -> MockTag:
    shown = "@" + body
    _check_characters(body, shown)
    name, sep, rest = body[len(MOCK_PREFIX) :].partition(":")
    _check_name(name, shown)
    if not sep:
        return MockTag(name=name, raw=raw)
    if rest == "off":
        return MockTag(name=name, off=True, raw=raw)
    return MockTag(name=name, params=_parse_params(rest, shown), raw=raw)


def _check_characters(body: str, shown: str) -> None:
    if any(ch.isspace() for ch in body):
        raise TagSyntaxError(f"invalid tag {shown}: tags may not contain whitespace")
    for ch in body:
        if ch in _FORBIDDEN:
            raise TagSyntaxError(
                f"invalid tag {shown}: {ch!r} is not allowed in tags: {_FORBIDDEN[ch]}; "
                f"write {_suggest_rewrite(body)}"
            )


def _suggest_rewrite(body: str) -> str:
    """``mock:x(a=1,b=2)`` → ``@mock:x:a=1;b=2`` when that is a valid tag, else the pattern."""
    text = body.replace("(", ":").replace("[", ":").replace(")", "").replace("]", "")
    text = text.replace(",", ";").rstrip(":;")
    try:
        tag = _parse_mock(text, text) if not set(text) & set(_FORBIDDEN) else None
    except TagSyntaxError:
        tag = None
    return tag.canonical if tag is not None else "@mock:name:key=value;key2=value"


def _check_name(name: str, shown: str) -> None:
    if not name:
        raise TagSyntaxError(f"invalid tag {shown}: the map name is missing (@mock:<name>)")
    if "<" in name or ">" in name:
        raise TagSyntaxError(
            f"invalid tag {shown}: <placeholders> in tags are expanded by behave only, "
            "not by pytest-bdd or gherkin; name the map literally"
        )
    if not NAME_RE.match(name):
        raise TagSyntaxError(
            f"invalid tag {shown}: map names use lowercase letters, digits, '_', '.' and '-' "
            "([a-z0-9_.-]+)"
        )


def _parse_params(rest: str, shown: str) -> tuple[tuple[str, str], ...]:
    params: dict[str, str] = {}
    for item in rest.split(";"):
        key, eq, value = item.partition("=")
        if not eq:
            raise TagSyntaxError(
                f"invalid tag {shown}: expected key=value after the map name, got {item!r} "
                "(write @mock:name:key=value;key2=value, or @mock:name:off)"
            )
        if not PARAM_KEY_RE.match(key):
            raise TagSyntaxError(
                f"invalid tag {shown}: parameter name {key!r} must match [A-Za-z_][A-Za-z0-9_]*"
            )
        if not value:
            raise TagSyntaxError(f"invalid tag {shown}: parameter {key!r} has no value")
        if key in params:
            raise TagSyntaxError(f"invalid tag {shown}: parameter {key!r} is given twice")
        params[key] = value
    return tuple(sorted(params.items()))


def _parse_reserved(body: str, raw: str) -> ReservedTag:
    shown = "@" + body
    word = body[len(RESERVED_PREFIX) :]
    name, sep, _ = word.partition(":")
    reserved = _RESERVED.get(name)
    if reserved is not None:
        if sep:
            raise TagSyntaxError(f"invalid tag {shown}: @mockbdd:{name} takes no parameters")
        return ReservedTag(name=reserved, raw=raw)
    import difflib  # only when a close name is wanted (idle RSS)

    close = difflib.get_close_matches(name, RESERVED_NAMES, n=1)
    hint = f"; did you mean @mockbdd:{close[0]}?" if close else ""
    known = ", ".join(f"@mockbdd:{n}" for n in RESERVED_NAMES)
    raise UnknownReservedTagError(f"unknown reserved tag {shown}{hint} (reserved: {known})")
