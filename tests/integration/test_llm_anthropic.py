"""The ``anthropic-messages`` transformer through the official ``anthropic`` client: messages,
tool use, the streamed events, errors, sync and async."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import pytest

from mockbdd.server.embedded import MockServer

ASK = [{"role": "user", "content": "What is the weather in Paris?"}]


def messages_stub(**parameters: Any) -> dict[str, Any]:
    return {
        "request": {"method": "POST", "urlPath": "/v1/messages"},
        "response": {"transformers": ["anthropic-messages"], "transformerParameters": parameters},
    }


@pytest.fixture
def client(server: MockServer) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(base_url=server.url, api_key="k", max_retries=0) as c:
        yield c


def add(http: httpx.Client, stub: dict[str, Any]) -> None:
    created = http.post("/__admin/mappings", json=stub)
    assert created.status_code == 201, created.text


def test_a_message(http: httpx.Client, client: anthropic.Anthropic) -> None:
    add(http, messages_stub(content="Sunny.", model="claude-test"))
    message = client.messages.create(model="claude-x", max_tokens=100, messages=ASK)  # type: ignore[arg-type]
    assert message.type == "message"
    assert message.model == "claude-test"
    assert [b.type for b in message.content] == ["text"]
    assert message.content[0].text == "Sunny."  # type: ignore[union-attr]
    assert message.stop_reason == "end_turn"
    assert message.usage.output_tokens == 2
    assert message.usage.input_tokens > 0


def test_tool_use_whole_and_streamed(http: httpx.Client, client: anthropic.Anthropic) -> None:
    add(
        http,
        messages_stub(
            content="Let me check.",
            toolCalls=[{"name": "get_weather", "arguments": {"city": "Paris"}}],
        ),
    )
    message = client.messages.create(model="m", max_tokens=100, messages=ASK)  # type: ignore[arg-type]
    assert [b.type for b in message.content] == ["text", "tool_use"]
    tool = message.content[1]
    assert tool.name == "get_weather"  # type: ignore[union-attr]
    assert tool.input == {"city": "Paris"}  # type: ignore[union-attr]
    assert message.stop_reason == "tool_use"

    with client.messages.stream(model="m", max_tokens=100, messages=ASK) as stream:  # type: ignore[arg-type]
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "Let me check."
    assert final.content[1].input == {"city": "Paris"}  # type: ignore[union-attr]
    assert final.stop_reason == "tool_use"


def test_an_error_event_mid_stream_raises(http: httpx.Client, client: anthropic.Anthropic) -> None:
    add(
        http,
        messages_stub(
            content="partial",
            error={"message": "Overloaded", "type": "overloaded_error", "afterChunks": 4},
        ),
    )

    def read_all() -> None:
        with client.messages.stream(model="m", max_tokens=10, messages=ASK) as stream:  # type: ignore[arg-type]
            for _ in stream:
                pass

    with pytest.raises(anthropic.APIStatusError, match="Overloaded"):
        read_all()


def test_a_request_without_max_tokens_is_a_400_in_anthropics_shape(http: httpx.Client) -> None:
    add(http, messages_stub(content="x"))
    refused = http.post("/v1/messages", json={"model": "m", "messages": ASK})
    assert refused.status_code == 400
    assert refused.json() == {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": "max_tokens: Field required"},
    }


async def test_the_async_client(server: MockServer, http: httpx.Client) -> None:
    add(http, messages_stub(content="async sunny", stream={"chunkChars": 2}))
    c = anthropic.AsyncAnthropic(base_url=server.url, api_key="k", max_retries=0)
    async with c, c.messages.stream(model="m", max_tokens=10, messages=ASK) as stream:  # type: ignore[arg-type]
        text = "".join([t async for t in stream.text_stream])
    assert text == "async sunny"
