"""Issue 10, point 5: what used to be pydantic's raw text, over the admin API, in mockbdd's
words: the field's JSON pointer, the rule, the valid choices and the value given."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

URL = {"url": "/x"}


@pytest.mark.parametrize(
    ("mapping", "errors"),
    [
        (
            {"request": URL, "response": {"status": "abc"}},
            [("/response/status", "must be a whole number, got 'abc'")],
        ),
        (
            {"request": URL, "response": {"status": 900}},
            [("/response/status", "must be at most 599, got 900")],
        ),
        (
            {"request": {**URL, "scheme": "ftp"}, "response": {}},
            [("/request/scheme", "must be one of 'http', 'https', got 'ftp'")],
        ),
        (
            {"request": URL, "responses": []},
            [("/responses", "must have at least 1 item, got []")],
        ),
        (
            {"request": URL, "response": {"headers": {"a": 1}}},
            [("/response/headers/a", "must be text or a list, got 1")],
        ),
        (
            {"request": URL, "response": {"delayDistribution": {"type": "normal"}}},
            [
                ("/response/delayDistribution/mean", "required"),
                ("/response/delayDistribution/stddev", "required"),
            ],
        ),
        (
            {"request": URL, "response": {"delayDistribution": {"type": "normall", "mean": 1}}},
            [
                (
                    "/response/delayDistribution/type",
                    "must be one of the registered delay types (fixed, uniform, lognormal, "
                    "normal, ",
                )
            ],
        ),
        (
            {"request": URL, "response": {"fault": "BOOM"}},
            [
                (
                    "/response/fault",
                    "must be one of the registered faults (CONNECTION_RESET_BY_PEER, "
                    "EMPTY_RESPONSE, MALFORMED_RESPONSE_CHUNK, RANDOM_DATA_THEN_CLOSE, "
                    "NO_RESPONSE, ",
                )
            ],
        ),
        (
            {"request": URL, "response": {}, "priority": "high"},
            [("/priority", "must be a whole number, got 'high'")],
        ),
        (  # two mistakes: each once
            {"request": {**URL, "method": 1}, "response": {"status": "x"}},
            [
                ("/request/method", "must be text, got 1"),
                ("/response/status", "must be a whole number, got 'x'"),
            ],
        ),
        (  # a list with a bad entry: not also "must be a JSON object", the other form
            {
                "request": URL,
                "response": {},
                "postServeActions": [{"name": "webhook", "parameters": "x"}],
            },
            [("/postServeActions/0/parameters", "must be a JSON object, got 'x'")],
        ),
    ],
)
def test_a_bad_mapping_is_told_in_mockbdds_words(
    http: httpx.Client, mapping: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    answer = http.post("/__admin/mappings", json=mapping)
    assert answer.status_code == 422, answer.text
    got = [(e["source"]["pointer"], e["title"]) for e in answer.json()["errors"]]
    assert len(got) == len(errors), got
    for (pointer, title), (want_pointer, want_title) in zip(got, errors, strict=True):
        assert pointer == want_pointer
        assert title.startswith(want_title), title
        assert "Input should" not in title
        assert "valid integer" not in title


@pytest.mark.parametrize(
    ("path", "body", "pointer", "label", "given", "hint"),
    [
        (
            "/__admin/mappings",
            {"request": URL, "response": {"transformers": ["response-templat"]}},
            "/response/transformers/0",
            "response transformers",
            "response-templat",
            "response-template",
        ),
        (
            "/__admin/mappings",
            {"request": {**URL, "customMatcher": {"name": "path-lenght"}}, "response": {}},
            "/request/customMatcher/name",
            "custom matchers",
            "path-lenght",
            None,
        ),
        (
            "/__admin/mappings",
            {"request": URL, "response": {}, "serveEventListeners": [{"name": "webhok"}]},
            "/serveEventListeners/0/name",
            "serve event listeners",
            "webhok",
            "webhook",
        ),
        (
            "/__admin/plugins/binanse_spot/mount",
            {"service": "market"},
            "/plugin",
            "service plugins",
            "binanse_spot",
            "binance_spot",
        ),
    ],
)
def test_every_unknown_extension_name_is_told_alike(
    http: httpx.Client,
    path: str,
    body: dict[str, Any],
    pointer: str,
    label: str,
    given: str,
    hint: str | None,
) -> None:
    """Transformers, custom matchers, listeners and service plugins: one wording (the field,
    the registered choices, the closest one), as faults and delay types have it."""
    from mockbdd.wire.builtins import installed_extensions

    kind = next(k for k in installed_extensions().kinds() if f"{k.label}s" == label)
    choices = ", ".join(installed_extensions().names(kind))
    answer = http.post(path, json=body)
    assert answer.status_code in (400, 422), answer.text
    ((error,),) = [answer.json()["errors"]]
    want = f"must be one of the registered {label} ({choices}), got {given!r}"
    want += f"; did you mean {hint!r}?" if hint else ""
    assert (error["source"]["pointer"], error["title"]) == (pointer, want)


def test_messages_name_commands_without_markup(http: httpx.Client) -> None:
    """A command named in a message is plain text, as mockbdd's other messages write it
    (``mockbdd plugins``, ``--proxy-allow``), never reST or markdown backticks."""
    script = {
        "target": "http://10.1.2.3:80",
        "requests": [{"path": "/"}],
        "stages": [{"kind": "constant", "rate": 1, "duration": 1}],
    }
    answer = http.post("/__admin/load-runs", json={"script": script})
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["title"] == (
        "a load run started over the admin API may only target this machine (127.0.0.1, ::1, "
        "localhost), got '10.1.2.3': run mockbdd load for other targets"
    )
    mounted = http.post("/__admin/plugins/nope/mount", json={"service": "x"})
    assert mounted.status_code == 422, mounted.text
    assert "`" not in mounted.text
