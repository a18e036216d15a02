"""An async twin made from sync source by rules, not by hand (see :mod:`.async_client`).

The source classes are read as text, never imported. For each method the rules decide whether
it does I/O; the twin is the source text with ``async`` and ``await`` inserted there and the
names of :attr:`Rules.renames` renamed, so comments, docstrings and layout carry over, plus the
imports the twin's code uses. Anything the rules cannot carry over (an I/O call in a lambda, a
name nothing imports) is a :class:`GenerationError`, never a silently wrong twin.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Source:
    """A module of the sync side; ``classes`` empty means the whole module after its imports."""

    path: Path
    module: str
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rules:
    """What makes the twin: ``renames`` (in code and in strings); ``async_dunders``, async even
    without I/O; ``transport``, the ``self`` attribute every call on which is I/O, and
    ``transport_renames`` for its methods; ``awaitable_aliases``, callback types whose calls
    are I/O."""

    renames: Mapping[str, str]
    async_dunders: frozenset[str] = frozenset({"__enter__", "__exit__"})
    transport: str = "_http"
    transport_renames: Mapping[str, str] = field(default_factory=dict)
    awaitable_aliases: frozenset[str] = frozenset()

    def renamed(self, name: str) -> str:
        return self.renames.get(name, name)


class GenerationError(Exception):
    """The sync source does something the rules cannot carry over to the async twin."""


@dataclass(frozen=True)
class Binding:
    """What an import binds: ``import module`` (name None) or ``from module import name``."""

    module: str
    name: str | None
    type_checking: bool


@dataclass
class Parsed:
    source: Source
    text: str
    tree: ast.Module
    bindings: dict[str, Binding] = field(default_factory=dict)
    defined: set[str] = field(default_factory=set)
    body: list[ast.stmt] = field(default_factory=list)


# ------------------------------------------------------------------------------ reading


def _is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in (
        "TYPE_CHECKING",
        "typing.TYPE_CHECKING",
    )


def _bind(parsed: Parsed, node: ast.stmt, type_checking: bool) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            parsed.bindings[alias.asname or alias.name] = Binding(alias.name, None, type_checking)
    elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
        for alias in node.names:
            binding = Binding(node.module or "", alias.name, type_checking)
            parsed.bindings[alias.asname or alias.name] = binding


def defined_names(node: ast.stmt) -> Iterator[str]:
    if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        yield node.name
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            yield from (n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        yield node.target.id


def read(source: Source) -> Parsed:
    text = source.path.read_text()
    parsed = Parsed(source, text, ast.parse(text))
    started = False
    for i, node in enumerate(parsed.tree.body):
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        if isinstance(node, ast.Import | ast.ImportFrom) or _is_type_checking(node):
            if started:
                raise GenerationError(f"{source.path.name}:{node.lineno}: imports after code")
            for inner in node.body if isinstance(node, ast.If) else [node]:
                _bind(parsed, inner, isinstance(node, ast.If))
            continue
        started = True
        parsed.defined.update(defined_names(node))
        if not source.classes or (isinstance(node, ast.ClassDef) and node.name in source.classes):
            parsed.body.append(node)
    missing = set(source.classes) - {n.name for n in parsed.body if isinstance(n, ast.ClassDef)}
    if missing:
        raise GenerationError(f"{source.path.name} has no class {', '.join(sorted(missing))}")
    return parsed


# ------------------------------------------------------------------------------ what awaits


@dataclass
class Plan:
    """Which methods become async and which calls are awaited, over all source classes."""

    rules: Rules
    classes: dict[str, ast.ClassDef]
    attributes: dict[str, dict[str, str]]  # class -> attribute -> source class it holds
    callbacks: dict[str, set[str]]  # class -> attributes holding an awaitable callback
    returns: dict[str, dict[str, str]]  # class -> method -> source class it returns
    async_methods: dict[str, set[str]] = field(default_factory=dict)
    awaited: list[ast.Call] = field(default_factory=list)


def annotation_names(node: ast.expr | None) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} if node else set()


def _attribute_types(cls: ast.ClassDef) -> dict[str, set[str]]:
    """``self.x`` -> the names in its annotation, or in the annotation of the ``__init__``
    parameter it is set from."""
    init = next(
        (n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None
    )
    if init is None:
        return {}
    args = init.args
    params = {a.arg: annotation_names(a.annotation) for a in [*args.args, *args.kwonlyargs]}
    types: dict[str, set[str]] = {}
    for node in ast.walk(init):
        target: ast.expr
        if isinstance(node, ast.AnnAssign):
            target, names = node.target, annotation_names(node.annotation)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            value = node.value
            target = node.targets[0]
            names = params.get(value.id, set()) if isinstance(value, ast.Name) else set()
        else:
            continue
        if isinstance(target, ast.Attribute) and _is_self(target.value):
            types.setdefault(target.attr, set()).update(names)
    return types


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def plan(parsed: list[Parsed], rules: Rules) -> Plan:
    classes = {n.name: n for p in parsed for n in p.body if isinstance(n, ast.ClassDef)}
    attributes: dict[str, dict[str, str]] = {}
    callbacks: dict[str, set[str]] = {}
    for name, cls in classes.items():
        for attr, names in _attribute_types(cls).items():
            held = names & classes.keys()
            if len(held) > 1:
                raise GenerationError(f"{name}.{attr} may hold {', '.join(sorted(held))}")
            if held:
                attributes.setdefault(name, {})[attr] = held.pop()
            if names & rules.awaitable_aliases:
                callbacks.setdefault(name, set()).add(attr)
    returns = {
        name: {m.name: held.pop() for m in _methods(cls) if len(held := _returned(m, classes)) == 1}
        for name, cls in classes.items()
    }
    asyncs: dict[str, set[str]] = {name: set() for name in classes}
    result = Plan(rules, classes, attributes, callbacks, returns, asyncs)
    changed = True
    while changed:  # a method is async once a method it calls is
        changed = False
        for name, cls in classes.items():
            for method in _methods(cls):
                if method.name not in result.async_methods[name] and _must_await(
                    result, name, method
                ):
                    result.async_methods[name].add(method.name)
                    changed = True
    for name, cls in classes.items():
        for method in _methods(cls):
            result.awaited.extend(_io_calls(result, name, method))
    return result


def _methods(cls: ast.ClassDef) -> list[ast.FunctionDef]:
    for node in cls.body:
        if isinstance(node, ast.AsyncFunctionDef):
            raise GenerationError(f"{cls.name}.{node.name} is already async in the sync source")
    return [n for n in cls.body if isinstance(n, ast.FunctionDef)]


def _must_await(p: Plan, cls: str, method: ast.FunctionDef) -> bool:
    return method.name in p.rules.async_dunders or any(True for _ in _io_calls(p, cls, method))


def _returned(method: ast.FunctionDef, classes: dict[str, ast.ClassDef]) -> set[str]:
    return annotation_names(method.returns) & classes.keys()


def _receiver(p: Plan, cls: str, node: ast.expr) -> str | None:
    """The source class ``node`` is an instance of: ``self``, ``self.<attribute>``, or what a
    method of a known receiver returns (``self.scoped(url)``)."""
    if _is_self(node):
        return cls
    if isinstance(node, ast.Attribute) and _is_self(node.value):
        return p.attributes.get(cls, {}).get(node.attr)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        held = _receiver(p, cls, node.func.value)
        return p.returns.get(held, {}).get(node.func.attr) if held else None
    return None


def _on_transport(func: ast.expr, transport: str) -> bool:
    """``self.<transport>.<anything>``"""
    if not isinstance(func, ast.Attribute):
        return False
    owner = func.value
    return isinstance(owner, ast.Attribute) and _is_self(owner.value) and owner.attr == transport


def _is_io(p: Plan, cls: str, call: ast.Call) -> bool:
    func = call.func
    if _on_transport(func, p.rules.transport):
        return True
    if isinstance(func, ast.Attribute):
        owner = func.value
        if _is_self(owner) and func.attr in p.callbacks.get(cls, set()):
            return True
        held = _receiver(p, cls, owner)
        return held is not None and func.attr in p.async_methods[held]
    return False


def _io_calls(p: Plan, cls: str, method: ast.FunctionDef) -> Iterator[ast.Call]:
    nested = [
        n
        for n in ast.walk(method)
        if n is not method and isinstance(n, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    inner = {id(c) for n in nested for c in ast.walk(n)}
    for node in ast.walk(method):
        if isinstance(node, ast.Call) and _is_io(p, cls, node):
            if id(node) in inner:
                raise GenerationError(
                    f"{cls}.{method.name}:{node.lineno}: an I/O call inside a nested function or lambda"
                )
            yield node


# ------------------------------------------------------------------------------ editing


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` (an insertion when they are equal)."""

    start: int
    end: int
    text: str
    rank: int = 0  # among insertions at one offset: the smaller, the further left


class Offsets:
    """AST positions (line, UTF-8 byte column) to offsets in the text."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def at(self, line: int, byte_col: int) -> int:
        return self.starts[line - 1] + len(self.lines[line - 1].encode()[:byte_col].decode())


def _wrap(parents: dict[int, ast.AST], call: ast.Call) -> bool:
    """``await`` binds looser than ``.x``, ``[i]`` and ``(...)``: parenthesise it there."""
    parent = parents.get(id(call))
    if isinstance(parent, ast.Attribute | ast.Subscript):
        return parent.value is call
    return isinstance(parent, ast.Call) and parent.func is call


def code_edits(parsed: Parsed, p: Plan) -> list[Edit]:
    pos = Offsets(parsed.text)
    parents = {id(c): n for n in ast.walk(parsed.tree) for c in ast.iter_child_nodes(n)}
    edits: list[Edit] = []
    for node in parsed.body:
        if not isinstance(node, ast.ClassDef):
            continue
        for method in _methods(node):
            if method.name in p.async_methods[node.name]:
                start = pos.at(method.lineno, method.col_offset)
                edits.append(Edit(start, start, "async "))
    ours = {id(c) for node in parsed.body for c in ast.walk(node)}
    for call in (c for c in p.awaited if id(c) in ours):
        start = pos.at(call.lineno, call.col_offset)
        end = pos.at(call.end_lineno or call.lineno, call.end_col_offset or 0)
        wrap = _wrap(parents, call)
        edits.append(Edit(start, start, "(await " if wrap else "await ", rank=-end))
        if wrap:
            edits.append(Edit(end, end, ")"))
        func = call.func
        renames = p.rules.transport_renames
        renamed = isinstance(func, ast.Attribute) and func.attr in renames
        if renamed and _on_transport(func, p.rules.transport):
            assert isinstance(func, ast.Attribute)
            attr_end = pos.at(func.end_lineno or func.lineno, func.end_col_offset or 0)
            edits.append(Edit(attr_end - len(func.attr), attr_end, renames[func.attr]))
    return edits


_STRING_TOKENS = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}


def name_edits(parsed: Parsed, renames: Mapping[str, str]) -> list[Edit]:
    """Renames in the selected statements: names, and words in strings."""
    words = re.compile(r"\b(" + "|".join(re.escape(k) for k in renames) + r")\b")
    pos = Offsets(parsed.text)
    spans = [(_first_line(n), n.end_lineno or n.lineno) for n in parsed.body]
    edits = []
    for tok in tokenize.generate_tokens(io.StringIO(parsed.text).readline):
        if not any(a <= tok.start[0] <= b for a, b in spans):
            continue
        if tok.type == tokenize.NAME and tok.string in renames:
            new = renames[tok.string]
        elif tok.type in _STRING_TOKENS and words.search(tok.string):
            new = words.sub(lambda m: renames[m.group(1)], tok.string)
        else:
            continue
        start = pos.starts[tok.start[0] - 1] + tok.start[1]
        end = pos.starts[tok.end[0] - 1] + tok.end[1]
        edits.append(Edit(start, end, new))
    return edits


def _first_line(node: ast.stmt) -> int:
    """Where a statement starts: its first decorator, if it has any."""
    if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return node.lineno


def apply(text: str, edits: list[Edit]) -> str:
    """Apply from the end backwards, so earlier offsets stay valid; at one offset a rename
    comes before the insertions, and an outer call's ``await`` left of an inner one's."""
    for edit in sorted(edits, key=lambda e: (e.start, e.end, e.rank), reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def body_text(parsed: Parsed, p: Plan) -> str:
    """The selected statements, edited (no edit spans lines, so line numbers still hold);
    a whole module keeps the comments between its statements."""
    edits = code_edits(parsed, p) + name_edits(parsed, p.rules.renames)
    lines = apply(parsed.text, edits).splitlines(keepends=True)
    if not parsed.source.classes:
        return "".join(lines[_first_line(parsed.body[0]) - 1 :])
    return "\n\n".join("".join(lines[_first_line(n) - 1 : n.end_lineno]) for n in parsed.body)


# ------------------------------------------------------------------------------ the twin


def twin(sources: tuple[Source, ...], rules: Rules) -> tuple[list[Parsed], str]:
    """The sources as read and the twin's code (without imports, not yet formatted)."""
    parsed = [read(s) for s in sources]
    p = plan(parsed, rules)
    return parsed, "\n\n".join(body_text(x, p) for x in parsed)
