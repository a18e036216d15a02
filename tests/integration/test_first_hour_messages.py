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
