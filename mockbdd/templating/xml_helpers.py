"""WireMock 3.13.2's ``xPath`` and ``soapXPath`` Handlebars helpers (``HandlebarsXPathHelper``,
``HandlebarsSoapHelper``), reading and rendering XML as ``matchesXPath`` does.

``{{xPath request.body '/outer/inner/text()'}}`` renders the first node selected (a text
node's or an attribute's value, an element as WireMock's serializer writes it, a number as
Java's ``NumberFormat``); ``{{#each (xPath request.body '/list/item') as |item|}}`` walks them
all, each with ``name``, ``text`` and ``attributes``. The body is read namespace-unaware, as
WireMock's DOM reads it (``/Envelope/Body`` finds ``soap:Envelope``); ``soapXPath`` puts
``/Envelope/Body/`` before its expression. Nothing selected renders empty; a body that is not
XML (or declares entities, which are refused) and an expression that is not XPath 1.0 render
WireMock's ``[ERROR: ...]`` text.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mockbdd.domain import patterns_xpath
from mockbdd.templating.handlebars import Helper, Options, to_text
from mockbdd.templating.values import ListOrSingle

if TYPE_CHECKING:
    from elementpath import Selector


class XmlNode:
    """One node an XPath selected, as a template sees it: renders as WireMock's
    ``XmlNode.toString``; ``name``, ``text`` and ``attributes`` as its getters answer."""

    __slots__ = ("_attributes", "_content", "_name", "_shown")

    def __init__(self, shown: str, name: str, content: str, attributes: dict[str, str]) -> None:
        self._shown = shown
        self._name = name
        self._content = content
        self._attributes = attributes

    def __mb_text__(self) -> str:
        return self._shown

    def __mb_lookup__(self, key: str | int) -> Any:
        if key == "name":
            return self._name
        if key == "text":
            return self._content
        if key == "attributes":
            return dict(self._attributes)
        return None

    def __str__(self) -> str:
        return self._shown


_UNDECLARED = re.compile(r"XPST0081\] prefix '([^']+)' is not declared")
_MAX_PREFIXES = 32


@lru_cache(maxsize=512)
def _selector(expression: str) -> Selector | None:
    """The compiled expression (None when it is not XPath 1.0): a literal in a template is
    compiled once, not per request. A prefixed name selects nothing, as on WireMock's
    namespace-unaware DOM (``count(/soap:Envelope)`` is 0): each prefix is bound to a URI
    that no name of a namespace-unaware read carries."""
    from elementpath import ElementPathError, Selector, XPath1Parser

    namespaces: dict[str, str] = {}
    for _ in range(_MAX_PREFIXES):
        try:
            return Selector(expression, namespaces=namespaces or None, parser=XPath1Parser)
        except ElementPathError as exc:
            undeclared = _UNDECLARED.search(str(exc))
            if undeclared is None or undeclared.group(1) in namespaces:
                return None
            namespaces[undeclared.group(1)] = f"urn:mockbdd:unbound:{undeclared.group(1)}"
    return None


def _node(found: Any, tree: Any) -> Any:
    if found is None or isinstance(found, (str, int, float, Decimal)):  # values and text
        return patterns_xpath.node_text(found, tree)
    return XmlNode(
        patterns_xpath.node_text(found, tree),
        patterns_xpath.node_name(found, tree),
        patterns_xpath.node_content(found, tree),
        patterns_xpath.node_attributes(found, tree),
    )


def _xpath(prefix: str) -> Helper:
    def helper(context: Any, options: Options) -> Any:
        if context is None:
            return ""
        expression = options.param(0)
        if expression is None:
            return "[ERROR: The XPath expression cannot be empty]"
        expression = to_text(expression)
        text = to_text(context)
        found = patterns_xpath.read(text, aware=False)
        if found is None:
            return f"[ERROR: {text} is not valid XML]"
        document, tree = found
        selector = _selector(prefix + expression)
        if selector is None:
            return f"[ERROR: {expression} is not a valid XPath expression]"
        from elementpath import ElementPathError

        try:
            result = selector.select(document)
        except (ElementPathError, ArithmeticError, ValueError, TypeError):
            return f"[ERROR: {expression} is not a valid XPath expression]"
        nodes = result if isinstance(result, list) else [result]
        if not nodes:
            return ""
        return ListOrSingle(_node(node, tree) for node in nodes)

    return helper


def xml_helpers() -> dict[str, Helper]:
    return {"xPath": _xpath(""), "soapXPath": _xpath("/Envelope/Body/")}
