"""A Handlebars implementation for WireMock's dialect (handlebars.java as WireMock 3.x uses it).

Why our own rather than pybars3: pybars3 has not been released since 2019, has no block
parameters (``{{#each (jsonPath request.body '$.items') as |item|}}``, used in WireMock's own
documentation), compiles through generated Python source and resolves names with ``getattr``
(a sandbox to bolt on). This one parses once into closures, resolves names only through
mapping keys and sequence indexes (never attributes), and renders with a step budget and an
output cap. Measured against pybars3 0.9.7 in ``bench/templating.py``.

Supported: ``{{expr}}`` (HTML-escaped as handlebars.java escapes), ``{{{expr}}}`` and
``{{&expr}}``, comments (``{{! }}``, ``{{!-- --}}``), ``\\{{`` (a literal ``{{``), whitespace
control (``{{~`` / ``~}}``), paths (``a.b``, ``a/b``, ``a.[0]``, ``[odd name]``, ``this``,
``../x``, ``@index``/``@key``/``@first``/``@last``, ``@root``), literals (strings, numbers,
``true``/``false``/``null``), sub-expressions, hash arguments, block helpers with ``{{else}}``
and ``{{else if ...}}`` chains, inverse sections (``{{^x}}``), block parameters (``as |a b|``).
Partials and decorators are refused at compile time.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mockbdd.records import record
from mockbdd.templating import MAX_OUTPUT_CHARS, MAX_RENDER_SECONDS, TemplateError

# -- values -------------------------------------------------------------------------------------


class SafeString(str):
    """Text a helper vouches for: written without HTML escaping."""

    __slots__ = ()


_ESCAPES = {
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#x27;",
    "`": "&#x60;",
    "=": "&#x3D;",
    "&": "&amp;",
}
_ESCAPE_RE = re.compile("[<>\"'`=&]")


def escape(text: str) -> str:
    """handlebars.java's HTML_ENTITY strategy."""
    if not _ESCAPE_RE.search(text):
        return text
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], text)


def java_double(value: float) -> str:
    """``Double.toString``: ``1.0``, ``0.5``, ``1.0E10``, ``1.0E-5``, ``NaN``, ``Infinity``."""
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    exact = Decimal(repr(value))  # the shortest digits that read back as ``value``
    if 1e-3 <= abs(value) < 1e7:
        text = format(exact, "f")
        return text if "." in text else text + ".0"
    sign, digits, exponent = exact.as_tuple()
    assert isinstance(exponent, int)
    shown = "".join(map(str, digits)).rstrip("0") or "0"
    scientific = len(digits) - 1 + exponent
    mantissa = shown[0] + "." + (shown[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{scientific}"


def to_text(value: Any) -> str:
    """What handlebars.java writes for ``value`` (Java's ``toString`` of the equivalent)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    render = getattr(type(value), "__mb_text__", None)  # our own value types only
    if render is not None:
        text: str = render(value)
        return text
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{to_text(k)}={to_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_text(v) for v in value) + "]"
    return ""  # anything else is not template data: never its repr


def is_empty(value: Any) -> bool:
    """handlebars.java's falsiness: null, false, "", 0, an empty collection."""
    if value is None or value is False:
        return True
    if value is True:
        return False
    if isinstance(value, (int, float)):
        return value == 0
    if isinstance(value, (str, Mapping, list, tuple)):
        return len(value) == 0
    return False


# -- parsing ------------------------------------------------------------------------------------


@record
class Path:
    depth: int  # how many ``../``
    parts: tuple[str | int, ...]  # after this/.
    data: bool  # @index, @root...
    this: bool  # started with this or .
    text: str

    @property
    def simple(self) -> bool:
        return not self.data and not self.this and self.depth == 0 and len(self.parts) == 1


@record
class Literal:
    value: Any


@record
class SubExpr:
    call: Call


Expr = Path | Literal | SubExpr


@record
class Call:
    head: Expr
    params: tuple[Expr, ...]
    hash: tuple[tuple[str, Expr], ...]
    block_params: tuple[str, ...]
    line: int


_TAG_TOKEN = re.compile(
    r"""\s*(?:
      (?P<open>\() | (?P<close>\)) |
      (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*') |
      (?P<bp>as\s+\|[^|]*\|) |
      (?P<key>[^\s()=|"']+)= |
      (?P<num>-?\d+(?:\.\d+)?)(?=[\s()]|$) |
      (?P<id>(?:\[[^\]]*\]|[^\s()=|"'\[])+)
    )""",
    re.VERBOSE,
)
_SEGMENT = re.compile(r"\[([^\]]*)\]|([^./\[]+)|(\.\.)|(\.)|(/)")


def _parse_path(text: str, line: int) -> Path:
    data = text.startswith("@")
    body = text[1:] if data else text
    depth = 0
    while body.startswith("../"):
        depth += 1
        body = body[3:]
    if body == "..":
        return Path(depth + 1, (), data, True, text)
    this = False
    if body in ("this", "."):
        return Path(depth, (), data, True, text)
    if body.startswith("this.") or body.startswith("this/"):
        this, body = True, body[5:]
    elif body.startswith("./"):
        this, body = True, body[2:]
    parts: list[str | int] = []
    pos = 0
    expect_segment = True
    while pos < len(body):
        m = _SEGMENT.match(body, pos)
        if m is None:
            raise TemplateError(f"invalid path {text!r}", line)
        bracket, plain, dots, dot, slash = m.groups()
        if bracket is not None or plain is not None:
            if not expect_segment:
                raise TemplateError(f"invalid path {text!r}", line)
            segment = bracket if bracket is not None else plain
            assert segment is not None
            parts.append(int(segment) if segment.isdigit() else segment)
            expect_segment = False
        elif dot is not None or slash is not None:
            if expect_segment:
                raise TemplateError(f"invalid path {text!r}", line)
            expect_segment = True
        else:
            del dots
            raise TemplateError(f"invalid path {text!r}", line)
        pos = m.end()
    if expect_segment and parts:
        raise TemplateError(f"invalid path {text!r} (it ends with a separator)", line)
    return Path(depth, tuple(parts), data, this, text)


def _literal_or_path(token: str, line: int) -> Expr:
    if token == "true":
        return Literal(True)
    if token == "false":
        return Literal(False)
    if token in ("null", "undefined"):
        return Literal(None)
    return _parse_path(token, line)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def parse_call(source: str, line: int) -> Call:
    """One tag's contents: ``head params... key=value... [as |a b|]``."""
    tokens = _tokens(source, line)
    pos, call = _call(tokens, 0, line, top=True)
    if pos != len(tokens):
        raise TemplateError(f"unexpected {tokens[pos][1]!r} in {{{{{source.strip()}}}}}", line)
    return call


def _tokens(source: str, line: int) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        m = _TAG_TOKEN.match(source, pos)
        if m is None or m.end() == pos:
            raise TemplateError(f"cannot parse {source[pos:].strip()!r}", line)
        kind = m.lastgroup
        assert kind is not None
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


def _expr(tokens: list[tuple[str, str]], pos: int, line: int) -> tuple[int, Expr]:
    if pos >= len(tokens):
        raise TemplateError("an expression is missing", line)
    kind, text = tokens[pos]
    if kind == "open":
        pos, call = _call(tokens, pos + 1, line, top=False)
        if pos >= len(tokens) or tokens[pos][0] != "close":
            raise TemplateError("a sub-expression is not closed with ')'", line)
        return pos + 1, SubExpr(call)
    if kind == "str":
        return pos + 1, Literal(_unquote(text))
    if kind == "num":
        return pos + 1, Literal(float(text) if "." in text else int(text))
    if kind == "id":
        return pos + 1, _literal_or_path(text, line)
    raise TemplateError(f"unexpected {text!r}", line)


def _call(tokens: list[tuple[str, str]], pos: int, line: int, *, top: bool) -> tuple[int, Call]:
    pos, head = _expr(tokens, pos, line)
    params: list[Expr] = []
    hashes: list[tuple[str, Expr]] = []
    block_params: tuple[str, ...] = ()
    while pos < len(tokens) and tokens[pos][0] != "close":
        kind, text = tokens[pos]
        if kind == "bp":
            if not top:
                raise TemplateError("block parameters ('as |x|') only on a block tag", line)
            block_params = tuple(text.split("|", 1)[1].rstrip("|").split())
            pos += 1
            if pos != len(tokens):
                raise TemplateError("block parameters ('as |x|') come last", line)
            break
        if kind == "key":
            pos, value = _expr(tokens, pos + 1, line)
            hashes.append((text, value))
            continue
        if hashes:
            raise TemplateError(f"positional argument {text!r} after hash arguments", line)
        pos, value = _expr(tokens, pos, line)
        params.append(value)
    return pos, Call(head, tuple(params), tuple(hashes), block_params, line)


# -- the node tree -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tag:
    kind: str  # text, var, raw, open, inverse, close, else, comment
    content: str
    line: int
    strip_before: bool = False
    strip_after: bool = False


def _lex(source: str) -> list[_Tag]:
    tags: list[_Tag] = []
    pos = 0
    line = 1
    n = len(source)
    while pos < n:
        i = source.find("{{", pos)
        if i < 0:
            tags.append(_Tag("text", source[pos:], line))
            break
        if i > pos:
            text = source[pos:i]
            tags.append(_Tag("text", text, line))
            line += text.count("\n")
        if source.startswith("{{!--", i) or source.startswith("{{~!--", i):
            end = source.find("--", i + 5)
            close = source.find("}}", end + 2) if end >= 0 else -1
            if end < 0 or close < 0 or source[end + 2 : close].strip("~") != "":
                raise TemplateError("a comment '{{!--' is not closed with '--}}'", line)
            tag = _Tag("comment", "", line, source[i + 2] == "~", source[close - 1] == "~")
            stop = close + 2
        elif source.startswith("{{{", i) or source.startswith("{{~{", i):
            start = i + (4 if source[i + 2] == "~" else 3)
            end = source.find("}}}", start)
            if end < 0:
                raise TemplateError("a '{{{' is not closed with '}}}'", line)
            stop = end + 3
            strip_after = source[end - 1] == "~" if end > start else False
            body = source[start : end - 1 if strip_after else end]
            tag = _Tag("raw", body, line, source[i + 2] == "~", strip_after)
        else:
            end = source.find("}}", i + 2)
            if end < 0:
                raise TemplateError("a '{{' is not closed with '}}'", line)
            stop = end + 2
            body = source[i + 2 : end]
            strip_before = body.startswith("~")
            strip_after = body.endswith("~") and len(body) > 1
            body = body[1 if strip_before else 0 : len(body) - 1 if strip_after else len(body)]
            tag = _classify(body, line, strip_before, strip_after)
        tags.append(tag)
        line += source.count("\n", i, stop)
        pos = stop
    return tags  # ``~`` is read and ignored: handlebars.java as WireMock 3.13.2 runs it keeps the whitespace


def _classify(body: str, line: int, strip_before: bool, strip_after: bool) -> _Tag:
    stripped = body.strip()
    if stripped.startswith("!"):
        return _Tag("comment", "", line, strip_before, strip_after)
    if not stripped:
        raise TemplateError("an empty '{{}}'", line)
    first = stripped[0]
    if first == "#":
        if stripped[1:2] in ("*", ">"):
            raise TemplateError("decorators and partial blocks are not supported", line)
        return _Tag("open", stripped[1:], line, strip_before, strip_after)
    if first == "^":
        rest = stripped[1:].strip()
        if not rest:
            return _Tag("else", "", line, strip_before, strip_after)
        return _Tag("inverse", rest, line, strip_before, strip_after)
    if first == "/":
        return _Tag("close", stripped[1:].strip(), line, strip_before, strip_after)
    if first == ">":
        raise TemplateError("partials ('{{>') are not supported", line)
    if first == "&":
        return _Tag("raw", stripped[1:], line, strip_before, strip_after)
    if stripped == "else" or stripped.startswith("else "):
        return _Tag("else", stripped[4:].strip(), line, strip_before, strip_after)
    return _Tag("var", stripped, line, strip_before, strip_after)


def _strip_whitespace(tags: list[_Tag]) -> None:
    for i, tag in enumerate(tags):
        if tag.kind == "text":
            continue
        if tag.strip_before and i > 0 and tags[i - 1].kind == "text":
            tags[i - 1].content = tags[i - 1].content.rstrip()
        if tag.strip_after and i + 1 < len(tags) and tags[i + 1].kind == "text":
            tags[i + 1].content = tags[i + 1].content.lstrip()


# -- compiling to closures ----------------------------------------------------------------------

Render = Callable[["_Frame", list[str]], None]
Helper = Callable[[Any, "Options"], Any]


class RenderLimit(TemplateError):
    """The render went past its output cap or time budget."""


class _Frame:
    """One level of context: ``this``, its block params / @data, and the shared render state."""

    __slots__ = ("data", "parent", "render", "this")

    def __init__(
        self, this: Any, parent: _Frame | None, data: dict[str, Any] | None, render: _Render
    ) -> None:
        self.this = this
        self.parent = parent
        self.data = data
        self.render = render


class _Render:
    """Per-render state: the root, the variables helpers assign, the budget."""

    __slots__ = ("deadline", "root", "size", "steps", "vars")

    def __init__(self, root: Any) -> None:
        self.root = root
        self.vars: dict[str, Any] = {}
        self.size = 0
        self.steps = 0
        self.deadline = time.monotonic() + MAX_RENDER_SECONDS

    def tick(self, line: int) -> None:
        self.steps += 1
        if self.steps & 0x3FF == 0 and time.monotonic() > self.deadline:
            raise RenderLimit(f"the render took longer than {MAX_RENDER_SECONDS:g} s", line)


_NO_LOOKUP = object()
# per value type, its own ``__mb_lookup__`` (the request model's types: one call per step, no
# ABC checks) or None; filled as types are met, and bounded by the classes there are
_LOOKUPS: dict[type, Callable[[Any, str | int], Any] | None] = {}


def _get(value: Any, key: str | int) -> Any:
    """One step of a path: a mapping key or a sequence index; never an attribute."""
    kind = type(value)
    if kind is dict and type(key) is str:  # the common case, without the ABC check
        return value.get(key)
    lookup = _LOOKUPS.get(kind, _NO_LOOKUP)
    if lookup is _NO_LOOKUP:
        lookup = _LOOKUPS[kind] = getattr(kind, "__mb_lookup__", None)
    if lookup is not None:
        return lookup(value, key)  # type: ignore[operator]
    if isinstance(value, Mapping):
        found = value.get(key)
        if found is None and isinstance(key, int):
            found = value.get(str(key))
        if found is None:
            named = getattr(type(value), "__mb_get__", None)
            if named is not None:
                return named(value, key)
        return found
    if isinstance(value, (list, tuple)):
        if isinstance(key, int):
            return value[key] if 0 <= key < len(value) else None
        named = getattr(type(value), "__mb_get__", None)
        if named is not None:
            return named(value, key)
        return None
    return None


def _resolve(path: Path, frame: _Frame) -> Any:
    if path.data:
        if path.parts and path.parts[0] == "root":
            value = frame.render.root
            for part in path.parts[1:]:
                value = _get(value, part)
            return value
        key = "@" + str(path.parts[0]) if path.parts else "@"
        f: _Frame | None = frame
        for _ in range(path.depth):
            f = f.parent if f is not None else None
        while f is not None:
            if f.data is not None and key in f.data:
                value = f.data[key]
                for part in path.parts[1:]:
                    value = _get(value, part)
                return value
            f = f.parent
        return None
    target: _Frame | None = frame
    for _ in range(path.depth):
        target = target.parent if target is not None and target.parent is not None else target
    assert target is not None
    if path.this or not path.parts:
        value = target.this
        for part in path.parts:
            value = _get(value, part)
        return value
    head = path.parts[0]
    value = _lookup_head(head, target)
    for part in path.parts[1:]:
        if value is None:
            return None
        value = _get(value, part)
    return value


def _plain_path(head: str | int, rest: tuple[str | int, ...]) -> Callable[[_Frame], Any]:
    """``a.b.c`` resolved as ``_resolve`` does, the top level (no block params, no enclosing
    context) without walking frames: the path most templates are made of."""

    def resolve(frame: _Frame) -> Any:
        if frame.parent is None and frame.data is None:
            value = _get(frame.this, head)
            if value is None and isinstance(head, str):
                value = frame.render.vars.get(head)
        else:
            value = _lookup_head(head, frame)
        for part in rest:
            if value is None:
                return None
            value = _get(value, part)
        return value

    return resolve


def _lookup_head(head: str | int, frame: _Frame) -> Any:
    f: _Frame | None = frame
    while f is not None:  # block params, nearest first
        if f.data is not None and head in f.data:
            return f.data[head]
        f = f.parent
    value = _get(frame.this, head)
    if value is not None:
        return value
    render = frame.render
    if head in render.vars:
        return render.vars[head]
    f = frame.parent
    while f is not None:  # handlebars.java looks a name up in the enclosing contexts too
        value = _get(f.this, head)
        if value is not None:
            return value
        f = f.parent
    return None


class Options:
    """What a helper is given besides its first argument (handlebars.java's ``Options``)."""

    __slots__ = ("_fn", "_frame", "_inverse", "block_params", "has_context", "hash", "params")

    def __init__(
        self,
        frame: _Frame,
        params: list[Any],
        hash: dict[str, Any],
        fn: Render | None,
        inverse: Render | None,
        block_params: tuple[str, ...],
        has_context: bool,
    ) -> None:
        self._frame = frame
        self.params = params
        self.hash = hash
        self._fn = fn
        self._inverse = inverse
        self.block_params = block_params
        self.has_context = has_context

    @property
    def is_block(self) -> bool:
        return self._fn is not None

    @property
    def this(self) -> Any:
        return self._frame.this

    def param(self, index: int, default: Any = None) -> Any:
        return self.params[index] if index < len(self.params) else default

    def fn(
        self, this: Any = None, data: dict[str, Any] | None = None, *, same: bool = False
    ) -> str:
        """The block's body, rendered with ``this`` (the current context when ``same``)."""
        if self._fn is None:
            return ""
        return self._run(self._fn, self._frame.this if same else this, data, same)

    def inverse(self) -> str:
        if self._inverse is None:
            return ""
        return self._run(self._inverse, self._frame.this, None, True)

    def _run(self, body: Render, this: Any, data: dict[str, Any] | None, same: bool) -> str:
        frame = self._frame
        child = _Frame(this, frame, data, frame.render) if not same or data else frame
        out: list[str] = []
        body(child, out)
        return "".join(out)

    def block_data(self, *values: Any, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """@data plus the block params (``as |a b|``) bound to ``values``."""
        data = dict(extra or {})
        for name, value in zip(self.block_params, values, strict=False):
            data[name] = value
        return data

    def assign(self, name: str, value: Any) -> None:
        """A variable the rest of the template can read (handlebars.java's ``context.data``)."""
        self._frame.render.vars[str(name)] = value


class Compiler:
    """Helpers by name; ``compile`` parses a source once into a :class:`HandlebarsTemplate`."""

    def __init__(self, helpers: Mapping[str, Helper], *, escape_html: bool = False) -> None:
        self.helpers = dict(helpers)
        self.escape_html = escape_html

    def compile(self, source: str, name: str = "") -> HandlebarsTemplate:
        try:
            tags = _lex(source)
            body, pos, _ = self._nodes(tags, 0, None)
            if pos < len(tags):
                tag = tags[pos]
                raise TemplateError(f"unexpected {{{{{tag.kind} {tag.content}}}}}", tag.line)
        except TemplateError as exc:
            raise (exc.named(name) if name else exc) from None
        static = all(t.kind in ("text", "comment") for t in tags)
        return HandlebarsTemplate(
            body, static, "".join(t.content for t in tags if t.kind == "text")
        )

    def _nodes(self, tags: list[_Tag], pos: int, closing: _Tag | None) -> tuple[Render, int, str]:
        """Nodes until a close/else tag; returns the renderer, where it stopped, and why."""
        parts: list[Render] = []
        while pos < len(tags):
            tag = tags[pos]
            kind = tag.kind
            if kind == "text":
                if tag.content:
                    parts.append(_text(tag.content))
            elif kind == "comment":
                pass
            elif kind in ("var", "raw"):
                parts.append(self._mustache(parse_call(tag.content, tag.line), kind == "var"))
            elif kind in ("open", "inverse"):
                render, pos = self._block(tags, pos, inverted=kind == "inverse")
                parts.append(render)
                continue
            elif kind in ("close", "else"):
                if closing is None:
                    raise TemplateError(
                        f"{{{{{'/' if kind == 'close' else ''}{tag.content or 'else'}}}}} without an open block",
                        tag.line,
                    )
                return _sequence(parts), pos, kind
            pos += 1
        if closing is not None:
            raise TemplateError(
                f"{{{{#{closing.content.split()[0]}}}}} is not closed", closing.line
            )
        return _sequence(parts), pos, "end"

    def _block(self, tags: list[_Tag], pos: int, *, inverted: bool) -> tuple[Render, int]:
        opening = tags[pos]
        call = parse_call(opening.content, opening.line)
        fn, pos, why = self._nodes(tags, pos + 1, opening)
        inverse: Render | None = None
        if why == "else":
            chained = tags[pos].content
            if chained:  # {{else if x}} ... : an inner block closed by the same close tag
                synthetic = _Tag("open", chained, tags[pos].line)
                tags_copy = [*tags[:pos], synthetic, *tags[pos + 1 :]]
                inner, new_pos = self._chain(tags_copy, pos, opening)
                inverse, pos = inner, new_pos
            else:
                inverse, pos, why = self._nodes(tags, pos + 1, opening)
                if why != "close":
                    raise TemplateError("a second {{else}} in one block", tags[pos].line)
                self._check_close(tags[pos], call, opening)
                pos += 1
        else:
            self._check_close(tags[pos], call, opening)
            pos += 1
        if inverted:
            fn, inverse = inverse or _sequence([]), fn
        return self._block_render(call, fn, inverse, opening.line), pos

    def _chain(self, tags: list[_Tag], pos: int, outer: _Tag) -> tuple[Render, int]:
        """``{{else if c}}``: the rest of the block up to the outer close tag."""
        opening = tags[pos]
        call = parse_call(opening.content, opening.line)
        fn, pos, why = self._nodes(tags, pos + 1, outer)
        inverse: Render | None = None
        if why == "else":
            if tags[pos].content:
                synthetic = _Tag("open", tags[pos].content, tags[pos].line)
                tags = [*tags[:pos], synthetic, *tags[pos + 1 :]]
                inverse, pos = self._chain(tags, pos, outer)
                return self._block_render(call, fn, inverse, opening.line), pos
            inverse, pos, why = self._nodes(tags, pos + 1, outer)
        self._check_close(tags[pos], parse_call(outer.content, outer.line), outer)
        return self._block_render(call, fn, inverse, opening.line), pos + 1

    @staticmethod
    def _check_close(tag: _Tag, call: Call, opening: _Tag) -> None:
        name = call.head.text if isinstance(call.head, Path) else "?"
        if tag.content != name:
            raise TemplateError(
                f"{{{{#{name}}}}} (line {opening.line}) is closed by {{{{/{tag.content}}}}}",
                tag.line,
            )

    # -- expressions --

    def _evaluator(self, expr: Expr, line: int) -> Callable[[_Frame], Any]:
        if isinstance(expr, Literal):
            value = expr.value
            return lambda frame: value
        if isinstance(expr, SubExpr):
            return self._call(expr.call, None, None)
        path = expr
        if path.simple and path.parts[0] in self.helpers:
            helper_call = Call(path, (), (), (), line)
            return self._call(helper_call, None, None)
        if path.data or path.this or path.depth or not path.parts:
            return lambda frame: _resolve(path, frame)
        return _plain_path(path.parts[0], path.parts[1:])

    def _call(
        self, call: Call, fn: Render | None, inverse: Render | None
    ) -> Callable[[_Frame], Any]:
        head = call.head
        name = head.text if isinstance(head, Path) and head.simple else None
        helper = self.helpers.get(name) if name is not None else None
        if helper is None:
            if call.params or call.hash:
                what = head.text if isinstance(head, Path) else "a literal"
                raise TemplateError(f"no helper named {what!r}", call.line)
            if isinstance(head, SubExpr):
                return self._call(head.call, fn, inverse)
            return self._evaluator(head, call.line)
        params = [self._evaluator(p, call.line) for p in call.params]
        hashes = [(k, self._evaluator(v, call.line)) for k, v in call.hash]
        block_params = call.block_params
        line = call.line
        bound = helper

        def invoke(frame: _Frame) -> Any:
            frame.render.tick(line)
            values = [p(frame) for p in params]
            hash_values = {k: v(frame) for k, v in hashes}
            if values:
                context, rest, has_context = values[0], values[1:], True
            else:
                context, rest, has_context = frame.this, [], False
            options = Options(frame, rest, hash_values, fn, inverse, block_params, has_context)
            try:
                return bound(context, options)
            except TemplateError:
                raise
            except (ValueError, TypeError, KeyError, IndexError, ArithmeticError) as exc:
                raise TemplateError(f"{name}: {exc}", line) from None

        return invoke

    def _mustache(self, call: Call, escaped: bool) -> Render:
        evaluate = self._call(call, None, None)
        escape_html = escaped and self.escape_html

        def render(frame: _Frame, out: list[str]) -> None:
            value = evaluate(frame)
            text = value if type(value) is str else to_text(value)
            if escape_html and not isinstance(value, SafeString):
                text = escape(text)
            if text:
                state = frame.render
                state.size += len(text)
                if state.size > MAX_OUTPUT_CHARS:
                    raise RenderLimit(f"the output grew past {MAX_OUTPUT_CHARS} characters")
                out.append(text)

        return render

    def _block_render(self, call: Call, fn: Render, inverse: Render | None, line: int) -> Render:
        head = call.head
        name = head.text if isinstance(head, Path) and head.simple else None
        if name is not None and name in self.helpers:
            evaluate = self._call(call, fn, inverse)

            def render_helper(frame: _Frame, out: list[str]) -> None:
                value = evaluate(frame)
                _write(frame, out, to_text(value))

            return render_helper
        if call.params or call.hash:
            raise TemplateError(
                f"no block helper named {head.text if isinstance(head, Path) else '?'!r}", line
            )
        value_of = self._evaluator(head, line)
        # a plain section: {{#path}}: truthy mapping -> its context, list -> each, else if
        each = self.helpers["each"]
        block_params = call.block_params

        def render_section(frame: _Frame, out: list[str]) -> None:
            value = value_of(frame)
            options = Options(frame, [], {}, fn, inverse, block_params, True)
            if isinstance(value, (list, tuple)) and not isinstance(value, str):
                _write(frame, out, to_text(each(value, options)))
            elif is_empty(value):
                _write(frame, out, options.inverse())
            elif isinstance(value, Mapping):
                _write(frame, out, options.fn(value))
            else:
                _write(frame, out, options.fn(same=True))

        return render_section


def _write(frame: _Frame, out: list[str], text: str) -> None:
    if not text:
        return
    render = frame.render
    render.size += len(text)
    if render.size > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"the output grew past {MAX_OUTPUT_CHARS} characters")
    out.append(text)


def _text(content: str) -> Render:
    def render(frame: _Frame, out: list[str]) -> None:
        _write(frame, out, content)

    return render


def _sequence(parts: Sequence[Render]) -> Render:
    if len(parts) == 1:
        return parts[0]
    items = tuple(parts)

    def render(frame: _Frame, out: list[str]) -> None:
        for part in items:
            part(frame, out)

    return render


class HandlebarsTemplate:
    """A compiled Handlebars template (compile once, render per request)."""

    __slots__ = ("_body", "_text", "static")

    def __init__(self, body: Render, static: bool, text: str) -> None:
        self._body = body
        self.static = static  # no expression at all: render is the text itself
        self._text = text

    def render(self, context: Mapping[str, Any]) -> str:
        if self.static:
            return self._text
        frame = _Frame(context, None, None, _Render(context))
        out: list[str] = []
        self._body(frame, out)
        return "".join(out)


def iterate(value: Any) -> Iterable[tuple[Any, Any]]:
    """(key, item) pairs for ``each``: indexes of a sequence, keys of a mapping."""
    if isinstance(value, Mapping):
        return value.items()
    if isinstance(value, (list, tuple)):
        return enumerate(value)
    return ()
