"""``matchesXPath``: WireMock 3.13.2's XPath 1.0 pattern over an XML body, evaluated by
elementpath (pure Python, XPath 1.0 on ElementTree).

As WireMock does it: a value that does not start with ``<`` (after trimming) or is not
well-formed XML matches nothing; the expression's result matches when it is not empty, and an
expression of a number, string or boolean is never empty (``count(//item)`` matches any
document: compare inside the expression, ``count(//item) = 3``); a ``valuePattern`` is applied
to each selected node's text and the best result counts. A node's text is WireMock's: an
attribute's or a text node's value; an element rendered as XML the way WireMock's JDK
serializer indents it (attributes sorted, two spaces, a final newline); a number as
``NumberFormat`` writes it in English (``1,234.5``, three decimals at most); a comment
``[#comment: text]``. Without ``xPathNamespaces`` the document is read namespace-unaware, as
WireMock's DOM reads it: a name matches its local part whatever its prefix or default
namespace (``/Envelope/Body`` for ``soap:Envelope``), and a prefixed name in the expression
is refused; with them, names match by namespace URI through the prefixes given.
Entity declarations are refused (no "billion laughs", no file read from a request body).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.matching import EXACT, NO_MATCH, MatchResult
from mockbdd.domain.patterns import ContentPattern, quote
from mockbdd.domain.patterns_multi import best_match
from mockbdd.domain.xml_tree import EntityRefused, hardened_parser
from mockbdd.records import record

if TYPE_CHECKING:
    from elementpath import Selector

INSTALL_HINT = "matchesXPath needs elementpath: pip install 'elementpath>=4.4'"
_JAVA_SPACE = "".join(chr(c) for c in range(0x21))  # what Java's String.trim() strips
_XMLNS = "http://www.w3.org/2000/xmlns/"


@dataclass(slots=True)
class _Shown:
    """How WireMock renders an element: its name as written, its attributes sorted by name
    (a namespace-unaware DOM keeps ``xmlns`` among them), the namespaces it declares, and
    its children: elements, text, CDATA and comments."""

    name: str
    attributes: list[tuple[str, str]]
    declared: dict[str, str]  # prefix ('' for the default) -> URI, namespace-aware only
    uri: str | None
    children: list[Any] = field(default_factory=list)


@dataclass(slots=True)
class _CData:
    text: str


@dataclass(slots=True)
class _Comment:
    text: str


class _Tree:
    """One document read for XPath: the ElementTree elementpath walks, and beside it what
    rendering an element needs (by the element's id)."""

    def __init__(self, aware: bool) -> None:
        self.aware = aware
        self.builder = ET.TreeBuilder(insert_comments=True, insert_pis=True)
        self.shown: dict[int, _Shown] = {}
        self.stack: list[_Shown] = []
        self.pending: dict[str, str] = {}
        self.cdata: list[str] | None = None

    def start(self, name: str, attributes: list[str]) -> None:
        pairs = list(zip(attributes[::2], attributes[1::2], strict=True))
        declared, self.pending = self.pending, {}
        if self.aware:
            uri, _, local = name.rpartition(" ")
            written = [(self._written(k, declared), v) for k, v in pairs]
            tag = f"{{{uri}}}{local}" if uri else local
            attrib = {_clark(k): v for k, v in pairs}
            prefix = self._prefix(name, declared)
            shown = _Shown(prefix + local, written, declared, uri or None)
        else:
            tag = name.rpartition(":")[2]  # Xalan on a namespace-unaware DOM: the local part
            attrib = {
                k.rpartition(":")[2]: v
                for k, v in pairs
                if k != "xmlns" and not k.startswith("xmlns:")
            }
            shown = _Shown(name, pairs, {}, None)
        shown.attributes.sort()
        element = self.builder.start(tag, attrib)
        self.shown[id(element)] = shown
        if self.stack:
            self.stack[-1].children.append(shown)
        self.stack.append(shown)

    def _written(self, key: str, declared: Mapping[str, str]) -> str:
        uri, _, local = key.rpartition(" ")
        if not uri:
            return local
        for scope in (declared, *(s.declared for s in reversed(self.stack))):
            for prefix, bound in scope.items():
                if bound == uri and prefix:
                    return f"{prefix}:{local}"
        return local

    def _prefix(self, name: str, declared: Mapping[str, str]) -> str:
        uri = name.rpartition(" ")[0]
        if not uri:
            return ""
        for scope in (declared, *(s.declared for s in reversed(self.stack))):
            for prefix, bound in scope.items():
                if bound == uri:
                    return f"{prefix}:" if prefix else ""
        return ""

    def end(self, name: str) -> None:
        self.builder.end(name)
        self.stack.pop()

    def data(self, text: str) -> None:
        self.builder.data(text)
        if self.cdata is not None:
            self.cdata.append(text)
        elif self.stack:
            children = self.stack[-1].children
            if children and isinstance(children[-1], str):
                children[-1] += text
            else:
                children.append(text)

    def start_cdata(self) -> None:
        self.cdata = []

    def end_cdata(self) -> None:
        if self.stack and self.cdata is not None:
            self.stack[-1].children.append(_CData("".join(self.cdata)))
        self.cdata = None

    def comment(self, text: str) -> None:
        element = self.builder.comment(text)
        if self.stack:
            self.stack[-1].children.append(_Comment(text))
            self.shown[id(element)] = _Shown("#comment", [], {}, None, [text])

    def pi(self, target: str, data: str) -> None:
        element = self.builder.pi(target, data)
        self.shown[id(element)] = _Shown(target, [], {}, None, [data])

    def namespace(self, prefix: str | None, uri: str) -> None:
        self.pending[prefix or ""] = uri


def _clark(key: str) -> str:
    uri, _, local = key.rpartition(" ")
    return f"{{{uri}}}{local}" if uri else local


def read(text: str, aware: bool) -> tuple[ET.ElementTree, _Tree] | None:
    """The document (None when it is not well-formed or declares entities)."""
    tree = _Tree(aware)
    parser = hardened_parser(" " if aware else None)
    parser.ordered_attributes = True
    parser.StartElementHandler = tree.start
    parser.EndElementHandler = tree.end
    parser.CharacterDataHandler = tree.data
    parser.StartCdataSectionHandler = tree.start_cdata
    parser.EndCdataSectionHandler = tree.end_cdata
    parser.CommentHandler = tree.comment
    parser.ProcessingInstructionHandler = tree.pi
    parser.StartNamespaceDeclHandler = tree.namespace
    try:
        parser.Parse(text, True)
        root = tree.builder.close()
    except (expat.ExpatError, EntityRefused, AssertionError):
        return None
    return ET.ElementTree(root), tree


def _escape(text: str, quote_marks: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote_marks else text


def render(shown: _Shown, depth: int = 0, scope: Mapping[str, str] | None = None) -> str:
    """An element as WireMock's JDK serializer writes it with ``indent-number`` 2."""
    scope = dict(scope or {})
    declarations = []
    for prefix, uri in sorted(shown.declared.items()):
        if scope.get(prefix) != uri:
            declarations.append((f"xmlns:{prefix}" if prefix else "xmlns", uri))
            scope[prefix] = uri
    prefix = shown.name.rpartition(":")[0] if ":" in shown.name else ""
    if shown.uri is not None and scope.get(prefix) != shown.uri:  # declared above it
        declarations.append((f"xmlns:{prefix}" if prefix else "xmlns", shown.uri))
        scope[prefix] = shown.uri
    attributes = "".join(
        f' {k}="{_escape(v, True)}"' for k, v in [*declarations, *shown.attributes]
    )
    head = f"<{shown.name}{attributes}"
    children = shown.children
    if not children:
        return head + "/>"
    if all(isinstance(child, (str, _CData)) for child in children):  # text only: inline
        return f"{head}>{''.join(_inline(child) for child in children)}</{shown.name}>"
    pad = "\n" + "  " * (depth + 1)
    parts = [head, ">"]
    for child in children:
        if isinstance(child, _Shown):
            parts.append(pad + render(child, depth + 1, scope))
        elif isinstance(child, _Comment):
            parts.append(f"{pad}<!--{child.text}-->")
        else:
            parts.append(pad + _inline(child).lstrip("\n"))
    parts.append("\n" + "  " * depth + f"</{shown.name}>")
    return "".join(parts)


def _inline(child: str | _CData) -> str:
    return f"<![CDATA[{child.text}]]>" if isinstance(child, _CData) else _escape(child)


def java_number(value: float | int | Decimal) -> str:
    """A number as ``NumberFormat.getInstance()`` writes it in English: grouped thousands,
    three decimals at most (half-even), ``NaN``, ``∞``."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    rounded = exact.quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN)
    text = f"{rounded:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@record
class MatchesXPathPattern(ContentPattern):
    """``matchesXPath``: the expression selects something (and, with ``pattern``, the text
    of one selected node matches it)."""

    expression: str
    namespaces: tuple[tuple[str, str], ...] = ()  # xPathNamespaces; () reads namespace-unaware
    pattern: ContentPattern | None = None
    _selector: Selector = field(init=False, repr=False, compare=False)
    key = "matchesXPath"

    def __post_init__(self) -> None:
        try:
            from elementpath import ElementPathError, Selector, XPath1Parser
        except ImportError:  # pragma: no cover - a dependency; the hint for a stripped install
            raise InvalidInput("", INSTALL_HINT) from None
        try:
            selector = Selector(
                self.expression, namespaces=dict(self.namespaces) or None, parser=XPath1Parser
            )
        except ElementPathError as exc:
            code, _, reason = str(exc).partition("] ")
            reason = reason or str(exc)
            if code.endswith("XPST0081"):  # an undeclared prefix
                reason += ": declare it in xPathNamespaces"
            raise InvalidInput(
                "", f"matchesXPath is not a valid XPath 1.0 expression: {reason}"
            ) from None
        object.__setattr__(self, "_selector", selector)

    def match(self, value: str | None) -> MatchResult:
        if value is None or not value.strip(_JAVA_SPACE).startswith("<"):
            return NO_MATCH
        found = read(value, aware=bool(self.namespaces))
        if found is None:
            return NO_MATCH
        document, tree = found
        from elementpath import ElementPathError

        try:
            result = self._selector.select(document)
        except (ElementPathError, ArithmeticError, ValueError, TypeError):
            return NO_MATCH
        nodes = result if isinstance(result, list) else [result]
        if not nodes:
            return NO_MATCH
        if self.pattern is None:
            return EXACT
        return best_match(self.pattern, [node_text(node, tree) for node in nodes])

    def describe(self) -> str:
        sub = f" {self.pattern.describe()}" if self.pattern is not None else ""
        return f"matchesXPath {quote(self.expression)}{sub}"


def node_text(node: Any, tree: _Tree) -> str:
    """A selected node's or value's text, as WireMock's ``XmlNode.toString``."""
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, (int, float, Decimal)):
        return java_number(node)
    if isinstance(node, str):
        return node
    if isinstance(node, ET.ElementTree):
        node = node.getroot()
    shown = tree.shown.get(id(node))
    if shown is None:
        return str(getattr(node, "text", "") or "")
    if node.tag is ET.Comment:
        return f"[#comment: {shown.children[0]}]"
    if node.tag is ET.ProcessingInstruction:
        return f"[{shown.name}: {shown.children[0]}]"
    return render(shown) + "\n"


def node_name(node: Any, tree: _Tree) -> str:
    """A selected element's name as written (``th:thing`` on a namespace-unaware read), as
    WireMock's ``XmlDomNode.getName``; ``""`` for a value."""
    if isinstance(node, ET.ElementTree):
        return "#document"
    shown = tree.shown.get(id(node))
    return shown.name if shown is not None else ""


def node_content(node: Any, tree: _Tree) -> str:
    """A selected node's text content (DOM's ``getTextContent``: the text of every element
    below it, without comments); a value's text."""
    if isinstance(node, ET.ElementTree):
        node = node.getroot()
    if isinstance(node, ET.Element) and isinstance(node.tag, str):
        return "".join(node.itertext())
    return node_text(node, tree) if not isinstance(node, ET.Element) else node.text or ""


def node_attributes(node: Any, tree: _Tree) -> dict[str, str]:
    """A selected element's attributes by the names written (``xmlns:th`` among them on a
    namespace-unaware read), as WireMock's ``XmlDomNode.getAttributes``."""
    if isinstance(node, ET.ElementTree):
        return {}
    shown = tree.shown.get(id(node))
    return dict(shown.attributes) if shown is not None else {}
