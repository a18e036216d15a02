"""``equalToXml`` through a real server: a SOAP-like body matches whatever its whitespace,
prefixes and child order; the closest stub of a miss is the XML one; a stub whose expected
document is not XML is refused (422 naming the pointer)."""

from __future__ import annotations

import httpx

from mockbdd.server.embedded import MockServer

EXPECTED = (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
    "<soap:Body><GetQuote><symbol>ACME</symbol><id>${xmlunit.ignore}</id></GetQuote>"
    "</soap:Body></soap:Envelope>"
)


def test_equal_to_xml_over_http() -> None:
    with MockServer() as server, httpx.Client(base_url=server.url) as http:
        created = http.post(
            "/__admin/mappings",
            json={
                "request": {
                    "method": "POST",
                    "urlPath": "/quote",
                    "bodyPatterns": [{"equalToXml": EXPECTED, "enablePlaceholders": True}],
                },
                "response": {"body": "quoted"},
            },
        )
        assert created.status_code == 201, created.text
        body = (
            '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">\n'
            "  <s:Body>\n    <GetQuote>\n      <id>42</id>\n      <symbol>ACME</symbol>\n"
            "    </GetQuote>\n  </s:Body>\n</s:Envelope>"
        )
        assert http.post("/quote", content=body).text == "quoted"
        miss = http.post("/quote", content=body.replace("ACME", "INITECH"))
        assert miss.status_code == 404
        assert "equalToXml" in miss.text
        refused = http.post(
            "/__admin/mappings",
            json={"request": {"bodyPatterns": [{"equalToXml": "<a>"}]}, "response": {}},
        )
        assert refused.status_code == 422
        assert "/request/bodyPatterns/0" in refused.text
        assert "equalToXml is not a valid XML document" in refused.text
