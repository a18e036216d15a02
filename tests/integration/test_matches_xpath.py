"""``matchesXPath`` over real sockets, with what real WireMock 3.13.2 answers for the same
mappings and bodies (checked against its standalone jar): presence, a value pattern on the
selected nodes' text, elements rendered as WireMock renders them, numbers as Java formats
them, ``xPathNamespaces``, and expressions refused at creation with the pointer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

SOAP = """<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="urn:m">
  <soap:Body>
    <m:GetPrice m:currency="EUR">
      <m:Item>Apples</m:Item>
      <m:Qty>3</m:Qty>
    </m:GetPrice>
  </soap:Body>
</soap:Envelope>"""
NS = {"s": "http://schemas.xmlsoap.org/soap/envelope/", "p": "urn:m"}
TODO = (
    '<todo-list><todo-item id="1">wash</todo-item><todo-item id="2"> dry </todo-item></todo-list>'
)


def _matches(http: httpx.Client, pattern: dict[str, Any], body: str) -> bool:
    http.post("/__admin/reset")
    stub = {
        "request": {"method": "POST", "urlPath": "/x", "bodyPatterns": [pattern]},
        "response": {"status": 200, "body": "hit"},
    }
    created = http.post("/__admin/mappings", json=stub)
    assert created.status_code == 201, created.text
    answer = http.post("/x", content=body.encode())
    assert answer.status_code in (200, 404), answer.text
    return answer.status_code == 200


@pytest.mark.parametrize(
    ("pattern", "body", "matched"),
    [
        ({"matchesXPath": "//todo-item"}, TODO, True),
        ({"matchesXPath": "//todo-item"}, "<todo-list><other/></todo-list>", False),
        ({"matchesXPath": "//todo-item"}, "  " + TODO, True),
        ({"matchesXPath": "//todo-item"}, "todo-item", False),  # not XML: nothing
        ({"matchesXPath": "//a"}, "<a><b></a>", False),  # not well-formed
        ({"matchesXPath": "/todo-list[count(todo-item) = 2]"}, TODO, True),
        ({"matchesXPath": "/todo-list[count(todo-item) = 3]"}, TODO, False),
        ({"matchesXPath": "count(//nothing)"}, TODO, True),  # a number is never empty
        ({"matchesXPath": "boolean(//nothing)"}, TODO, True),  # nor is false
        ({"matchesXPath": "//comment()"}, "<a><!-- c --></a>", True),
        ({"matchesXPath": "//b"}, "<!DOCTYPE a [<!ENTITY e 'x'>]><a><b/></a>", False),
    ],
)
def test_presence_is_a_non_empty_result_as_wiremock_has_it(
    http: httpx.Client, pattern: dict[str, Any], body: str, matched: bool
) -> None:
    assert _matches(http, pattern, body) is matched


@pytest.mark.parametrize(
    ("expression", "sub", "body", "matched"),
    [
        ("//todo-item/text()", {"equalTo": " dry "}, TODO, True),
        ("//todo-item/@id", {"equalTo": "2"}, TODO, True),
        ("//todo-item/@id", {"equalTo": "3"}, TODO, False),
        ("//todo-item", {"equalTo": '<todo-item id="1">wash</todo-item>\n'}, TODO, True),
        ("//todo-item", {"equalTo": "wash"}, TODO, False),  # an element is its XML
        ("//todo-item", {"matches": "w.*"}, TODO, False),
        ("//todo-item", {"contains": ">wash<"}, TODO, True),
        ("//todo-item", {"not": {"contains": "iron"}}, TODO, True),
        ("string(//todo-item)", {"equalTo": "wash"}, TODO, True),  # the first node's text
        ("count(//todo-item)", {"equalTo": "2"}, TODO, True),
        ("count(//todo-item)", {"equalTo": "2.0"}, TODO, False),
        ("sum(//i/@n)", {"equalTo": "1,234.75"}, '<l><i n="1000.25"/><i n="234.5"/></l>', True),
        ("sum(//i/@n) div 3", {"equalTo": "411.583"}, '<l><i n="1234.75"/></l>', True),
        ("//todo-item = 'wash'", {"equalTo": "true"}, TODO, True),
        ("//nothing", {"absent": True}, TODO, False),  # nothing selected: no match
        (
            "/l/i",
            {"equalTo": '<i a="1" b="x&quot;&lt;&gt;">\n  <a>1</a>\n  text\n  <!--c-->\n</i>\n'},
            '<l><i b="x&quot;&lt;>" a="1"><a>1</a>text<!--c--></i></l>',
            True,
        ),
        (
            "/l/i",
            {
                "equalTo": "<i>\n      \n  <a/>\n    \n</i>\n"
            },  # indented input, as the JDK writes it
            "<l><i>\n    <a/>\n  </i></l>",
            True,
        ),
        ("/l/i", {"equalTo": "<i>x<![CDATA[<y>]]></i>\n"}, "<l><i>x<![CDATA[<y>]]></i></l>", True),
        (
            "//i",
            {"equalToXml": "<i><a>1</a><b>2</b></i>"},
            "<l><i><a>1</a>  <b>2</b></i></l>",
            True,
        ),
    ],
)
def test_a_value_pattern_is_applied_to_each_selected_nodes_text(
    http: httpx.Client, expression: str, sub: dict[str, Any], body: str, matched: bool
) -> None:
    pattern = {"matchesXPath": {"expression": expression, **sub}}
    assert _matches(http, pattern, body) is matched


@pytest.mark.parametrize(
    ("pattern", "matched"),
    [
        # namespace-unaware without xPathNamespaces: names by their local part on child steps
        ({"matchesXPath": "/Envelope/Body/GetPrice[Item='Apples']"}, True),
        ({"matchesXPath": {"expression": "//GetPrice/@currency", "equalTo": "EUR"}}, True),
        ({"matchesXPath": "/s:Envelope/s:Body/p:GetPrice", "xPathNamespaces": NS}, True),
        ({"matchesXPath": "/s:Envelope/s:Body/p:GetPrice[p:Item='Pears']", "xPathNamespaces": NS}, False),
        ({"matchesXPath": "/Envelope", "xPathNamespaces": NS}, False),  # by URI now
        (
            {"matchesXPath": {"expression": "//p:Qty/text()", "equalTo": "3"}, "xPathNamespaces": NS},
            True,
        ),
        ({"matchesXPath": {"expression": "//p:Qty", "equalTo": "3", "xPathNamespaces": NS}}, False),
        (
            {
                "matchesXPath": {"expression": "//p:Item", "equalTo": '<m:Item xmlns:m="urn:m">Apples</m:Item>\n'},
                "xPathNamespaces": NS,
            },
            True,
        ),
        ({"matchesXPath": {"expression": "//p:GetPrice/@p:currency", "equalTo": "EUR"}, "xPathNamespaces": NS}, True),
    ],
)  # fmt: skip
def test_namespaces_as_wiremock_reads_them(
    http: httpx.Client, pattern: dict[str, Any], matched: bool
) -> None:
    assert _matches(http, pattern, SOAP) is matched


def test_a_default_namespace_is_ignored_without_namespaces_and_renders_with_them(
    http: httpx.Client,
) -> None:
    body = '<a xmlns="urn:x"><b/></a>'
    assert _matches(http, {"matchesXPath": "/a/b"}, body)
    with_ns = {"matchesXPath": "/a/b", "xPathNamespaces": {"x": "urn:x"}}
    assert not _matches(http, with_ns, body)
    rendered = {"expression": "/x:a/x:b", "equalTo": '<b xmlns="urn:x"/>\n'}
    assert _matches(http, {"matchesXPath": rendered, "xPathNamespaces": {"x": "urn:x"}}, body)
    whole = {"expression": "/a", "equalTo": '<a xmlns="urn:x">\n  <b/>\n</a>\n'}
    assert _matches(http, {"matchesXPath": whole}, body)


@pytest.mark.parametrize(
    ("pattern", "pointer", "reason"),
    [
        ({"matchesXPath": "//[["}, "", "matchesXPath is not a valid XPath 1.0 expression: "),
        (
            {"matchesXPath": "/soap:Envelope"},
            "",
            "prefix 'soap' is not declared: declare it in xPathNamespaces",
        ),
        ({"matchesXPath": 5}, "", "matchesXPath must be a string or an object, got a number"),
        ({"matchesXPath": {"equalTo": "x"}}, "", "needs an 'expression' in its object form"),
        ({"matchesXPath": "/a", "xPathNamespaces": ["a"]}, "", "xPathNamespaces must be an object"),
        ({"matchesXPath": "/a", "xPathNamespaces": {"a": 1}}, "", "xPathNamespaces/a must be a string"),
        ({"matchesXPath": {"expression": "/a", "equalTo": 1}}, "/matchesXPath", "equalTo must be a string"),
    ],
)  # fmt: skip
def test_a_pattern_that_cannot_work_is_refused_with_the_pointer(
    http: httpx.Client, pattern: dict[str, Any], pointer: str, reason: str
) -> None:
    stub = {"request": {"bodyPatterns": [pattern]}, "response": {"status": 200}}
    refused = http.post("/__admin/mappings", json=stub)
    assert refused.status_code == 422, refused.text
    error = refused.json()["errors"][0]
    assert error["source"]["pointer"] == "/request/bodyPatterns/0" + pointer
    assert reason in error["title"]


def test_verification_and_near_misses_read_it_too(http: httpx.Client) -> None:
    http.post("/x", content=TODO.encode())
    pattern = {"matchesXPath": {"expression": "//todo-item/@id", "equalTo": "2"}}
    count = http.post("/__admin/requests/count", json={"bodyPatterns": [pattern]})
    assert count.json()["count"] == 1
    stub = {
        "request": {"method": "POST", "urlPath": "/y", "bodyPatterns": [{"matchesXPath": "//z"}]},
        "response": {"status": 200},
    }
    assert http.post("/__admin/mappings", json=stub).status_code == 201
    missed = http.post("/y", content=TODO.encode())
    assert missed.status_code == 404
    assert 'matchesXPath "//z"' in missed.text
