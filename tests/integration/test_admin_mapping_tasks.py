"""mockbdd.admin.mapping_tasks over real sockets: editing a stub that is not there."""

from __future__ import annotations

import httpx


def test_editing_an_unknown_stub_is_a_404_and_creates_nothing(http: httpx.Client) -> None:
    edit = {"request": {"url": "/x"}, "response": {"status": 200}}
    missing = http.put("/__admin/mappings/5f0c0000-0000-4000-8000-000000000000", json=edit)
    assert missing.status_code == 404
    assert "no stub mapping with id" in missing.json()["errors"][0]["title"]
    assert http.get("/__admin/mappings").json()["mappings"] == []
    assert http.get("/x").status_code == 404
