"""``equalToXml``: WireMock 3.13.2's semantic XML comparison (XMLUnit 2.11 as it configures it).

Counted comparisons only (element names, namespace URIs, text, attribute names and values, child
counts, unmatched children, processing instructions, schema locations), less the
``exemptedComparisons``; prefixes, comments, child order and whitespace around text do not count.
An exact match pairs children after sorting them by name (and by text with
``ignoreOrderOfSameNode``), the distance pairs them in document order and is the share of counted
comparisons that differ, as WireMock's. XMLUnit's placeholders with ``enablePlaceholders``:
``${xmlunit.ignore}``, ``${xmlunit.isNumber}``, ``${xmlunit.matchesRegex(re)}``,
``${xmlunit.isDateTime}`` and ``${xmlunit.isDateTime(format)}``, the delimiters replaceable.
The expected document and its placeholders are compiled once, with the stub.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.matching import EXACT, NO_MATCH, MatchResult
from mockbdd.domain.patterns import ContentPattern, quote
from mockbdd.domain.xml_tree import Document, Element, Node, Pi, Text, XmlError, parse_xml
from mockbdd.records import record

COMPARISON_TYPES = [
    "XML_VERSION",
    "XML_STANDALONE",
    "XML_ENCODING",
    "HAS_DOCTYPE_DECLARATION",
    "DOCTYPE_NAME",
    "DOCTYPE_PUBLIC_ID",
    "DOCTYPE_SYSTEM_ID",
    "SCHEMA_LOCATION",
    "NO_NAMESPACE_SCHEMA_LOCATION",
    "NODE_TYPE",
    "NAMESPACE_PREFIX",
    "NAMESPACE_URI",
    "TEXT_VALUE",
    "PROCESSING_INSTRUCTION_TARGET",
    "PROCESSING_INSTRUCTION_DATA",
    "ELEMENT_TAG_NAME",
    "ATTR_VALUE_EXPLICITLY_SPECIFIED",
    "ELEMENT_NUM_ATTRIBUTES",
    "ATTR_VALUE",
    "CHILD_NODELIST_LENGTH",
    "CHILD_NODELIST_SEQUENCE",
    "CHILD_LOOKUP",
    "ATTR_NAME_LOOKUP",
]
COUNTED = frozenset(
    [
        "ELEMENT_TAG_NAME",
        "SCHEMA_LOCATION",
        "NO_NAMESPACE_SCHEMA_LOCATION",
        "NODE_TYPE",
        "NAMESPACE_URI",
        "TEXT_VALUE",
        "PROCESSING_INSTRUCTION_TARGET",
        "PROCESSING_INSTRUCTION_DATA",
        "ELEMENT_NUM_ATTRIBUTES",
        "ATTR_VALUE",
        "CHILD_NODELIST_LENGTH",
        "CHILD_LOOKUP",
        "ATTR_NAME_LOOKUP",
    ]
)

Check = Callable[[str | None], bool]  # a placeholder: does this test value (None: absent) pass?
_NUMBER = re.compile(r"[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?")
_ISO_DATE = re.compile(r"\d{1,4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{1,2}")
_DATE_LETTERS = re.compile(r"'[^']*'|([A-Za-z])\1*|.", re.DOTALL)


def _trim(text: str) -> str:
    return text.strip("".join(chr(c) for c in range(0x21)))


def _date_format(fmt: str) -> re.Pattern[str]:
    """A SimpleDateFormat pattern as a prefix regex (Java's lenient parse reads a prefix)."""
    parts = []
    for m in _DATE_LETTERS.finditer(fmt):
        token = m.group(0)
        if token.startswith("'"):
            parts.append(re.escape(token[1:-1] or "'"))
        elif m.group(1):
            parts.append(r"[^\s\d]+" if token[0] in "EGa" or token in ("MMM", "MMMM") else r"\d+")
            if token[0] in "XZz":
                parts[-1] = r"(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5})"
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts))


class _Placeholders:
    """XMLUnit's ``PlaceholderDifferenceEvaluator``: a control text that is one placeholder."""

    def __init__(self, opening: str | None, closing: str | None) -> None:
        open_re = opening if opening and opening.strip() else re.escape("${")
        close_re = closing if closing and closing.strip() else re.escape("}")
        try:
            self._find = re.compile(rf"(\s*{open_re}\s*xmlunit\.(.+)\s*{close_re}\s*)")
        except re.error as exc:
            raise InvalidInput("", f"placeholder delimiters are not a valid regex: {exc}") from None
        self._args = re.compile(r"((.*)\s*\((.+)\s*\)\s*)")
        self._cache: dict[str, Check | None] = {}

    def check(self, control: str) -> Check | None:
        """The placeholder of ``control`` (None: not one); ``XmlError`` when XMLUnit fails."""
        if control not in self._cache:
            self._cache[control] = self._compile(control)
        found = self._cache[control]
        if found is _MISPLACED:
            raise XmlError("the placeholder must exclusively occupy the text node")
        return found

    def _compile(self, control: str) -> Check | None:
        m = self._find.search(control)
        if m is None:
            return None
        content = m.group(2).strip()
        a = self._args.search(content)
        keyword, args = (a.group(2).strip(), a.group(3).split(",")) if a else (content, [])
        while args and not args[-1]:
            args.pop()  # Java's split drops trailing empty strings
        check = _handler(keyword, args)
        if check is not None and m.group(1).strip() != control.strip():
            return _MISPLACED
        return check


def _misplaced(value: str | None) -> bool:
    raise XmlError("the placeholder must exclusively occupy the text node")


_MISPLACED: Check = _misplaced


def _handler(keyword: str, args: list[str]) -> Check | None:
    if keyword == "ignore":
        return lambda value: True
    if keyword == "isNumber":
        return lambda value: value is not None and _NUMBER.fullmatch(_trim(value)) is not None
    if keyword == "matchesRegex":
        if not args or not args[0]:
            return lambda value: False
        try:
            regex = re.compile(args[0].strip())
        except re.error as exc:
            reason = f"matchesRegex placeholder: {exc}"

            def broken(value: str | None) -> bool:
                raise XmlError(reason)

            return broken
        return lambda value: value is not None and regex.search(_trim(value)) is not None
    if keyword == "isDateTime":
        date = _date_format(args[0]) if len(args) == 1 else _ISO_DATE
        return lambda value: bool(value) and date.match(value or "") is not None
    return None


class _Different(Exception):
    """An exact comparison stops at the first counted difference."""


@dataclass(slots=True)
class _Run:
    """One comparison: ``sort`` pairs children as the exact match does, ``stop`` stops at the
    first difference; ``total``/``different`` count the counted comparisons."""

    counted: frozenset[str]
    placeholders: _Placeholders | None
    by_text: bool
    sort: bool
    stop: bool
    total: int = 0
    different: int = 0

    def record(self, kind: str, equal: bool, rescue: Callable[[], bool] | None = None) -> None:
        if kind not in self.counted:
            return
        self.total += 1
        if equal or (rescue is not None and self.placeholders is not None and rescue()):
            return
        self.different += 1
        if self.stop:
            raise _Different

    def value(self, kind: str, control: str, test: str | None) -> None:
        """A text or attribute value, which a placeholder may stand for."""
        placeholders = self.placeholders

        def rescue() -> bool:
            check = placeholders.check(control) if placeholders is not None else None
            return check is not None and check(test)

        self.record(kind, control == test, rescue)

    def node(self, control: Node | Document, test: Node | Document) -> None:
        self.record("NODE_TYPE", True)
        if isinstance(control, Element) and isinstance(test, Element) and control.ns is not None:
            self.record("NAMESPACE_URI", control.ns == test.ns)
        controls = control.children if not isinstance(control, (Text, Pi)) else []
        tests = test.children if not isinstance(test, (Text, Pi)) else []
        lone_text = len(controls) == 1 and isinstance(controls[0], Text) and not tests
        self.record(
            "CHILD_NODELIST_LENGTH",
            len(controls) == len(tests),
            self._missing(controls[0]) if lone_text else None,
        )
        if isinstance(control, Text) and isinstance(test, Text):
            self.value("TEXT_VALUE", control.value, test.value)
        elif isinstance(control, Pi) and isinstance(test, Pi):
            self.record("PROCESSING_INSTRUCTION_TARGET", control.target == test.target)
            self.record("PROCESSING_INSTRUCTION_DATA", control.data == test.data)
        elif isinstance(control, Element) and isinstance(test, Element):
            self.element(control, test)
        self.children(controls, tests)

    def _missing(self, node: Node) -> Callable[[], bool] | None:
        if not isinstance(node, Text) or self.placeholders is None:
            return None
        placeholders, value = self.placeholders, node.value

        def rescue() -> bool:
            check = placeholders.check(value)
            return check is not None and check(None)

        return rescue

    def element(self, control: Element, test: Element) -> None:
        self.record("ELEMENT_TAG_NAME", control.tag == test.tag)
        self.record(
            "ELEMENT_NUM_ATTRIBUTES",
            len(control.attrs) == len(test.attrs),
            lambda: self._attribute_count_rescued(control, test),
        )
        if "type" in control.special:
            found = "type" in test.special
            self.record("ATTR_NAME_LOOKUP", found)
            if found:
                self.value("ATTR_VALUE", control.special["type"], test.special["type"])
        for name, kind in (
            ("schemaLocation", "SCHEMA_LOCATION"),
            ("noNamespaceSchemaLocation", "NO_NAMESPACE_SCHEMA_LOCATION"),
        ):
            if name in control.special:
                self.record(kind, control.special[name] == test.special.get(name))
        for attr in control.attrs:
            match = next(
                (
                    t
                    for t in test.attrs
                    if t.ns == attr.ns and t.local == attr.local  # XMLUnit's findMatchingAttr
                ),
                None,
            )
            if match is None:
                self.record("ATTR_NAME_LOOKUP", False, self._missing(Text(attr.value)))
                continue
            self.record("ATTR_NAME_LOOKUP", True)
            self.record("NODE_TYPE", True)
            if attr.ns is not None:
                self.record("NAMESPACE_URI", True)
            self.value("ATTR_VALUE", attr.value, match.value)

    def _attribute_count_rescued(self, control: Element, test: Element) -> bool:
        assert self.placeholders is not None
        matched = 0
        for key, value in control.all_attrs.items():
            if key in test.all_attrs:
                matched += 1
                continue
            check = self.placeholders.check(value)
            if check is None or not check(None):
                return False
        return matched == len(test.all_attrs)

    def children(self, controls: list[Node], tests: list[Node]) -> None:
        if self.sort:
            controls, tests = self._sorted(controls), self._sorted(tests)
        unmatched = list(range(len(tests)))
        pairs: list[tuple[Node, Node]] = []
        lost: list[Node] = []
        for control in controls:
            for at, index in enumerate(unmatched):
                if type(tests[index]) is type(control):
                    pairs.append((control, tests[index]))
                    del unmatched[at]
                    break
            else:
                lost.append(control)
        for control, test in pairs:
            self.node(control, test)
        for control in lost:
            self.record("CHILD_LOOKUP", False, self._missing(control))

    def _sorted(self, nodes: list[Node]) -> list[Node]:
        """WireMock's OrderInvariantNodeMatcher: by local name (then text); Java's comparator
        throws on a node without a local name (text, a namespace-unaware element) as soon as
        there are two nodes to sort, and the match fails then."""
        if len(nodes) < 2:
            return nodes
        names = [n.sort_name if isinstance(n, Element) else None for n in nodes]
        if None in names:
            raise XmlError("a child without a local name cannot be ordered (WireMock's matcher)")
        if self.by_text:
            keyed = sorted(zip(names, nodes, strict=True), key=lambda p: (p[0], _text_of(p[1])))
        else:
            keyed = sorted(zip(names, nodes, strict=True), key=lambda p: p[0] or "")
        return [node for _, node in keyed]


def _text_of(node: Node) -> str:
    return node.text_content()


@record
class EqualToXmlPattern(ContentPattern):
    """``equalToXml`` with WireMock's options; refused at creation when the expected document
    is not XML or a placeholder delimiter is not a regex."""

    expected: str
    enable_placeholders: bool = False
    opening: str | None = None
    closing: str | None = None
    exempted: frozenset[str] = frozenset()
    ignore_order_of_same_node: bool = False
    namespaces: str = "STRICT"
    _document: Document = field(init=False, repr=False, compare=False, hash=False)
    _placeholders: _Placeholders | None = field(init=False, repr=False, compare=False, hash=False)
    _counted: frozenset[str] = field(init=False, repr=False, compare=False, hash=False)
    key = "equalToXml"

    def __post_init__(self) -> None:
        try:
            document = parse_xml(self.expected, self.namespaces)
        except XmlError as exc:
            raise InvalidInput("", f"equalToXml is not a valid XML document: {exc}") from None
        object.__setattr__(self, "_document", document)
        placeholders = (
            _Placeholders(self.opening, self.closing) if self.enable_placeholders else None
        )
        object.__setattr__(self, "_placeholders", placeholders)
        object.__setattr__(self, "_counted", COUNTED - self.exempted)

    def _run(self, test: Document, *, exact: bool) -> _Run:
        run = _Run(self._counted, self._placeholders, self.ignore_order_of_same_node, exact, exact)
        run.node(self._document, test)
        return run

    def match(self, value: str | None) -> MatchResult:
        if not value:
            return NO_MATCH
        try:
            test = parse_xml(value, self.namespaces)
        except XmlError:
            return NO_MATCH
        try:
            self._run(test, exact=True)
            return EXACT
        except (_Different, XmlError, RecursionError):
            pass
        try:
            run = self._run(test, exact=False)
        except (XmlError, RecursionError):
            return NO_MATCH
        if run.total == 0:
            return NO_MATCH
        # the positional pairing may find no difference where the sorted one did: still a miss
        return MatchResult(max(run.different / run.total, 1e-9))

    def describe(self) -> str:
        options = [
            name
            for name, on in (
                ("enablePlaceholders", self.enable_placeholders),
                ("ignoreOrderOfSameNode", self.ignore_order_of_same_node),
            )
            if on
        ]
        if self.exempted:
            options.append("exempting " + ", ".join(sorted(self.exempted)))
        suffix = f" ({'; '.join(options)})" if options else ""
        return f"equalToXml {quote(self.expected)}{suffix}"


def exempted_comparisons(values: Iterable[object]) -> frozenset[str]:
    """``exemptedComparisons``: XMLUnit's ComparisonType names."""
    names = []
    for value in values:
        if not isinstance(value, str) or value not in COMPARISON_TYPES:
            raise InvalidInput(
                "",
                f"exemptedComparisons: {value!r} is not a comparison type "
                f"(valid: {', '.join(COMPARISON_TYPES)})",
            )
        names.append(value)
    return frozenset(names)
