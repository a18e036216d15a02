"""The ``openai-chat``, ``openai-embeddings`` and ``openai-models`` transformers, through the
official ``openai`` client (sync and async, whole and streamed, tool calls, errors)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from mockbdd.server.embedded import MockServer


def chat_stub(**parameters: Any) -> dict[str, Any]:
    return {
        "request": {"method": "POST", "urlPath": "/v1/chat/completions"},
        "response": {
            "status": 200,
            "transformers": ["openai-chat"],
            "transformerParameters": parameters,
        },
    }


@pytest.fixture
def client(server: MockServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.url + "/v1", api_key="sk-test", max_retries=0) as c:
        yield c


def add(http: httpx.Client, stub: dict[str, Any]) -> None:
    created = http.post("/__admin/mappings", json=stub)
    assert created.status_code == 201, created.text


HELLO = [{"role": "user", "content": "What is the weather in Paris?"}]


def test_a_chat_completion_with_usage_computed(http: httpx.Client, client: openai.OpenAI) -> None:
    add(http, chat_stub(content="Sunny, 21 degrees."))
    answer = client.chat.completions.create(model="gpt-4o", messages=HELLO)  # type: ignore[arg-type]
    assert answer.object == "chat.completion"
    assert answer.model == "gpt-4o"  # the request's model when the stub names none
    assert answer.choices[0].message.content == "Sunny, 21 degrees."
    assert answer.choices[0].message.role == "assistant"
    assert answer.choices[0].finish_reason == "stop"
    assert answer.usage is not None
    assert answer.usage.prompt_tokens == math.ceil(len(HELLO[0]["content"]) / 4) + 1  # + "user"
    assert answer.usage.completion_tokens == math.ceil(len("Sunny, 21 degrees.") / 4)
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens
    again = client.chat.completions.create(model="gpt-4o", messages=HELLO)  # type: ignore[arg-type]
    assert again.id == answer.id  # same request, same id: reruns compare equal


def test_tool_calls_whole_and_streamed(http: httpx.Client, client: openai.OpenAI) -> None:
    add(
        http,
        chat_stub(
            toolCalls=[{"name": "get_weather", "arguments": {"city": "Paris"}}],
            usage={"promptTokens": 50, "completionTokens": 7},
        ),
    )
    answer = client.chat.completions.create(model="gpt-4o", messages=HELLO)  # type: ignore[arg-type]
    call = answer.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert call.type == "function"
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == {"city": "Paris"}  # type: ignore[union-attr]
    assert answer.choices[0].finish_reason == "tool_calls"
    assert answer.usage is not None
    assert answer.usage.total_tokens == 57

    name, arguments, finish = "", "", None
    for chunk in client.chat.completions.create(
        model="gpt-4o",
        messages=HELLO,
        stream=True,  # type: ignore[arg-type]
    ):
        choice = chunk.choices[0]
        for delta in choice.delta.tool_calls or ():
            name += delta.function.name or "" if delta.function else ""
            arguments += delta.function.arguments or "" if delta.function else ""
        finish = choice.finish_reason or finish
    assert name == "get_weather"
    assert json.loads(arguments) == {"city": "Paris"}
    assert finish == "tool_calls"


def test_a_stream_of_chunks_with_usage_at_the_end(
    http: httpx.Client, client: openai.OpenAI
) -> None:
    add(http, chat_stub(content="It is sunny in Paris today.", stream={"chunkChars": 5}))
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o",
            messages=HELLO,
            stream=True,  # type: ignore[arg-type]
            stream_options={"include_usage": True},
        )
    )
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "It is sunny in Paris today."
    pieces = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    assert pieces[0] == "It is"  # five characters a chunk
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 7


def test_first_token_and_inter_token_delays_pace_the_stream(
    http: httpx.Client, client: openai.OpenAI
) -> None:
    import time

    add(
        http,
        chat_stub(
            content="abcdefgh", stream={"firstTokenMs": 300, "interTokenMs": 50, "chunkChars": 2}
        ),
    )
    started = time.perf_counter()
    stream = client.chat.completions.create(
        model="gpt-4o",
        messages=HELLO,
        stream=True,  # type: ignore[arg-type]
    )
    first = next(iter(stream))
    assert first.choices[0].delta.role == "assistant"
    assert time.perf_counter() - started >= 0.3
    list(stream)
    assert time.perf_counter() - started >= 0.3 + 4 * 0.05


def test_an_error_mid_stream_raises_the_clients_api_error(
    http: httpx.Client, client: openai.OpenAI
) -> None:
    add(
        http, chat_stub(content="partial answer", error={"message": "overloaded", "afterChunks": 3})
    )
    received = []

    def read_all() -> None:
        for chunk in client.chat.completions.create(
            model="gpt-4o",
            messages=HELLO,
            stream=True,  # type: ignore[arg-type]
        ):
            received.append(chunk)

    with pytest.raises(openai.APIError, match="overloaded"):
        read_all()
    assert len(received) == 3


def test_an_error_without_streaming_is_the_status_the_stub_gives(
    http: httpx.Client, client: openai.OpenAI
) -> None:
    add(
        http,
        chat_stub(
            error={
                "message": "Rate limit reached",
                "type": "requests",
                "code": "rate_limit_exceeded",
                "status": 429,
            }
        ),
    )
    with pytest.raises(openai.RateLimitError) as raised:
        client.chat.completions.create(model="gpt-4o", messages=HELLO)  # type: ignore[arg-type]
    assert raised.value.code == "rate_limit_exceeded"


def test_malformed_json_gets_openais_error_shape_with_400(
    http: httpx.Client, client: openai.OpenAI
) -> None:
    add(http, chat_stub(content="x"))
    bad = http.post(
        "/v1/chat/completions", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert "could not parse the JSON body" in error["message"]
    with pytest.raises(openai.BadRequestError, match="messages"):
        client.chat.completions.create(model="gpt-4o", messages=[])


def test_matching_on_the_conversation_picks_the_answer(
    http: httpx.Client, client: openai.OpenAI
) -> None:
    add(http, chat_stub(content="I only talk about weather."))
    rain = chat_stub(content="Rain tomorrow.")
    rain["request"]["bodyPatterns"] = [
        {"matchesJsonPath": "$.messages[?(@.content =~ /.*tomorrow.*/)]"}
    ]
    add(http, rain)
    asked = [{"role": "user", "content": "and tomorrow?"}]
    answer = client.chat.completions.create(model="gpt-4o", messages=asked)  # type: ignore[arg-type]
    assert answer.choices[0].message.content == "Rain tomorrow."
    other = client.chat.completions.create(model="gpt-4o", messages=HELLO)  # type: ignore[arg-type]
    assert other.choices[0].message.content == "I only talk about weather."


def test_bad_transformer_parameters_are_refused_at_creation(http: httpx.Client) -> None:
    for parameters, reason in (
        ({"contents": "x"}, "unknown parameter 'contents'"),
        ({"toolCalls": [{"arguments": {}}]}, "toolCalls[0] must be an object with a name"),
        ({"stream": {"chunkChars": 0}}, "stream.chunkChars must be a whole number >= 1"),
        ({"error": {"message": "x", "status": 200}}, "error.status"),
    ):
        refused = http.post("/__admin/mappings", json=chat_stub(**parameters))
        assert refused.status_code == 422, refused.text
        assert reason in refused.text
        assert "/response/transformerParameters" in refused.text
    assert http.get("/__admin/mappings").json()["mappings"] == []


async def test_the_async_client_streams_too(server: MockServer, http: httpx.Client) -> None:
    add(http, chat_stub(content="async hello", stream={"chunkChars": 3}))
    async with openai.AsyncOpenAI(base_url=server.url + "/v1", api_key="k", max_retries=0) as c:
        stream = await c.chat.completions.create(
            model="gpt-4o",
            messages=HELLO,
            stream=True,  # type: ignore[arg-type]
        )
        text = "".join([ch.choices[0].delta.content or "" async for ch in stream])
        whole = await c.chat.completions.create(model="gpt-4o", messages=HELLO)  # type: ignore[arg-type]
    assert text == "async hello"
    assert whole.choices[0].message.content == "async hello"


def test_embeddings_are_deterministic_unit_vectors(
    http: httpx.Client, client: openai.OpenAI
) -> None:
    add(
        http,
        {
            "request": {"method": "POST", "urlPath": "/v1/embeddings"},
            "response": {"transformers": ["openai-embeddings"]},
        },
    )
    # the client asks for base64 by default and decodes it
    first = client.embeddings.create(model="text-embedding-3-small", input=["cat", "dog"])
    assert [len(d.embedding) for d in first.data] == [1536, 1536]
    assert math.isclose(sum(v * v for v in first.data[0].embedding), 1.0, rel_tol=1e-4)
    again = client.embeddings.create(model="text-embedding-3-small", input="cat")
    assert again.data[0].embedding == first.data[0].embedding
    assert first.data[0].embedding != first.data[1].embedding
    small = client.embeddings.create(
        model="text-embedding-3-small", input="cat", dimensions=8, encoding_format="float"
    )
    assert len(small.data[0].embedding) == 8
    assert first.usage.prompt_tokens == 2
    refused = http.post("/v1/embeddings", json={"model": "m", "input": "x", "dimensions": 0})
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "dimensions"


def test_models_are_listed_and_retrieved(http: httpx.Client, client: openai.OpenAI) -> None:
    add(
        http,
        {
            "request": {"method": "GET", "urlPathPattern": "/v1/models(/.*)?"},
            "response": {
                "transformers": ["openai-models"],
                "transformerParameters": {"models": ["gpt-4o", "o3"]},
            },
        },
    )
    assert [m.id for m in client.models.list()] == ["gpt-4o", "o3"]
    assert client.models.retrieve("o3").id == "o3"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-2")
