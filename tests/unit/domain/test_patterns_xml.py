"""``equalToXml``: the cases of WireMock 3.13.2's EqualToXmlPatternTest (same documents, same
outcomes, the distances it asserts), XMLUnit's placeholders, and hostile documents."""

from __future__ import annotations

import pytest

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.patterns_xml import EqualToXmlPattern
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.patterns import parse_content_pattern

THINGS = (
    "<things>\n"
    '    <thing characteristic="tepid"/>\n'
    '    <thing characteristic="tedious"/>\n'
    "</things>"
)


def xml(expected: str, **options: object) -> EqualToXmlPattern:
    pattern = parse_content_pattern({"equalToXml": expected, **options}, "/p", extensions=BUILTIN)
    assert isinstance(pattern, EqualToXmlPattern)
    return pattern


def test_identical_and_whitespace_only_differences_match() -> None:
    compact = '<things><thing characteristic="tepid"/><thing characteristic="tedious"/></things>'
    assert xml(THINGS).match(compact).is_exact
    assert xml(THINGS).match(THINGS).is_exact


@pytest.mark.parametrize("actual", [None, "", "not xml", "<things>"])
def test_absent_empty_or_malformed_is_distance_1(actual: str | None) -> None:
    assert xml(THINGS).match(actual).distance == 1.0


def test_distances_are_wiremocks() -> None:
    assert xml(THINGS).match("<no-things-at-all />").distance == 0.5
    missing = xml(THINGS).match('<things>\n    <thing characteristic="tepid"/>\n</things>')
    assert missing.distance == pytest.approx(1 / 7)


def test_attribute_and_element_order_do_not_count_tag_names_do() -> None:
    assert (
        xml('<my-attribs one="1" two="2" three="3"/>')
        .match('<my-attribs two="2" one="1" three="3"/>')
        .is_exact
    )
    assert (
        xml("<my-elements><one /><two /><three /></my-elements>")
        .match("<my-elements>\n  <two />\n  <three />\n  <one />\n</my-elements>")
        .is_exact
    )
    differ = xml("<one>Hello</one>").match("<two>Hello</two>")
    assert 0 < differ.distance < 1


def test_ignore_order_of_same_node() -> None:
    expected = "<body><entry>1</entry><entry>2</entry></body>"
    swapped = "<body><entry>2</entry><entry>1</entry></body>"
    assert xml(expected, ignoreOrderOfSameNode=True).match(swapped).is_exact
    assert not xml(expected).match(swapped).is_exact
    assert (
        not xml("<body><entry>1</entry><entry>3</entry></body>", ignoreOrderOfSameNode=True)
        .match(swapped)
        .is_exact
    )
    assert (
        xml(
            "<body><entry>1</entry><entry>2</entry><other>2</other></body>",
            ignoreOrderOfSameNode=True,
        )
        .match("<body><entry>2</entry><entry>1</entry><other>2</other></body>")
        .is_exact
    )
    assert (
        xml("<body><!-- Comment --><entry/><entry/></body>", ignoreOrderOfSameNode=True)
        .match("<body><entry/><entry/><!-- A different comment --></body>")
        .is_exact
    )


def test_strict_namespaces_compare_uris_not_prefixes() -> None:
    a = '<ns1:companyID xmlns:ns1="https://stuff.com">100</ns1:companyID>'
    assert xml(a).match('<x:companyID xmlns:x="https://stuff.com">100</x:companyID>').is_exact
    other_uri = '<ns1:companyID xmlns:ns1="https://thing.com">100</ns1:companyID>'
    assert not xml(a).match(other_uri).is_exact
    assert xml(a, exemptedComparisons=["NAMESPACE_URI"]).match(other_uri).is_exact
    # xmlns declarations themselves are not attributes
    declared = '<GetValue xmlns:ns2="http://a" xmlns:ns3="http://b"/>'
    assert xml(declared).match('<GetValue xmlns:ns5="http://c"/>').is_exact
    assert (
        not xml(declared, namespaceAwareness="NONE")
        .match('<GetValue xmlns:ns5="http://c"/>')
        .is_exact
    )
    attr = '<companyID xmlns:ns1="https://thing.com" ns1:abc="123">100</companyID>'
    assert not xml(attr).match(attr.replace("thing.com", "stuff.com")).is_exact


def test_unbound_prefixes_are_refused_strict_and_allowed_otherwise() -> None:
    unbound = "<th:thing>Match this</th:thing>"
    with pytest.raises(InvalidInput, match="unbound prefix"):
        xml(unbound)
    assert xml(unbound, namespaceAwareness="NONE").match(unbound).is_exact
    assert (
        xml(unbound, namespaceAwareness="LEGACY").match("<st:thing>Match this</st:thing>").is_exact
    )
    assert (
        not xml(unbound, namespaceAwareness="NONE")
        .match("<st:thing>Match this</st:thing>")
        .is_exact
    )


def test_legacy_keeps_default_namespaces_and_attribute_prefixes() -> None:
    expected = '<stuff xmlns="https://example.com/mine"><things /></stuff>'
    legacy = xml(expected, namespaceAwareness="LEGACY")
    assert legacy.match(expected).is_exact
    assert not legacy.match(expected.replace("mine", "wrong")).is_exact
    attrs = '<stuff xmlns:th="https://thing.com"><thing th:attr="abc">x</thing></stuff>'
    same_uri = '<stuff xmlns:st="https://thing.com"><thing st:attr="abc">x</thing></stuff>'
    assert not xml(attrs, namespaceAwareness="LEGACY").match(same_uri).is_exact
    assert xml(attrs).match(same_uri).is_exact


def test_placeholders() -> None:
    expected = (
        "<a><id>${xmlunit.ignore}</id><n>${xmlunit.isNumber}</n>"
        "<c>${xmlunit.matchesRegex([a-z]+)}</c><d when='${xmlunit.isDateTime}'/></a>"
    )
    pattern = xml(expected, enablePlaceholders=True)
    assert pattern.match(
        "<a><id>x</id><n> -1.5e3 </n><c>abc</c><d when='2024-01-02'/></a>"
    ).is_exact
    assert pattern.match("<a><id/><n>2</n><c>q</c><d when='2024-01-02T10:00:00'/></a>").is_exact
    assert not pattern.match("<a><id>x</id><n>two</n><c>abc</c><d when='2024-01-02'/></a>").is_exact
    assert not pattern.match("<a><id>x</id><n>2</n><c>123</c><d when='2024-01-02'/></a>").is_exact
    assert not pattern.match("<a><id>x</id><n>2</n><c>abc</c><d when='soon'/></a>").is_exact
    # not enabled: the placeholder is plain text
    assert (
        not xml(expected)
        .match("<a><id>x</id><n>2</n><c>abc</c><d when='2024-01-02'/></a>")
        .is_exact
    )


def test_placeholder_delimiters_and_an_ignored_missing_attribute() -> None:
    pattern = xml(
        "<a x='[[xmlunit.ignore]]'><b>[[xmlunit.ignore]]</b></a>",
        enablePlaceholders=True,
        placeholderOpeningDelimiterRegex=r"\[\[",
        placeholderClosingDelimiterRegex="]]",
    )
    assert pattern.match("<a x='1'><b>anything</b></a>").is_exact
    assert pattern.match("<a><b/></a>").is_exact
    assert (
        xml("<a><b>${xmlunit.isDateTime(dd/MM/yyyy)}</b></a>", enablePlaceholders=True)
        .match("<a><b>03/12/2026</b></a>")
        .is_exact
    )


def test_a_placeholder_that_shares_its_text_never_matches() -> None:
    pattern = xml("<a>id: ${xmlunit.ignore}</a>", enablePlaceholders=True)
    assert pattern.match("<a>id: 7</a>").distance == 1.0


def test_entities_are_refused_and_dtds_never_fetched() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        "<lolz>&lol3;</lolz>"
    )
    assert xml("<lolz/>").match(bomb).distance == 1.0
    external = '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'
    assert xml("<a/>").match(external).distance == 1.0
    with pytest.raises(InvalidInput, match="entity declarations are not accepted"):
        xml(bomb)
    no_fetch = '<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>'
    assert xml("<a/>").match(no_fetch).is_exact


def test_a_deep_document_is_no_match_not_a_crash() -> None:
    deep = "<a>" * 5000 + "</a>" * 5000
    assert xml("<a/>").match(deep).distance > 0
    assert xml(deep).match(deep).distance == 1.0  # deeper than Python's stack: refused


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"exemptedComparisons": ["NOPE"]}, "'NOPE' is not a comparison type (valid: XML_VERSION"),
        ({"exemptedComparisons": "ATTR_VALUE"}, "exemptedComparisons must be an array"),
        ({"namespaceAwareness": "LOOSE"}, "namespaceAwareness must be one of STRICT, LEGACY, NONE"),
        ({"enablePlaceholders": "yes"}, "enablePlaceholders must be a boolean"),
        (
            {"enablePlaceholders": True, "placeholderOpeningDelimiterRegex": "(["},
            "placeholder delimiters are not a valid regex",
        ),
        ({"ignoreWhitespace": True}, "unknown option 'ignoreWhitespace' for equalToXml"),
    ],
)
def test_bad_options_are_refused_with_the_reason(options: dict[str, object], reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        xml("<a/>", **options)
    assert reason in str(refused.value)
    assert refused.value.pointer == "/p"


def test_not_xml_is_refused_at_creation() -> None:
    with pytest.raises(InvalidInput, match="equalToXml is not a valid XML document: "):
        xml("<a>")
