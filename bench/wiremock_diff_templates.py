"""Differential test of response TEMPLATES: the same templated mappings served by real WireMock
3.13.2 and by mockbdd, compared on status and body (and a templated header).

    .venv/bin/python bench/wiremock_diff_templates.py [--only SUBSTRING] [--verbose]

Needs Java and the WireMock standalone jar (``WIREMOCK_JAR``; by default the one
``bash /work/shared/bench/peers.sh install`` puts under /tmp/mockbdd-peers). Every case is one
stub (``"transformers": ["response-template"]``) at its own URL and one request. Helpers with
fixed inputs are compared exactly; random and clock helpers by shape (a regular expression both
answers must match). Known, explained differences are in ``EXPECTED``; the run exits 1 when an
unexplained one remains, and prints the count.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import httpx
from wiremock_diff import JarMissing, arguments, both_servers

JSON = {"Content-Type": "application/json"}
ITEMS = '{"items":[{"id":1,"name":"a","tags":["x","y"]},{"id":2,"name":"b"}],"user":{"name":"O\'Brien & <co>","age":42},"n":"12.5"}'
XML = '<a id="7"><test>success</test><item n="1">one</item><item n="2">two &amp; more</item></a>'
SOAP = (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="urn:m">'
    '<soap:Body><m:GetPrice m:currency="EUR"><m:Item>Apples</m:Item><m:Qty>3</m:Qty>'
    "</m:GetPrice></soap:Body></soap:Envelope>"
)


@dataclass(frozen=True)
class Case:
    ident: str
    body: str  # the template (the stub's body)
    path: str = ""  # the request path + query; default /t/<ident>
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    request_body: str | None = None
    shape: str | None = None  # a regex both bodies must fullmatch, instead of equality
    url_template: str | None = None  # stub matches with urlPathTemplate
    response_headers: dict[str, str] = field(default_factory=dict)
    json_body: Any = None  # a jsonBody instead of ``body``
    parameters: dict[str, Any] | None = None


C = Case
XML_POST: dict[str, Any] = {"method": "POST", "request_body": XML}
SOAP_POST: dict[str, Any] = {"method": "POST", "request_body": SOAP}
FORMAT_XML = "{{formatXml request.body}}"
CASES: list[Case] = [
    # -- the request model
    C("url", "{{request.url}}", "/t/url?a=1&b=two"),
    C("path", "{{request.path}}", "/t/path/x/y"),
    C("path-index", "{{request.path.[0]}}-{{request.path.[2]}}", "/t/path-index/third"),
    C("path-segments", "{{request.pathSegments.[1]}}", "/t/path-segments/z"),
    C(
        "path-template",
        "{{request.path.id}}/{{request.path.[1]}}",
        "/t/path-template/77",
        url_template="/t/path-template/{id}",
    ),
    C(
        "query",
        "{{request.query.a}}|{{request.query.b.[1]}}|{{request.query.b}}",
        "/t/query?a=1&b=x&b=y",
    ),
    C("query-missing", "[{{request.query.nope}}]", "/t/query-missing"),
    C("method", "{{request.method}}", method="POST"),
    C(
        "header",
        "{{request.headers.X-Thing}}|{{request.headers.x-thing}}",
        headers={"X-Thing": "v1"},
    ),
    C("header-brackets", "{{request.headers.[X-Thing]}}", headers={"X-Thing": "v2"}),
    C("cookie", "{{request.cookies.session}}", headers={"Cookie": "session=abc"}),
    C("body", "{{{request.body}}}", method="POST", request_body="plain text"),
    C("body-escaped", "{{request.body}}", method="POST", request_body="a<b>&'\"=`"),
    C("body-base64", "{{request.bodyAsBase64}}", method="POST", request_body="hello"),
    C("scheme-port", "{{request.scheme}}"),
    C("not-a-template", "no expressions here"),
    C("this-class", "[{{request.__class__}}][{{request.class}}][{{request.body.class}}]"),
    # -- JSON helpers
    C(
        "jsonpath",
        "{{jsonPath request.body '$.user.age'}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "jsonpath-escaped",
        "{{jsonPath request.body '$.user.name'}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "jsonpath-raw",
        "{{{jsonPath request.body '$.user.name'}}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "jsonpath-object",
        "{{{jsonPath request.body '$.user'}}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "jsonpath-list",
        "{{{jsonPath request.body '$.items[*].id'}}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "jsonpath-definite-array",
        "{{{jsonPath request.body '$.items[0].tags'}}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "jsonpath-objects",
        "{{{jsonPath request.body '$.items'}}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "jsonpath-index",
        "{{jsonPath request.body '$.items[1].name'}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "jsonpath-filter",
        '{{{jsonPath request.body "$.items[?(@.id == 2)].name"}}}',
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "jsonpath-missing",
        "[{{jsonPath request.body '$.nope'}}]",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "jsonpath-default",
        "{{jsonPath request.body '$.nope' default='dflt'}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "each-blockparam",
        "{{#each (jsonPath request.body '$.items') as |item|}}{{item.id}}:{{item.name}};{{/each}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "each-index",
        "{{#each (jsonPath request.body '$.items') as |item|}}{{@index}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}},{{/each}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "each-this",
        "{{#each (jsonPath request.body '$.items')}}{{this.name}}{{name}}{{/each}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "each-key",
        "{{#each (jsonPath request.body '$.user')}}{{@key}}={{this}};{{/each}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "each-else",
        "{{#each (jsonPath request.body '$.none')}}x{{else}}empty{{/each}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "parsejson",
        "{{#with (parseJson request.body)}}{{user.age}}{{/with}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "parsejson-var",
        "{{parseJson request.body 'doc'}}{{doc.user.age}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "tojson",
        "{{{toJson (jsonPath request.body '$.user')}}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C("tojson-array", "{{{toJson (array 1 'two' true)}}}"),
    C("formatjson", '{{{formatJson \'{"a":1,"b":[1,2]}\'}}}'),
    C("formatjson-compact", "{{{formatJson '{ \"a\" : 1 }' format='compact'}}}"),
    C("jsonbody", "", json_body={"id": "{{request.path.[1]}}", "n": 1}, path="/t/jsonbody/9"),
    # -- values, assign, lookup
    C(
        "val-or",
        "{{val request.query.nope or='fallback'}}|{{val request.query.a}}",
        "/t/val-or?a=given",
    ),
    C("val-assign", "{{val 'kept' assign='v'}}[{{v}}]"),
    C("assign", "{{#assign 'name'}}Ada{{/assign}}Hi {{name}}"),
    C("lookup", "{{lookup request.query 'a'}}|{{lookup request.path 1}}", "/t/lookup/seg?a=qa"),
    C("with", "{{#with request.query}}{{a}}{{/with}}", "/t/with?a=w"),
    C(
        "parameters",
        "{{parameters.greeting}} {{parameters.n}}",
        parameters={"greeting": "hello", "n": 3},
    ),
    # -- conditionals
    C("if-else", "{{#if request.query.a}}yes{{else}}no{{/if}}", "/t/if-else?a=1"),
    C("if-missing", "{{#if request.query.a}}yes{{else}}no{{/if}}"),
    C("unless", "{{#unless request.query.a}}none{{/unless}}"),
    C(
        "else-if",
        "{{#if (eq request.query.a 'x')}}X{{else if (eq request.query.a 'y')}}Y{{else}}Z{{/if}}",
        "/t/else-if?a=y",
    ),
    C(
        "eq",
        "{{#eq request.query.a 'v'}}same{{else}}diff{{/eq}}|{{eq 1 1}}|{{eq 'a' 'b'}}",
        "/t/eq?a=v",
    ),
    C("neq", "{{neq 'a' 'b'}}"),
    C("gt-lt", "{{gt 3 2}}{{lt 3 2}}{{gte 2 2}}{{lte 1 2}}"),
    C("and-or-not", "{{and true false}}{{or true false}}{{not false}}{{#and true 1}}A{{/and}}"),
    C("contains", "{{contains 'abcdef' 'cd'}}|{{#contains (array 'a' 'b') 'b'}}in{{/contains}}"),
    C("matches", "{{matches '123' '[0-9]+'}}|{{#matches 'abc' '[a-z]+'}}m{{/matches}}"),
    # -- strings
    C(
        "string-case",
        "{{upper 'abc'}}{{lower 'DEF'}}{{capitalize 'hello world'}}{{capitalizeFirst 'xyz'}}",
    ),
    C(
        "string-misc",
        "{{replace 'a-b-c' '-' '+'}}|{{substring 'abcdef' 1 3}}|{{abbreviate 'abcdefghij' 6}}|{{trim '  t  '}}",
    ),
    C("default-if-empty", "{{defaultIfEmpty request.query.nope 'dflt'}}"),
    C("join", "{{join (array 'a' 'b' 'c') ', '}}"),
    C("array-join", "{{arrayJoin ',' (array 'One' 'Two' 'Three')}}|{{arrayJoin '-' 'x' 'y'}}"),
    C("array-join-prefix", "{{arrayJoin ', ' (array 'a' 'b') prefix='[' suffix=']'}}"),
    C(
        "array-join-block",
        "{{#arrayJoin ';' (jsonPath request.body '$.items') as |item|}}{{item.name}}{{/arrayJoin}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C("regex-extract", "{{regexExtract request.path.[1] '[A-Z]+'}}", "/t/regex-extract/abcDEFghi"),
    C(
        "regex-extract-groups",
        "{{regexExtract request.path.[1] '([a-z]+)-([0-9]+)' 'parts'}}{{parts.0}}/{{parts.1}}",
        "/t/regex-extract-groups/abc-123",
    ),
    C("regex-extract-default", "{{regexExtract 'abc' '[0-9]+' default='none'}}"),
    C(
        "size",
        "{{size 'abcde'}}|{{size (array 1 2 3)}}|{{size (jsonPath request.body '$.user')}}",
        method="POST",
        request_body=ITEMS,
        headers=JSON,
    ),
    C(
        "base64",
        "{{base64 'hello world'}}|{{base64 'aGVsbG8=' decode=true}}|{{base64 'a' padding=false}}",
    ),
    C("urlencode", "{{urlEncode 'a b&c=d/é'}}|{{urlEncode 'a%20b%2Bc' decode=true}}"),
    C(
        "formdata",
        "{{formData request.body 'form' urlDecode=true}}{{form.a}}|{{form.b.[1]}}",
        method="POST",
        request_body="a=1%202&b=x&b=y",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
    # -- arrays and numbers
    C("array", "{{array 1 'two' 3}}"),
    C("array-add", "{{arrayAdd (array 1 2) 3}}|{{arrayAdd (array 1 2) 0 position='start'}}"),
    C("array-remove", "{{arrayRemove (array 1 2 3)}}|{{arrayRemove (array 1 2 3) position=0}}"),
    C("range", "{{range 1 5}}"),
    C("each-range", "{{#each (range 1 3)}}<{{this}}>{{/each}}"),
    C(
        "math",
        "{{math 1 '+' 2}}|{{math 10 '/' 4}}|{{math 10.0 '/' 4}}|{{math 7 '%' 3}}|{{math 3 '*' 1.5}}|{{math 5 '-' 8}}",
    ),
    C("math-strings", "{{math request.query.a '+' request.query.b}}", "/t/math-strings?a=2&b=40"),
    C("numbers-render", "{{math 1.5 '+' 0}}|{{math 100000000 '*' 100}}|{{math 0.1 '+' 0.2}}"),
    C("isodd-even", "{{isOdd 3}}|{{isEven 3}}|{{isEven 4 'e'}}"),
    # -- dates (fixed inputs)
    C("parse-date", "{{date (parseDate '2024-03-15T10:20:30Z') format='yyyy-MM-dd HH:mm'}}"),
    C("parse-date-default", "{{parseDate '2024-03-15T10:20:30Z'}}"),
    C(
        "parse-date-format",
        "{{date (parseDate '15/03/2024' format='dd/MM/yyyy') format='yyyy-MM-dd'}}",
    ),
    C(
        "date-offset",
        "{{date (parseDate '2024-01-31T00:00:00Z') offset='1 months' format='yyyy-MM-dd'}}",
    ),
    C("date-offset-days", "{{date (parseDate '2024-03-15T10:20:30Z') offset='-3 days'}}"),
    C(
        "date-epoch",
        "{{date (parseDate '2024-03-15T10:20:30Z') format='epoch'}}|{{date (parseDate '2024-03-15T10:20:30Z') format='unix'}}",
    ),
    C(
        "date-timezone",
        "{{date (parseDate '2024-03-15T10:20:30Z') timezone='Europe/Paris' format='yyyy-MM-dd HH:mm'}}",
    ),
    C("date-rfc1123", "{{date (parseDate 'Fri, 15 Mar 2024 10:20:30 GMT') format='yyyy-MM-dd'}}"),
    C("truncate-date", "{{truncateDate (parseDate '2024-03-15T10:20:30Z') 'first day of month'}}"),
    C(
        "date-pattern-text",
        "{{date (parseDate '2024-03-15T10:20:30Z') format=\"EEE, dd MMM yyyy HH:mm:ss 'GMT'\"}}",
    ),
    # -- clock and random helpers, by shape
    C("now", "{{now}}", shape=r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"),
    C("now-format", "{{now format='yyyy-MM-dd'}}", shape=r"\d{4}-\d\d-\d\d"),
    C("now-offset-epoch", "{{now offset='3 days' format='epoch'}}", shape=r"\d{13}"),
    C("now-unix", "{{now format='unix'}}", shape=r"\d{10}"),
    C("random-value", "{{randomValue length=12 type='ALPHANUMERIC'}}", shape=r"[a-z0-9]{12}"),
    C(
        "random-value-upper",
        "{{randomValue length=8 type='ALPHABETIC' uppercase=true}}",
        shape=r"[A-Z]{8}",
    ),
    C("random-value-numeric", "{{randomValue length=6 type='NUMERIC'}}", shape=r"[0-9]{6}"),
    C("random-value-hex", "{{randomValue length=6 type='HEXADECIMAL'}}", shape=r"[0-9a-f]{6}"),
    C(
        "random-uuid",
        "{{randomValue type='UUID'}}",
        shape=r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
    ),
    C("random-int", "{{randomInt lower=5 upper=9}}", shape=r"[5-8]"),
    C("random-decimal", "{{randomDecimal lower=1 upper=2}}", shape=r"1\.\d+(E-?\d+)?"),
    C("pick-random", "{{pickRandom 'a' 'b' 'c'}}", shape=r"[abc]"),
    C("pick-random-list", "{{pickRandom (array 1 2 3)}}", shape=r"[123]"),
    C("hostname", "{{hostname}}", shape=r"[A-Za-z0-9._-]+"),
    # -- XML helpers
    C("xpath-text", "<t>{{xPath request.body '/a/test/text()'}}</t>", **XML_POST),
    C("xpath-none", "[{{xPath request.body '/b/test'}}]", **XML_POST),
    C("xpath-attribute", "{{xPath request.body '/a/@id'}}", **XML_POST),
    C("xpath-element", "{{{xPath request.body '/a/test'}}}", **XML_POST),
    C("xpath-element-escaped", "{{xPath request.body '/a/test'}}", **XML_POST),
    C("xpath-subtree", "{{{xPath request.body '/a'}}}", **XML_POST),
    C("xpath-first-of-many", "{{xPath request.body '/a/item/text()'}}", **XML_POST),
    C(
        "xpath-each",
        "{{#each (xPath request.body '/a/item') as |i|}}{{i.name}}:{{i.attributes.n}}"
        "={{i.text}};{{/each}}",
        **XML_POST,
    ),
    C("xpath-size", "{{size (xPath request.body '/a/item')}}", **XML_POST),
    C("xpath-count", "{{xPath request.body 'count(/a/item)'}}", **XML_POST),
    C("xpath-sum", "{{xPath request.body 'sum(/a/item/@n) div 3'}}", **XML_POST),
    C("xpath-boolean", "{{xPath request.body 'count(/a/item) > 1'}}", **XML_POST),
    C("xpath-string", "{{xPath request.body 'local-name(/*/*[1])'}}", **XML_POST),
    C("xpath-empty-string", "[{{xPath request.body 'string(/a/nothing)'}}]", **XML_POST),
    C(
        "xpath-namespaced",
        "{{#each (xPath request.body '/stuff/thing') as |t|}}{{t.name}}={{t.text}} {{/each}}",
        method="POST",
        request_body='<stuff xmlns:th="urn:th"><th:thing>One</th:thing><th:thing>Two</th:thing>'
        "</stuff>",
    ),
    C(
        "xpath-namespaced-render",
        "{{{xPath request.body '/stuff'}}}",
        method="POST",
        request_body='<stuff xmlns:th="urn:th"><th:thing a="1">One</th:thing></stuff>',
    ),
    C("xpath-invalid-xml", "{{xPath request.body '/a'}}", method="POST", request_body="<a><b></a>"),
    C("xpath-not-xml", "{{xPath request.body '/a'}}", method="POST", request_body="plain"),
    C(
        "xpath-entity",
        "{{xPath request.body '/a/text()'}}",
        method="POST",
        request_body="<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
    ),
    C("xpath-invalid-expression", "{{xPath request.body '/a['}}", **XML_POST),
    C("xpath-no-expression", "{{xPath request.body}}", **XML_POST),
    C("xpath-if", "{{#if (xPath request.body '/a/nothing')}}yes{{else}}no{{/if}}", **XML_POST),
    C("soap-xpath", "{{soapXPath request.body '/m:GetPrice/m:Item/text()'}}", **SOAP_POST),
    C("xpath-prefixed", "[{{xPath request.body '/soap:Envelope/soap:Body'}}]", **SOAP_POST),
    C("xpath-prefixed-count", "{{xPath request.body 'count(//m:Item)'}}", **SOAP_POST),
    C("xpath-prefix-wildcard", "{{xPath request.body 'count(//m:*)'}}", **SOAP_POST),
    C("xpath-local-through-descendants", "{{xPath request.body '//Item/text()'}}", **SOAP_POST),
    C("soap-xpath-local", "{{soapXPath request.body '/GetPrice/Item/text()'}}", **SOAP_POST),
    C("soap-xpath-attribute", "{{soapXPath request.body '/GetPrice/@currency'}}", **SOAP_POST),
    C("soap-xpath-none", "[{{soapXPath request.body '/Nothing'}}]", **SOAP_POST),
    C("soap-xpath-element", "{{{soapXPath request.body '/GetPrice/Qty'}}}", **SOAP_POST),
    # -- formatXml (FormatXmlHelper): pretty and compact, namespaces, mixed content, CDATA
    C(
        "format-xml-block",
        "{{#formatXml}}<foo><bar>wh</bar></foo>{{/formatXml}}",
        method="POST",
        request_body="",
    ),
    C(
        "format-xml-block-ws",
        "{{#formatXml}}  <foo>\n   <bar  b='2' a=\"1\">wh</bar>\n\n<baz/></foo>  {{/formatXml}}",
        method="POST",
        request_body="",
    ),
    C(
        "format-xml-compact",
        "{{#formatXml format='compact'}}<foo>\n  <bar>wh</bar>\n  <baz></baz>\n</foo>{{/formatXml}}",
        method="POST",
        request_body="",
    ),
    C(
        "format-xml-param",
        FORMAT_XML,
        method="POST",
        request_body="<a><b>1</b><c x='y'>t &amp; u</c></a>",
    ),
    C(
        "format-xml-param-compact",
        "{{formatXml request.body format='compact'}}",
        method="POST",
        request_body="<a>\n <b>1</b>\n</a>",
    ),
    C(
        "format-xml-decl",
        FORMAT_XML,
        method="POST",
        request_body="<?xml version='1.0' encoding='UTF-8'?><a><b/></a>",
    ),
    C(
        "format-xml-ns",
        FORMAT_XML,
        method="POST",
        request_body="<s:E xmlns:s='urn:s' xmlns='urn:d'><s:B><x>1</x></s:B></s:E>",
    ),
    C("format-xml-mixed", FORMAT_XML, method="POST", request_body="<a>text<b>1</b>tail</a>"),
    C("format-xml-comment", FORMAT_XML, method="POST", request_body="<a><!-- c --><b>1</b></a>"),
    C("format-xml-cdata", FORMAT_XML, method="POST", request_body="<a><![CDATA[x<y]]></a>"),
    C("format-xml-pi", FORMAT_XML, method="POST", request_body="<?pi data?><a><?inner x?><b/></a>"),
    C(
        "format-xml-deep",
        FORMAT_XML,
        method="POST",
        request_body="<a><b><c><d>1</d></c></b><e/></a>",
    ),
    C(
        "format-xml-quotes",
        FORMAT_XML,
        method="POST",
        request_body="<a t='x&quot;y&apos;z&lt;&gt;'>a&gt;b \"q\" 'a'</a>",
    ),
    C("format-xml-invalid", FORMAT_XML, method="POST", request_body="<a><b></a>"),
    C("format-xml-empty", FORMAT_XML, method="POST", request_body="   "),
    C(
        "format-xml-badformat",
        "{{formatXml request.body format='wide'}}",
        method="POST",
        request_body="<a/>",
    ),
    C("format-xml-unicode", FORMAT_XML, method="POST", request_body="<a>é ü 中</a>"),
    C(
        "format-xml-entity",
        FORMAT_XML,
        method="POST",
        request_body="<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
    ),
    C("format-xml-doctype", FORMAT_XML, method="POST", request_body="<!DOCTYPE a><a/>"),
    C("format-xml-textonly-ws", FORMAT_XML, method="POST", request_body="<a>  x  </a>"),
    C("format-xml-nbsp", FORMAT_XML, method="POST", request_body="<a><b>1</b>&#160;<c/></a>"),
    C("format-xml-tab", FORMAT_XML, method="POST", request_body="<a>\t<b>1</b></a>"),
    C(
        "format-xml-ns2",
        FORMAT_XML,
        method="POST",
        request_body="<a z='1' xmlns:p='urn:p' b='2' xmlns='urn:d' p:c='3'><p:x xmlns:p='urn:p'/><y xmlns='urn:e'/></a>",
    ),
    C(
        "format-xml-ns3",
        FORMAT_XML,
        method="POST",
        request_body="<p:a xmlns:p='urn:p'><p:b xmlns:q='urn:q' q:k='v'/></p:a>",
    ),
    C("format-xml-mixed-ws", FORMAT_XML, method="POST", request_body="<a> text <b/>  tail  </a>"),
    C("format-xml-mixed-nested", FORMAT_XML, method="POST", request_body="<a><b>x<c/>y</b></a>"),
    C("format-xml-only-comment", FORMAT_XML, method="POST", request_body="<a><!--c--></a>"),
    C("format-xml-text-comment", FORMAT_XML, method="POST", request_body="<a>x<!--c--></a>"),
    C("format-xml-blank-elem", FORMAT_XML, method="POST", request_body="<a>   </a>"),
    C("format-xml-cdata-elem", FORMAT_XML, method="POST", request_body="<a><![CDATA[x]]><b/></a>"),
    C("format-xml-text-cdata", FORMAT_XML, method="POST", request_body="<a>x<![CDATA[y]]></a>"),
    C("format-xml-trailing-comment", FORMAT_XML, method="POST", request_body="<a/><!-- after -->"),
    C("format-xml-leading-comment", FORMAT_XML, method="POST", request_body="<!-- before --><a/>"),
    C(
        "format-xml-multiline-text",
        FORMAT_XML,
        method="POST",
        request_body="<a><b>line1\nline2</b><c/></a>",
    ),
    C("format-xml-mixed-multiline", FORMAT_XML, method="POST", request_body="<a>l1\n  l2<b/></a>"),
    C("format-xml-gt-text", FORMAT_XML, method="POST", request_body="<a>]]&gt; &amp;amp;</a>"),
    C("format-xml-attr-ws", FORMAT_XML, method="POST", request_body="<a x='1\n2\t3'/>"),
    C("format-xml-cr", FORMAT_XML, method="POST", request_body="<a>x\r\ny</a>"),
    C(
        "format-xml-compact-mixed",
        "{{formatXml request.body format='compact'}}",
        method="POST",
        request_body="<a>\n x <b> y </b>\n <!-- c -->\n</a>",
    ),
    C(
        "format-xml-block-handlebars",
        "{{#formatXml}}<a><b>{{request.path}}</b></a>{{/formatXml}}",
        method="POST",
        request_body="",
    ),
    C("format-xml-non-string", "{{formatXml 5}}", method="POST", request_body=""),
    C("format-xml-two-roots", FORMAT_XML, method="POST", request_body="<a/><b/>"),
    C("format-xml-text-before", FORMAT_XML, method="POST", request_body="junk<a/>"),
    C("format-xml-cdata-after", FORMAT_XML, method="POST", request_body="<a><b/><![CDATA[x]]></a>"),
    C(
        "format-xml-cdata-mid",
        FORMAT_XML,
        method="POST",
        request_body="<a><b/><![CDATA[x]]><c/></a>",
    ),
    C("format-xml-text-nl", FORMAT_XML, method="POST", request_body="<a>\n x <b/></a>"),
    C(
        "format-xml-ns-same-uri",
        FORMAT_XML,
        method="POST",
        request_body="<a xmlns:p='urn:x' xmlns:q='urn:x'><q:b/></a>",
    ),
    C(
        "format-xml-ns-many",
        FORMAT_XML,
        method="POST",
        request_body="<a xmlns:z='urn:z' xmlns:b='urn:b' xmlns='urn:d' k='1'/>",
    ),
    C(
        "format-xml-ns-own-mid",
        FORMAT_XML,
        method="POST",
        request_body="<m:a xmlns:z='urn:z' xmlns:m='urn:m' xmlns:b='urn:b'/>",
    ),
    C("format-xml-undeclared", FORMAT_XML, method="POST", request_body="<p:a/>"),
    C("format-xml-pi-doc-after", FORMAT_XML, method="POST", request_body="<a/><?x y?>"),
    C(
        "format-xml-comment-multi",
        FORMAT_XML,
        method="POST",
        request_body="<!--1--><!--2--><a><b/></a><!--3-->",
    ),
    # -- syntax corners
    C("triple-stash", "{{{request.query.a}}}|{{request.query.a}}", "/t/triple-stash?a=%3Cb%3E"),
    C("ampersand", "{{& request.query.a}}", "/t/ampersand?a=%3Cb%3E"),
    C("comment", "a{{! a comment }}b{{!-- another }} --}}c"),
    C("whitespace-control", "a  {{~request.method~}}  b"),
    C("escaped-mustache", "\\{{not.a.template}} {{request.method}}"),
    C("block-lines", "[\n  {{#each (range 1 2)}}\n  {{this}}\n  {{/each}}\n]"),
    C("nested-subexpr", "{{upper (lower (replace 'A-B' '-' '_'))}}"),
    C("string-literals", "{{upper \"dq\"}}{{upper 'sq'}}"),
    C("parent-context", "{{#each (range 1 2)}}{{../request.method}}{{/each}}"),
    C(
        "header-template",
        "ok",
        response_headers={"X-Echo": "{{request.query.a}}-{{request.method}}"},
        path="/t/header-template?a=h",
    ),
]


def stub_for(case: Case) -> dict[str, Any]:
    path = case.path or f"/t/{case.ident}"
    request: dict[str, Any] = {"method": case.method}
    if case.url_template:
        request["urlPathTemplate"] = case.url_template
    else:
        request["urlPath"] = path.split("?", 1)[0]
    response: dict[str, Any] = {"status": 200, "transformers": ["response-template"]}
    if case.json_body is not None:
        response["jsonBody"] = case.json_body
    else:
        response["body"] = case.body
    if case.response_headers:
        response["headers"] = case.response_headers
    if case.parameters is not None:
        response["transformerParameters"] = case.parameters
    return {"request": request, "response": response}


def answer(http: httpx.Client, case: Case) -> tuple[int, str, str]:
    path = case.path or f"/t/{case.ident}"
    content = case.request_body.encode() if case.request_body is not None else None
    with httpx.Client(base_url=str(http.base_url), timeout=10) as fresh:  # cookies per request
        r = fresh.request(case.method, path, headers=case.headers, content=content)
    echo = r.headers.get("x-echo", "")
    return r.status_code, r.text, echo


EXPECTED: dict[str, str] = {
    "each-else": "{{#each}} over the empty string a missing jsonPath gives: handlebars.java "
    "iterates the Java String's bean properties (23 of them); mockbdd templates see data, never "
    "an object's properties, so the string is empty and {{else}} renders",
    "xpath-entity": "a body that declares entities: WireMock's DOM expands internal ones; "
    "mockbdd refuses every entity declaration (no billion laughs, no file read from a request "
    "body), as matchesXPath and equalToXml do, so the body is not valid XML to it",
    "format-xml-entity": "the same as xpath-entity: formatXml reads the body with the reader "
    "that refuses entity declarations, so it renders WireMock's [ERROR: Input is not valid XML]",
    "hostname": "the machine's host name: the same rule (InetAddress.getLocalHost / "
    "socket.gethostname), compared by shape only",
}


def main() -> int:
    args = arguments(__doc__, "templates").parse_args()
    cases = [c for c in CASES if not args.only or args.only in c.ident]
    try:
        servers = both_servers()
        with servers as (wm_url, mb_url):
            wm, mb = httpx.Client(base_url=wm_url), httpx.Client(base_url=mb_url)
            for client in (wm, mb):
                client.post("/__admin/reset").raise_for_status()
            refused: dict[str, tuple[int, int]] = {}
            for case in cases:
                stub = stub_for(case)
                codes = (
                    wm.post("/__admin/mappings", json=stub).status_code,
                    mb.post("/__admin/mappings", json=stub).status_code,
                )
                if codes[0] != codes[1]:
                    refused[case.ident] = codes
            unexplained, explained = [], []
            for case in cases:
                if case.ident in refused:
                    row = (
                        case.ident,
                        f"stub {refused[case.ident][0]}",
                        f"stub {refused[case.ident][1]}",
                    )
                else:
                    a, b = answer(wm, case), answer(mb, case)
                    if case.shape is not None:
                        same = a[0] == b[0] and all(re.fullmatch(case.shape, x[1]) for x in (a, b))
                    else:
                        same = a == b
                    if same:
                        if args.verbose:
                            print(f"same  {case.ident}: {a[1]!r}")
                        continue
                    row = (case.ident, repr(a), repr(b))
                reason = next(
                    (why for glob, why in EXPECTED.items() if fnmatch.fnmatch(case.ident, glob)),
                    None,
                )
                (explained if reason else unexplained).append((*row, reason or ""))
            print(
                f"{len(cases)} cases; {len(unexplained)} unexplained differences, {len(explained)} explained\n"
            )
            for ident, w, m, _ in unexplained:
                print(f"- {ident}\n    wiremock: {w}\n    mockbdd:  {m}")
            for ident, w, m, why in explained:
                print(f"- (expected) {ident}: {why}\n    wiremock: {w}\n    mockbdd:  {m}")
            return 1 if unexplained else 0
    except JarMissing as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
