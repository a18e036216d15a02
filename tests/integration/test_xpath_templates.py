"""``xPath`` and ``soapXPath`` in ``response-template`` over real sockets, with what real
WireMock 3.13.2 answers for the same templates and bodies (bench/wiremock_diff_templates.py
checks them against its jar): text, attributes, elements rendered as XML, iteration with
``name``/``text``/``attributes``, namespace-unaware reads, and WireMock's error texts."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mockbdd.server.embedded import MockServer
from mockbdd.templating import xml_helpers

XML = '<a id="7"><test>success</test><item n="1">one</item><item n="2">two &amp; more</item></a>'
SOAP = (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="urn:m">'
    '<soap:Body><m:GetPrice m:currency="EUR"><m:Item>Apples</m:Item><m:Qty>3</m:Qty>'
    "</m:GetPrice></soap:Body></soap:Envelope>"
)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with MockServer() as server, httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def _render(http: httpx.Client, template: str, body: str) -> str:
    http.post("/__admin/reset")
    stub = {
        "request": {"method": "POST", "urlPath": "/x"},
        "response": {"status": 200, "body": template, "transformers": ["response-template"]},
    }
    created = http.post("/__admin/mappings", json=stub)
    assert created.status_code == 201, created.text
    answer = http.post("/x", content=body.encode())
    assert answer.status_code == 200, answer.text
    return answer.text


@pytest.mark.parametrize(
    ("template", "body", "rendered"),
    [
        ("<t>{{xPath request.body '/a/test/text()'}}</t>", XML, "<t>success</t>"),
        ("[{{xPath request.body '/b/test'}}]", XML, "[]"),  # nothing selected: empty
        ("{{xPath request.body '/a/@id'}}", XML, "7"),
        ("{{xPath request.body '/a/test'}}", XML, "<test>success</test>\n"),
        ("{{xPath request.body '/a/item/text()'}}", XML, "one"),  # the first of several
        ("{{size (xPath request.body '/a/item')}}", XML, "2"),
        ("{{xPath request.body 'count(/a/item)'}}", XML, "2"),
        ("{{xPath request.body 'sum(/a/item/@n) div 3'}}", XML, "1"),  # Java's NumberFormat
        ("{{xPath request.body 'count(/a/item) > 1'}}", XML, "true"),
        ("{{#if (xPath request.body '/a/none')}}yes{{else}}no{{/if}}", XML, "no"),
        (
            "{{{xPath request.body '/a'}}}",
            XML,
            '<a id="7">\n  <test>success</test>\n  <item n="1">one</item>\n'
            '  <item n="2">two &amp; more</item>\n</a>\n',
        ),
        (
            "{{#each (xPath request.body '/a/item') as |i|}}"
            "{{i.name}}:{{i.attributes.n}}={{i.text}};{{/each}}",
            XML,
            "item:1=one;item:2=two & more;",
        ),
    ],
)
def test_xpath_renders_what_it_selects_as_wiremock_does(
    http: httpx.Client, template: str, body: str, rendered: str
) -> None:
    assert _render(http, template, body) == rendered


@pytest.mark.parametrize(
    ("template", "rendered"),
    [
        ("{{soapXPath request.body '/GetPrice/Item/text()'}}", "Apples"),
        ("{{soapXPath request.body '/GetPrice/@currency'}}", "EUR"),
        ("{{{soapXPath request.body '/GetPrice/Qty'}}}", "<m:Qty>3</m:Qty>\n"),
        ("[{{soapXPath request.body '/Nothing'}}]", "[]"),
        ("{{xPath request.body '/Envelope/Body/GetPrice/Item/text()'}}", "Apples"),
        # a prefixed name never matches on WireMock's namespace-unaware read
        ("[{{soapXPath request.body '/m:GetPrice/m:Item/text()'}}]", "[]"),
        ("{{xPath request.body 'count(//m:Item)'}}", "0"),
        (
            "{{#each (xPath request.body '/Envelope/Body/GetPrice/*') as |t|}}"
            "{{t.name}}={{t.text}} {{/each}}",
            "m:Item=Apples m:Qty=3 ",
        ),
    ],
)
def test_soap_xpath_reads_below_the_body_namespace_unaware(
    http: httpx.Client, template: str, rendered: str
) -> None:
    assert _render(http, template, SOAP) == rendered


@pytest.mark.parametrize(
    ("template", "body", "rendered"),
    [
        ("{{xPath request.body '/a'}}", "<a><b></a>", "[ERROR: <a><b></a> is not valid XML]"),
        ("{{xPath request.body '/a'}}", "plain", "[ERROR: plain is not valid XML]"),
        ("{{xPath request.body '/a['}}", XML, "[ERROR: /a[ is not a valid XPath expression]"),
        ("{{xPath request.body}}", XML, "[ERROR: The XPath expression cannot be empty]"),
        (  # entity declarations are refused, as matchesXPath refuses them
            "{{xPath request.body '/a/text()'}}",
            "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
            "[ERROR: <!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a> is not valid XML]",
        ),
    ],
)
def test_bad_input_renders_wiremocks_error_text(
    http: httpx.Client, template: str, body: str, rendered: str
) -> None:
    assert _render(http, template, body) == rendered


def test_a_literal_expression_is_compiled_once_not_per_request(http: httpx.Client) -> None:
    expression = "/a/item[@n = '2']/text()"
    xml_helpers._selector.cache_clear()
    template = '{{xPath request.body "' + expression + '"}}'
    for _ in range(3):
        assert _render(http, template, XML) == "two & more"
    info = xml_helpers._selector.cache_info()
    assert (info.misses, info.hits) == (1, 2)
