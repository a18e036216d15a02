"""Anthropic's Messages API as a response transformer, ``anthropic-messages``: the same scripted
completion as ``openai-chat`` (content, tool calls, stop reason, usage, pacing, error), answered
as a ``message`` or, for ``"stream": true``, as Anthropic's named events (``message_start``,
``content_block_*``, ``message_delta``, ``message_stop``), so the official ``anthropic`` client
works unchanged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition, SseEvent, TransformContext
from mockbdd.llm.common import (
    Completion,
    Pacer,
    chunks,
    data_event,
    digest,
    json_answer,
    prompt_tokens,
    read_completion,
    request_json,
    stream_answer,
    tokens,
)

DEFAULT_MODEL = "claude-sonnet-4-5"


def error_body(message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    """Anthropic's error shape."""
    return {"type": "error", "error": {"type": kind, "message": message}}


class AnthropicMessages:
    def check(self, parameters: Mapping[str, Any]) -> None:
        read_completion(parameters)

    def transform(
        self,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: TransformContext,
    ) -> ResponseDefinition:
        body = request_json(request)
        if isinstance(body, str):
            return json_answer(response, 400, error_body(body))
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return json_answer(response, 400, error_body("messages: must be a non-empty list"))
        max_tokens = body.get("max_tokens")
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
            return json_answer(response, 400, error_body("max_tokens: Field required"))
        completion = read_completion(parameters)
        if completion.error is not None and body.get("stream") is not True:
            err = completion.error
            kind = err.type if err.type != "server_error" else "api_error"
            return json_answer(response, err.status, error_body(err.message, kind))
        ident = "msg_" + digest(request, "messages")
        model = completion.model or str(body.get("model") or DEFAULT_MODEL)
        input_tokens = completion.prompt_tokens
        if input_tokens is None:
            input_tokens = sum(prompt_tokens(body.get(k)) for k in ("system", "messages", "tools"))
        output_tokens = completion.completion_tokens
        if output_tokens is None:
            output_tokens = tokens(completion.content) + sum(
                tokens(c.name) + tokens(c.arguments) for c in completion.tool_calls
            )
        stop = completion.finish_reason or ("tool_use" if completion.tool_calls else "end_turn")
        if body.get("stream") is True:
            events = _events(completion, ident, model, stop, input_tokens, output_tokens)
            return stream_answer(response, events)
        return json_answer(
            response,
            200,
            {
                "id": ident,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": _blocks(completion, ident),
                "stop_reason": stop,
                "stop_sequence": None,
                "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
            },
        )


def _blocks(completion: Completion, ident: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if completion.content or not completion.tool_calls:
        blocks.append({"type": "text", "text": completion.content})
    for i, call in enumerate(completion.tool_calls):
        blocks.append(
            {
                "type": "tool_use",
                "id": call.id or f"toolu_{ident[-16:]}{i}",
                "name": call.name,
                "input": call.input(),
            }
        )
    return blocks


def _events(
    completion: Completion,
    ident: str,
    model: str,
    stop: str,
    input_tokens: int,
    output_tokens: int,
) -> list[SseEvent]:
    pacer = Pacer(completion.pacing)
    size = completion.pacing.chunk_chars
    error = completion.error
    events: list[SseEvent] = []

    def add(name: str, value: dict[str, Any], paced: bool = False) -> bool:
        if error is not None and len(events) >= error.after_chunks:
            kind = error.type if error.type != "server_error" else "api_error"
            events.append(data_event(error_body(error.message, kind), pacer.next(), "error"))
            return False
        events.append(data_event(value, pacer.next() if paced else 0, name))
        return True

    start = {
        "type": "message_start",
        "message": {
            "id": ident,
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": 1},
        },
    }
    if not add("message_start", start, paced=True) or not add("ping", {"type": "ping"}):
        return events
    for index, block in enumerate(_blocks(completion, ident)):
        opened: dict[str, Any]
        pieces: list[dict[str, Any]]
        if block["type"] == "text":
            opened = {"type": "text", "text": ""}
            pieces = [{"type": "text_delta", "text": p} for p in chunks(block["text"], size)]
        else:
            opened = {**block, "input": {}}
            text = completion.tool_calls[index - (1 if completion.content else 0)].arguments
            pieces = [{"type": "input_json_delta", "partial_json": p} for p in chunks(text, size)]
        if not add(
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": opened},
        ):
            return events
        for delta in pieces:
            if not add(
                "content_block_delta",
                {"type": "content_block_delta", "index": index, "delta": delta},
                True,
            ):
                return events
        if not add("content_block_stop", {"type": "content_block_stop", "index": index}):
            return events
    finished: dict[str, Any] = {
        "type": "message_delta",
        "delta": {"stop_reason": stop, "stop_sequence": None},
        "usage": {"output_tokens": output_tokens},
    }
    if not add("message_delta", finished) or not add("message_stop", {"type": "message_stop"}):
        return events
    if error is not None:  # scripted after the end
        add("error", {})
    return events
