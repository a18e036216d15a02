"""Serving in a namespace over real sockets: a sequence that does not match is not consumed."""

from __future__ import annotations

import httpx


def test_a_sequence_stub_that_does_not_match_lets_an_older_stub_answer(
    http: httpx.Client,
) -> None:
    http.post(
        "/__admin/mappings",
        json={"request": {"urlPathPattern": "/items/.*"}, "response": {"status": 200}},
    )
    http.post(  # newer, so tried first; it wants a header
        "/__admin/mappings",
        json={
            "request": {"urlPathPattern": "/items/.*", "headers": {"X-Key": {"equalTo": "k"}}},
            "responses": [{"status": 201}, {"status": 202}],
        },
    )
    assert http.get("/items/1").status_code == 200
    assert http.get("/items/1").status_code == 200
    keyed = [http.get("/items/1", headers={"X-Key": "k"}).status_code for _ in range(3)]
    assert keyed == [201, 202, 202]  # the refused requests did not advance the sequence
