"""Response transformers apply per request, in the stub's order; one that raises costs that
answer only (500 naming it, journaled) and the server keeps serving."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import httpx

from mockbdd.config import ServerConfig
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import TRANSFORMERS, ResponseDefinition, TransformContext
from mockbdd.extensions import Extensions
from mockbdd.server.runner import MockHttpServer
from mockbdd.wire import builtins


class Shout:
    def check(self, parameters: Mapping[str, Any]) -> None:
        return None

    def transform(
        self,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: TransformContext,
    ) -> ResponseDefinition:
        return replace(response, body=response.body.upper() + request.path.encode())


class Broken:
    def check(self, parameters: Mapping[str, Any]) -> None:
        return None

    def transform(
        self,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: TransformContext,
    ) -> ResponseDefinition:
        raise RuntimeError("the template store is down")


async def test_transformers_apply_in_order_and_a_broken_one_is_a_named_500() -> None:
    extensions = Extensions()
    builtins.register(extensions)
    extensions.add(TRANSFORMERS, "shout", Shout(), origin="test")
    extensions.add(TRANSFORMERS, "broken", Broken(), origin="test")
    server = MockHttpServer(ServerConfig(port=0), extensions=extensions)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.origin(), timeout=10) as http:
            for url, names in (("/loud", ["shout", "shout"]), ("/bad", ["broken"])):
                stub = {"request": {"url": url}, "response": {"body": "hi ", "transformers": names}}
                assert (await http.post("/__admin/mappings", json=stub)).status_code == 201
            for _ in range(2):  # per request, never cached into the stub
                loud = await http.get("/loud")
                assert loud.text == "HI /LOUD/loud"
                assert loud.headers["Matched-Stub-Id"]
            bad = await http.get("/bad")
            assert bad.status_code == 500
            assert (
                bad.text
                == "mockbdd: response transformer 'broken' failed: the template store is down\n"
            )
            assert (await http.get("/loud")).status_code == 200  # still serving
            served = (await http.get("/__admin/requests")).json()["requests"]
            assert served[0]["response"]["status"] == 200
            assert served[1]["response"]["status"] == 500
            assert "broken" in served[1]["response"]["body"]
    finally:
        await server.stop()
