"""``GET /__admin/requests/export`` and ``mockbdd export``: HAR 1.2 validated against the
har-schema package's JSON Schema (vendored in tests/fixtures/har-schema with its licence) and
read back with haralyzer; JSON and NDJSON; bad formats refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from haralyzer import HarEntry, HarParser
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT6

from mockbdd import Client, MockServer

SCHEMAS = Path(__file__).resolve().parent.parent / "fixtures" / "har-schema" / "lib"


def har_validator() -> jsonschema.Draft6Validator:
    """har.json with its sibling files registered under the ids they refer to each other by."""
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema, DRAFT6)))
    registry: Registry[Any] = Registry().with_resources(resources)
    root = json.loads((SCHEMAS / "har.json").read_text())
    return jsonschema.Draft6Validator(
        root, registry=registry, format_checker=jsonschema.FormatChecker()
    )


def traffic(server: MockServer, admin: Client) -> None:
    admin.create_stub(
        {
            "name": "make-order",
            "request": {"method": "POST", "urlPath": "/orders"},
            "response": {"status": 201, "jsonBody": {"id": 7}, "headers": {"Location": "/o/7"}},
        }
    )
    admin.create_stub(
        {
            "request": {"urlPath": "/logo.png"},
            "response": {
                "status": 200,
                "base64Body": "iVBORw0KGgr/AA==",
                "headers": {"Content-Type": "image/png"},
            },
        }
    )
    admin.create_stub({"request": {"urlPath": "/boom"}, "response": {"fault": "EMPTY_RESPONSE"}})
    httpx.post(
        server.url + "/orders?src=web",
        json={"sku": "A1"},
        headers={"Cookie": "session=abc; theme=dark"},
    )
    httpx.get(server.url + "/logo.png")
    httpx.get(server.url + "/missing")
    with pytest.raises(httpx.HTTPError):
        httpx.get(server.url + "/boom")


def test_har_export_is_valid_har_1_2_and_reads_back() -> None:
    with MockServer() as server, Client(server.url) as admin:
        origin = server.url
        traffic(server, admin)
        har = admin.export("har")
    har_validator().validate(har)
    log = har["log"]
    assert log["version"] == "1.2"
    assert log["creator"]["name"] == "mockbdd"
    entries = log["entries"]
    assert [(e["request"]["method"], e["response"]["status"]) for e in entries] == [
        ("POST", 201),
        ("GET", 200),
        ("GET", 404),
        ("GET", 0),
    ]
    order = entries[0]
    assert order["request"]["url"] == origin + "/orders?src=web"
    assert {"name": "src", "value": "web"} in order["request"]["queryString"]
    assert {"name": "theme", "value": "dark"} in order["request"]["cookies"]
    assert order["request"]["postData"]["mimeType"] == "application/json"
    assert json.loads(order["request"]["postData"]["text"]) == {"sku": "A1"}
    assert order["response"]["content"]["mimeType"].startswith("application/json")
    assert json.loads(order["response"]["content"]["text"]) == {"id": 7}
    assert order["response"]["redirectURL"] == "/o/7"
    assert order["response"]["statusText"] == "Created"
    assert order["_mockbdd"]["stub"]["name"] == "make-order"
    assert order["time"] == pytest.approx(sum(v for v in order["timings"].values() if v >= 0))
    logo = entries[1]["response"]["content"]
    assert logo["encoding"] == "base64"
    assert logo["mimeType"] == "image/png"
    assert entries[2]["_mockbdd"]["matched"] is False
    assert entries[3]["_mockbdd"]["fault"] == "EMPTY_RESPONSE"
    assert entries[3]["response"]["bodySize"] == -1
    assert entries[0]["request"]["headersSize"] == -1
    # a HAR library from PyPI reads it as a browser's export
    parser = HarParser(har)
    read = [HarEntry(e) for e in parser.har_data["entries"]]
    assert [e.request.method for e in read] == ["POST", "GET", "GET", "GET"]
    assert read[0].status == 201
    assert read[0].request.url == origin + "/orders?src=web"
    assert read[1].response.mimeType == "image/png"


def test_json_and_ndjson_exports_oldest_first_with_filters() -> None:
    with MockServer() as server, Client(server.url) as admin:
        origin = server.url
        traffic(server, admin)
        whole = admin.export("json")
        lines = admin.export("ndjson").splitlines()
        misses = admin.export("har", unmatched=True)
        limited = admin.export("json", limit=1)
    urls = [r["request"]["url"] for r in whole["requests"]]
    assert urls == ["/orders?src=web", "/logo.png", "/missing", "/boom"]
    assert [json.loads(line)["request"]["url"] for line in lines] == urls
    assert {json.loads(line)["namespace"] for line in lines} == {"default"}
    assert [e["request"]["url"] for e in misses["log"]["entries"]] == [origin + "/missing"]
    assert whole["meta"]["total"] == 4
    assert len(limited["requests"]) == 1


def test_a_namespace_exports_its_own_journal_with_its_urls() -> None:
    with MockServer() as server, Client(server.url) as admin:
        origin = server.url
        with admin.create_namespace("shop") as ns:
            ns.stub({"request": {"urlPath": "/cart"}, "response": {"status": 200}})
            httpx.get(ns.url() + "/cart")
            httpx.get(server.url + "/root-only")
            with Client(ns.url()) as scoped:
                har = scoped.export("har")
    har_validator().validate(har)
    entries = har["log"]["entries"]
    assert [e["request"]["url"] for e in entries] == [origin + "/__ns/shop/cart"]
    assert entries[0]["_mockbdd"]["namespace"] == "shop"


def test_namespace_labels_ride_in_the_listing_and_the_har() -> None:
    with MockServer() as server, Client(server.url) as admin:
        labels = {"feature": "checkout", "scenario": "pays", "example": "card=visa"}
        with admin.create_namespace("lab", labels=labels) as ns:
            httpx.get(ns.url() + "/x")
            listed = {n["name"]: n for n in admin.namespaces()}
            with Client(ns.url()) as scoped:
                har = scoped.export("har")
        bad = httpx.post(server.url + "/__admin/namespaces", json={"labels": {"a": 1}})
    assert listed["lab"]["labels"] == labels
    assert har["log"]["_mockbdd"]["namespaces"] == {"lab": labels}
    har_validator().validate(har)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["source"]["pointer"] == "/labels/a"


@pytest.mark.parametrize("query", ["format=xml", "format=har&limit=many", "format=json&since=soon"])
def test_bad_export_parameters_are_400_with_the_reason(query: str) -> None:
    with MockServer() as server:
        answer = httpx.get(server.url + "/__admin/requests/export?" + query)
    assert answer.status_code == 400
    error = answer.json()["errors"][0]
    assert error["source"]["pointer"].startswith("?")
    if "xml" in query:
        assert "formats: json, ndjson, har" in error["title"]


def test_cli_export_writes_a_har_file(tmp_path: Path) -> None:
    with (
        MockServer() as server,
        Client(server.url) as admin,
        admin.create_namespace("cli") as ns,
    ):
        ns.stub({"request": {"urlPath": "/x"}, "response": {"status": 204}})
        httpx.get(ns.url() + "/x")
        out = tmp_path / "cli.har"
        done = subprocess.run(
            [sys.executable, "-m", "mockbdd", "export", "--url", server.url, "--ns", "cli",
             "--format", "har", "-o", str(out)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        missing = subprocess.run(
            [sys.executable, "-m", "mockbdd", "export", "--url", server.url, "--ns", "nope"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "exported 1 request to " in done.stdout
    har = json.loads(out.read_text())
    har_validator().validate(har)
    assert har["log"]["entries"][0]["response"]["status"] == 204
    assert missing.returncode == 1
    assert "nope" in missing.stderr
