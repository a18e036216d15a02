"""WireMock 3.13.2's ``formatXml`` Handlebars helper (``FormatXmlHelper``): the XML read (with
the reader that refuses entity declarations), its blank text nodes dropped, and written as the
JDK's serializer writes a DOM with ``indent-number`` 2 (``pretty``, the default) or without
indenting (``compact``), the XML declaration left out.

What the JDK does, checked against the real 3.13.2 jar: an element with no children is
``<a/>``; one holding only text and CDATA stays on one line; otherwise each child goes on its
own line two spaces further in (a text child with its leading line breaks dropped), except
CDATA, which follows what is before it and is followed by the end tag directly when last.
Namespace declarations come first, the element's own prefix before the others (by prefix),
those already in scope left out; the other attributes follow, by name. Comments and
processing instructions outside the root are written next to it, and a pretty document ends
with a line break. The body is read namespace-unaware, as WireMock's parser reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from mockbdd.domain.xml_tree import EntityRefused, hardened_parser

INDENT = "  "
_NOT_JAVA_SPACE = "\u00a0\u2007\u202f\x85"  # str.isspace() says yes, Character.isWhitespace no


@dataclass(slots=True)
class _Element:
    name: str
    attributes: list[tuple[str, str]]
    children: list[_Node] = field(default_factory=list)


@dataclass(slots=True)
class _CData:
    text: str


@dataclass(slots=True)
class _Markup:
    """A comment or a processing instruction, as written."""

    text: str


_Node = _Element | _CData | _Markup | str


class _Reader:
    def __init__(self) -> None:
        self.top: list[_Node] = []
        self.stack: list[_Element] = []
        self.cdata: list[str] | None = None

    def _add(self, node: _Node) -> None:
        (self.stack[-1].children if self.stack else self.top).append(node)

    def start(self, name: str, attributes: list[str]) -> None:
        element = _Element(name, list(zip(attributes[::2], attributes[1::2], strict=True)))
        self._add(element)
        self.stack.append(element)

    def end(self, name: str) -> None:
        self.stack.pop()

    def data(self, text: str) -> None:
        if self.cdata is not None:
            self.cdata.append(text)
            return
        if not self.stack:  # nothing outside the root holds text
            return
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += text
        else:
            children.append(text)

    def start_cdata(self) -> None:
        self.cdata = []

    def end_cdata(self) -> None:
        if self.cdata is not None:
            self._add(_CData("".join(self.cdata)))
        self.cdata = None

    def comment(self, text: str) -> None:
        self._add(_Markup(f"<!--{text}-->"))

    def pi(self, target: str, data: str) -> None:
        self._add(_Markup(f"<?{target} {data}?>" if data else f"<?{target}?>"))


def _blank(text: str) -> bool:
    """Java's ``String.isBlank``: only whitespace as ``Character.isWhitespace`` has it."""
    return all(c.isspace() and c not in _NOT_JAVA_SPACE for c in text)


def _drop_blanks(nodes: list[_Node]) -> list[_Node]:
    kept: list[_Node] = []
    for node in nodes:
        if isinstance(node, str) and _blank(node):
            continue
        if isinstance(node, _CData) and _blank(node.text):  # a CDATASection is a Text too
            continue
        if isinstance(node, _Element):
            node.children = _drop_blanks(node.children)
        kept.append(node)
    return kept


def _read(text: str) -> list[_Node] | None:
    reader = _Reader()
    parser = hardened_parser(None)
    parser.ordered_attributes = True
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.data
    parser.StartCdataSectionHandler = reader.start_cdata
    parser.EndCdataSectionHandler = reader.end_cdata
    parser.CommentHandler = reader.comment
    parser.ProcessingInstructionHandler = reader.pi
    try:
        parser.Parse(text, True)
    except (expat.ExpatError, EntityRefused):
        return None
    return _drop_blanks(reader.top)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Writer:
    def __init__(self, pretty: bool) -> None:
        self.pretty = pretty

    def node(self, node: _Node, depth: int, scope: dict[str, str]) -> str:
        if isinstance(node, _Element):
            return self.element(node, depth, scope)
        if isinstance(node, _CData):
            return f"<![CDATA[{node.text}]]>"
        if isinstance(node, _Markup):
            return node.text
        return _escape(node)

    def element(self, element: _Element, depth: int, scope: dict[str, str]) -> str:
        name = element.name
        own = name.partition(":")[0] if ":" in name else ""
        declared: dict[str, str] = {}
        attributes: list[tuple[str, str]] = []
        for key, value in element.attributes:
            if key == "xmlns" or key.startswith("xmlns:"):
                declared[key[6:]] = value
            else:
                attributes.append((key, value))
        inner = dict(scope)
        written: list[tuple[str, str]] = []
        for prefix in sorted(declared, key=lambda p: (p != own, p)):
            if scope.get(prefix) != declared[prefix]:
                written.append((f"xmlns:{prefix}" if prefix else "xmlns", declared[prefix]))
                inner[prefix] = declared[prefix]
        written.extend(sorted(attributes))
        head = (
            "<"
            + name
            + "".join(f' {k}="{_escape(v).replace(chr(34), "&quot;")}"' for k, v in written)
        )
        children = element.children
        if not children:
            return head + "/>"
        end = f"</{name}>"
        if not self.pretty or all(isinstance(c, (str, _CData)) for c in children):
            return head + ">" + "".join(self.node(c, depth + 1, inner) for c in children) + end
        pad = "\n" + INDENT * (depth + 1)
        parts = [head, ">"]
        for child in children:
            if isinstance(child, _CData):  # the JDK indents no CDATA section
                parts.append(self.node(child, depth + 1, inner))
            elif isinstance(child, str):
                parts.append(pad + _escape(child.lstrip("\n")))
            else:
                parts.append(pad + self.node(child, depth + 1, inner))
        if not isinstance(children[-1], _CData):
            parts.append("\n" + INDENT * depth)
        parts.append(end)
        return "".join(parts)


def format_xml(text: str, pretty: bool) -> str | None:
    """``text`` written again, or None when it is not well-formed XML (or declares entities)."""
    nodes = _read(text)
    if nodes is None:
        return None
    writer = _Writer(pretty)
    written = "".join(writer.node(node, 0, {}) for node in nodes)
    return written + "\n" if pretty else written
