"""What the LLM transformers share: the scripted completion a stub gives (its
``transformerParameters``), read and checked once, and the pieces every wire format needs
(token estimates, chunking, ids, JSON answers)."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from mockbdd.domain.frozen import thaw
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import EventStream, ResponseDefinition, SseEvent
from mockbdd.records import record

JSON_HEADERS = (("Content-Type", "application/json"),)
MAX_CHUNKS = 100_000  # a stream of more events than this is refused when the stub is read
PARAMETERS = ("content", "toolCalls", "finishReason", "model", "usage", "stream", "error")


@record
class ToolCall:
    name: str
    arguments: str  # JSON text, as OpenAI sends it
    id: str | None = None

    def input(self) -> Any:
        """The arguments as a JSON value (Anthropic's ``input``)."""
        return json.loads(self.arguments)


@record
class Pacing:
    """``stream``: when the first token comes, the pause between chunks, the chunk size."""

    first_token_ms: int = 0
    inter_token_ms: int = 0
    chunk_chars: int = 4


@record
class StreamError:
    """``error``: an error after ``after_chunks`` chunks of a stream (or instead of a whole
    answer, with ``status``)."""

    message: str
    type: str = "server_error"
    code: str | None = None
    after_chunks: int = 0
    status: int = 500


@record
class Completion:
    content: str
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str | None
    model: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    pacing: Pacing
    error: StreamError | None


def _int(value: Any, name: str, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return value


def _str(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, got {value!r}")
    return value


def read_completion(parameters: Mapping[str, Any]) -> Completion:
    """The stub's scripted completion; ``ValueError`` naming the parameter when it is wrong."""
    unknown = sorted(set(parameters) - set(PARAMETERS))
    if unknown:
        raise ValueError(f"unknown parameter {unknown[0]!r} (known: {', '.join(PARAMETERS)})")
    content = _str(parameters.get("content", ""), "content")
    calls = []
    raw_calls = parameters.get("toolCalls", ())
    if not isinstance(raw_calls, Sequence) or isinstance(raw_calls, str):
        raise ValueError("toolCalls must be a list of {name, arguments}")
    for i, call in enumerate(raw_calls):
        if not isinstance(call, Mapping) or "name" not in call:
            raise ValueError(f"toolCalls[{i}] must be an object with a name")
        extra = sorted(set(call) - {"name", "arguments", "id"})
        if extra:
            raise ValueError(
                f"toolCalls[{i}]: unknown key {extra[0]!r} (known: name, arguments, id)"
            )
        arguments = call.get("arguments", {})
        if isinstance(arguments, str):
            try:
                json.loads(arguments)
            except ValueError:
                raise ValueError(f"toolCalls[{i}].arguments is not JSON text") from None
            text = arguments
        else:
            text = json.dumps(thaw(arguments), separators=(",", ":"))
        ident = call.get("id")
        calls.append(
            ToolCall(
                _str(call["name"], f"toolCalls[{i}].name"),
                text,
                None if ident is None else _str(ident, f"toolCalls[{i}].id"),
            )
        )
    finish = parameters.get("finishReason")
    model = parameters.get("model")
    usage = parameters.get("usage") or {}
    if not isinstance(usage, Mapping):
        raise ValueError("usage must be an object {promptTokens?, completionTokens?}")
    bad = sorted(set(usage) - {"promptTokens", "completionTokens"})
    if bad:
        raise ValueError(f"usage: unknown key {bad[0]!r} (known: promptTokens, completionTokens)")
    prompt = usage.get("promptTokens")
    completion = usage.get("completionTokens")
    return Completion(
        content,
        tuple(calls),
        None if finish is None else _str(finish, "finishReason"),
        None if model is None else _str(model, "model"),
        None if prompt is None else _int(prompt, "usage.promptTokens"),
        None if completion is None else _int(completion, "usage.completionTokens"),
        _pacing(parameters.get("stream") or {}),
        _error(parameters.get("error")),
    )


def _pacing(stream: Any) -> Pacing:
    if not isinstance(stream, Mapping):
        raise ValueError("stream must be an object {firstTokenMs?, interTokenMs?, chunkChars?}")
    bad = sorted(set(stream) - {"firstTokenMs", "interTokenMs", "chunkChars"})
    if bad:
        raise ValueError(
            f"stream: unknown key {bad[0]!r} (known: firstTokenMs, interTokenMs, chunkChars)"
        )
    return Pacing(
        _int(stream.get("firstTokenMs", 0), "stream.firstTokenMs"),
        _int(stream.get("interTokenMs", 0), "stream.interTokenMs"),
        _int(stream.get("chunkChars", 4), "stream.chunkChars", 1),
    )


def _error(error: Any) -> StreamError | None:
    if error is None:
        return None
    if not isinstance(error, Mapping) or "message" not in error:
        raise ValueError("error must be an object with a message")
    bad = sorted(set(error) - {"message", "type", "code", "afterChunks", "status"})
    if bad:
        raise ValueError(
            f"error: unknown key {bad[0]!r} (known: message, type, code, afterChunks, status)"
        )
    status = _int(error.get("status", 500), "error.status", 400)
    if status > 599:
        raise ValueError(f"error.status must be in 400..599, got {status}")
    code = error.get("code")
    return StreamError(
        _str(error["message"], "error.message"),
        _str(error.get("type", "server_error"), "error.type"),
        None if code is None else _str(code, "error.code"),
        _int(error.get("afterChunks", 0), "error.afterChunks"),
        status,
    )


def tokens(text: str) -> int:
    """A deterministic token estimate: about four characters a token, as OpenAI's rule of
    thumb (an exact tokenizer would tie the mock to one model's vocabulary)."""
    return math.ceil(len(text) / 4) if text else 0


def prompt_tokens(value: Any) -> int:
    """Tokens of every string in a request's messages/system/tools, counted alike."""
    if isinstance(value, str):
        return tokens(value)
    if isinstance(value, Mapping):
        return sum(prompt_tokens(v) for v in value.values())
    if isinstance(value, list):
        return sum(prompt_tokens(v) for v in value)
    return 0


def chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def digest(request: RecordedRequest, salt: str) -> str:
    """An id part that is the same for the same request (reruns give the same ids)."""
    return hashlib.sha256(salt.encode() + request.body.raw).hexdigest()[:24]


def request_json(request: RecordedRequest) -> dict[str, Any] | str:
    """The request's JSON object, or why it is not one."""
    try:
        value = json.loads(request.body.raw or b"null")
    except ValueError as exc:
        return f"We could not parse the JSON body of your request ({exc})."
    if not isinstance(value, dict):
        return "The request body must be a JSON object."
    return value


def json_answer(response: ResponseDefinition, status: int, value: Any) -> ResponseDefinition:
    """``response`` answering ``value`` as JSON with ``status`` (its other headers kept)."""
    headers = tuple(h for h in response.headers if h[0].lower() != "content-type")
    return replace(
        response,
        status=status,
        headers=headers + JSON_HEADERS,
        body=json.dumps(value, separators=(",", ":")).encode(),
        transformers=(),
    )


def stream_answer(response: ResponseDefinition, events: list[SseEvent]) -> ResponseDefinition:
    """``response`` as a ``text/event-stream`` of ``events``, status 200."""
    headers = tuple(
        h for h in response.headers if h[0].lower() not in ("content-type", "cache-control")
    )
    return replace(
        response,
        status=200,
        headers=(*headers, ("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")),
        body=b"",
        transformers=(),
        sse=EventStream(tuple(events)),
    )


def data_event(value: Any, delay_ms: int = 0, event: str | None = None) -> SseEvent:
    return SseEvent(json.dumps(value, separators=(",", ":")), event, None, delay_ms)


class Pacer:
    """The delay of each chunk in turn: ``firstTokenMs`` for the first, then ``interTokenMs``."""

    def __init__(self, pacing: Pacing) -> None:
        self._pacing = pacing
        self._first = True

    def next(self) -> int:
        if self._first:
            self._first = False
            return self._pacing.first_token_ms
        return self._pacing.inter_token_ms
