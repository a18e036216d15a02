"""XML documents as ``equalToXml`` compares them: parsed safely, whitespace stripped.

What WireMock 3.13.2's parser keeps (a DOM without comments, XMLUnit's ``ignoreWhitespace``:
text and attribute values trimmed, whitespace-only text gone), built from the standard library's
expat. Entity declarations and external entities are refused, as defusedxml refuses them: no
"billion laughs", no file or network read from a request body. ``namespaces``: ``STRICT``
(namespace-aware, prefixes must be bound), ``NONE`` (names as written, ``xmlns`` attributes
are plain attributes) or ``LEGACY`` (element prefixes dropped, default namespaces kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from mockbdd.records import record

XMLNS_NS = "http://www.w3.org/2000/xmlns/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_JAVA_SPACE = "".join(chr(c) for c in range(0x21))  # what Java's String.trim() strips

NAMESPACE_AWARENESS = ("STRICT", "LEGACY", "NONE")


class XmlError(ValueError):
    """Not a document ``equalToXml`` accepts: badly formed, or declares entities."""


@record
class Attr:
    ns: str | None
    local: str  # the name without prefix (the whole name when not namespace-aware)
    value: str

    @property
    def qname(self) -> tuple[str, str]:
        """XMLUnit's QName key: namespace URI ("" for none) and local name."""
        return (self.ns or "", self.local)


@dataclass(slots=True)
class Text:
    value: str

    def text_content(self) -> str:
        return self.value


@dataclass(slots=True)
class Pi:
    target: str
    data: str

    def text_content(self) -> str:
        return self.data


@dataclass(slots=True)
class Element:
    ns: str | None
    tag: str  # the local part ELEMENT_TAG_NAME compares
    sort_name: str | None  # DOM's getLocalName (None for a namespace-unaware DOM)
    attrs: list[Attr] = field(default_factory=list)  # without xmlns and the xsi specials
    special: dict[str, str] = field(default_factory=dict)  # xsi schemaLocation, type...
    all_attrs: dict[tuple[str, str], str] = field(default_factory=dict)  # XMLUnit's getAttributes
    children: list[Node] = field(default_factory=list)

    def text_content(self) -> str:
        return "".join(child.text_content() for child in self.children)


Node = Element | Text | Pi


@dataclass(slots=True)
class Document:
    children: list[Node]


class EntityRefused(Exception):
    """A document declares or references an entity: never expanded, refused whole."""


def _refuse(*args: object) -> None:
    raise EntityRefused("entity declarations are not accepted")


def hardened_parser(namespace_separator: str | None) -> expat.XMLParserType:
    """An expat parser that refuses entity declarations and external references (no
    billion laughs, no XXE): what every XML body pattern reads with."""
    parser = expat.ParserCreate(namespace_separator=namespace_separator)
    parser.buffer_text = True
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def _trim(text: str) -> str:
    return text.strip(_JAVA_SPACE)


class _Builder:
    def __init__(self, namespaces: str) -> None:
        self.mode = namespaces
        self.root = Document([])
        self.stack: list[Element | Document] = [self.root]
        self.text: list[str] = []
        self.pending_ns: list[tuple[str | None, str]] = []
        self.defaults: list[str | None] = [None]  # LEGACY: the default namespace in scope

    def flush(self) -> None:
        if self.text:
            value = _trim("".join(self.text))
            self.text.clear()
            if value:
                self.stack[-1].children.append(Text(value))

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.flush()
        element = self._element(name, attributes)
        self.stack[-1].children.append(element)
        self.stack.append(element)

    def end(self, name: str) -> None:
        self.flush()
        self.stack.pop()
        if self.mode == "LEGACY":
            self.defaults.pop()

    def pi(self, target: str, data: str) -> None:
        self.flush()
        self.stack[-1].children.append(Pi(target, _trim(data)))

    def namespace(self, prefix: str | None, uri: str) -> None:
        self.pending_ns.append((prefix, uri))

    def _element(self, name: str, attributes: dict[str, str]) -> Element:
        if self.mode == "STRICT":
            ns, _, local = name.rpartition(" ")
            element = Element(ns or None, local, local)
            for prefix, uri in self.pending_ns:
                element.all_attrs[(XMLNS_NS, prefix or "xmlns")] = uri
            self.pending_ns.clear()
            for key, raw in attributes.items():
                a_ns, _, a_local = key.rpartition(" ")
                self._attr(element, Attr(a_ns or None, a_local, _trim(raw)))
            return element
        if self.mode == "NONE":
            element = Element(None, name, None)
            for key, raw in attributes.items():
                self._attr(element, Attr(None, key, _trim(raw)))
            return element
        default = attributes.get("xmlns", self.defaults[-1])
        self.defaults.append(default)
        element = Element(default or None, name.rpartition(":")[2], name.rpartition(":")[2])
        for key, raw in attributes.items():
            if key != "xmlns" and not key.startswith("xmlns:"):
                self._attr(element, Attr(None, key, _trim(raw)))
        return element

    @staticmethod
    def _attr(element: Element, attr: Attr) -> None:
        element.all_attrs[attr.qname] = attr.value
        if attr.ns == XSI_NS and attr.local in ("schemaLocation", "noNamespaceSchemaLocation"):
            element.special[attr.local] = attr.value
        elif attr.ns == XSI_NS and attr.local == "type":
            element.special["type"] = attr.value
        else:
            element.attrs.append(attr)


def parse_xml(text: str, namespaces: str = "STRICT") -> Document:
    """The document, or ``XmlError`` with expat's reason (line and column)."""
    builder = _Builder(namespaces)
    parser = hardened_parser(" " if namespaces == "STRICT" else None)
    parser.ordered_attributes = False
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.text.append
    parser.ProcessingInstructionHandler = builder.pi
    parser.StartNamespaceDeclHandler = builder.namespace
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise XmlError(str(exc)) from None
    except EntityRefused as exc:
        raise XmlError(str(exc)) from None
    if not any(isinstance(child, Element) for child in builder.root.children):
        raise XmlError("no root element")
    return builder.root
