"""What the webSocket stub tests share (their ``mock`` server is conftest's fixture)."""

from __future__ import annotations

from typing import Any

import httpx

from mockbdd.server.embedded import MockServer


def ws_url(server: MockServer, path: str) -> str:
    return server.url.replace("http://", "ws://") + path


async def create(server: MockServer, mapping: dict[str, Any]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url) as http:
        return await http.post("/__admin/mappings", json=mapping)
