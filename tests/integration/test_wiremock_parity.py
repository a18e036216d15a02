"""Matching details pinned to what real WireMock 3.13.2 does, found by ``bench/wiremock_diff.py``
(the differential run of the same mappings and requests against WireMock and mockbdd)."""

from __future__ import annotations

import base64
from typing import Any

import httpx


def stub(http: httpx.Client, request: dict[str, Any], body: str = "hit", **extra: Any) -> None:
    mapping = {"request": request, "response": {"status": 200, "body": body}, **extra}
    resp = http.post("/__admin/mappings", json=mapping)
    assert resp.status_code == 201, resp.text


def status(
    http: httpx.Client, method: str, url: str, *headers: tuple[str, str], body: str = ""
) -> int:
    return http.request(method, url, headers=list(headers), content=body or None).status_code


def test_form_parameters_need_a_url_encoded_form_content_type(http: httpx.Client) -> None:
    # real WireMock 3.13.2 parses the body as a form only for application/x-www-form-urlencoded
    # (any case, with parameters); "k=1" as text/plain, multipart or untyped has no form fields
    stub(http, {"method": "POST", "urlPath": "/f", "formParameters": {"k": {"equalTo": "1"}}})
    form = "application/x-www-form-urlencoded"
    for content_type in (form, f"{form}; charset=UTF-8", "Application/X-WWW-Form-Urlencoded"):
        assert status(http, "POST", "/f", ("Content-Type", content_type), body="k=1") == 200
    for content_type in ("text/plain", "multipart/form-data; boundary=x"):
        assert status(http, "POST", "/f", ("Content-Type", content_type), body="k=1") == 404
    assert status(http, "POST", "/f", body="k=1") == 404


def test_form_parameter_absent_when_the_body_is_not_a_form(http: httpx.Client) -> None:
    # real WireMock 3.13.2: {"absent": true} holds for "k=1" sent as text/plain
    stub(http, {"method": "POST", "urlPath": "/f", "formParameters": {"k": {"absent": True}}})
    assert status(http, "POST", "/f", ("Content-Type", "text/plain"), body="k=1") == 200
    form = ("Content-Type", "application/x-www-form-urlencoded")
    assert status(http, "POST", "/f", form, body="k=1") == 404


def test_basic_auth_scheme_is_case_insensitive(http: httpx.Client) -> None:
    # real WireMock 3.13.2 accepts "basic" and "BASIC" as the scheme; the credentials stay exact
    stub(http, {"urlPath": "/auth", "basicAuthCredentials": {"username": "ada", "password": "pw"}})
    token = base64.b64encode(b"ada:pw").decode()
    for scheme in ("Basic", "basic", "BASIC"):
        assert status(http, "GET", "/auth", ("Authorization", f"{scheme} {token}")) == 200
    wrong = base64.b64encode(b"Ada:pw").decode()
    assert status(http, "GET", "/auth", ("Authorization", f"basic {wrong}")) == 404
    assert status(http, "GET", "/auth", ("Authorization", f"Bearer {token}")) == 404


def test_host_is_matched_lower_cased(http: httpx.Client) -> None:
    # real WireMock 3.13.2 (Jetty) lower-cases the host: "EXAMPLE.com" matches equalTo
    # "example.com", and a pattern spelled "EXAMPLE.com" matches neither spelling
    stub(http, {"urlPath": "/lower", "host": {"equalTo": "example.com"}})
    stub(http, {"urlPath": "/upper", "host": {"equalTo": "EXAMPLE.com"}})
    assert status(http, "GET", "/lower", ("Host", "EXAMPLE.com")) == 200
    assert status(http, "GET", "/lower", ("Host", "example.com:8080")) == 200
    assert status(http, "GET", "/upper", ("Host", "EXAMPLE.com")) == 404


def test_a_missing_cookie_matches_absent_only(http: httpx.Client) -> None:
    # real WireMock 3.13.2: without the cookie, doesNotMatch / not / doesNotContain / anything
    # do not match (a missing header or query parameter would); absent does
    patterns: list[dict[str, Any]] = [
        {"doesNotMatch": "\\d+"},
        {"not": {"equalTo": "abc"}},
        {"doesNotContain": "b"},
        {"anything": "anything"},
    ]
    for i, pattern in enumerate(patterns):
        stub(http, {"urlPath": f"/c{i}", "cookies": {"k": pattern}})
        assert status(http, "GET", f"/c{i}") == 404, pattern
        assert status(http, "GET", f"/c{i}", ("Cookie", "k=xyz")) == 200, pattern
    stub(http, {"urlPath": "/absent", "cookies": {"k": {"absent": True}}})
    assert status(http, "GET", "/absent") == 200
    assert status(http, "GET", "/absent", ("Cookie", "z=1")) == 200
    assert status(http, "GET", "/absent", ("Cookie", "k=1")) == 404


def test_a_repeated_cookie_keeps_every_value(http: httpx.Client) -> None:
    # real WireMock 3.13.2 matches equalTo "1" on "k=1; k=2" and on two Cookie headers
    stub(http, {"urlPath": "/c", "cookies": {"k": {"equalTo": "1"}}})
    assert status(http, "GET", "/c", ("Cookie", "k=1; k=2")) == 200
    assert status(http, "GET", "/c", ("Cookie", "k=2; k=1")) == 200
    assert status(http, "GET", "/c", ("Cookie", "k=1"), ("Cookie", "k=2")) == 200
    assert status(http, "GET", "/c", ("Cookie", "k=2; k=3")) == 404


def test_priority_takes_zero_and_negative_numbers(http: httpx.Client) -> None:
    # real WireMock 3.13.2 accepts priority 0 and -1; smaller still wins
    stub(http, {"urlPath": "/p"}, "one", priority=1)
    stub(http, {"urlPath": "/p"}, "zero", priority=0)
    stub(http, {"urlPath": "/p"}, "default")
    assert http.get("/p").text == "zero"
    stub(http, {"urlPath": "/p"}, "minus", priority=-1)
    assert http.get("/p").text == "minus"
    mappings = http.get("/__admin/mappings").json()["mappings"]
    assert sorted(m.get("priority") for m in mappings if "priority" in m) == [-1, 0, 1]
