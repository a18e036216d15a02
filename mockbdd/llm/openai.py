"""OpenAI's wire formats as response transformers: ``openai-chat`` (chat completions, whole or
streamed as ``chat.completion.chunk`` events ending in ``data: [DONE]``), ``openai-embeddings``
(deterministic vectors) and ``openai-models`` (``GET /v1/models``), so the official ``openai``
client works unchanged against a stub on ``/v1/...``.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
import struct
import time
from collections.abc import Mapping
from typing import Any

from mockbdd.domain.frozen import thaw
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

DEFAULT_MODEL = "gpt-4o-mini"
EMBEDDING_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
MAX_DIMENSIONS = 8192
MAX_INPUTS = 2048  # OpenAI's own cap on inputs per request


def error_body(
    message: str,
    kind: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """OpenAI's error shape: what its client turns into ``BadRequestError`` and friends."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def _bad_request(
    response: ResponseDefinition, message: str, param: str | None = None
) -> ResponseDefinition:
    return json_answer(response, 400, error_body(message, param=param))


class OpenAIChat:
    """``"transformers": ["openai-chat"]``: the stub's ``transformerParameters`` script the
    assistant's answer (``content``, ``toolCalls``, ``finishReason``, ``model``, ``usage``,
    ``stream`` pacing, ``error``); the request decides the format (``"stream": true``, ``n``,
    ``stream_options.include_usage``). Usage is computed when the stub does not give it."""

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
            return _bad_request(response, body)
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return _bad_request(response, "'messages' must be a non-empty array", "messages")
        n = body.get("n", 1)
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 128:
            return _bad_request(response, "'n' must be a whole number in 1..128", "n")
        completion = read_completion(parameters)
        model = completion.model or str(body.get("model") or DEFAULT_MODEL)
        ident = "chatcmpl-" + digest(request, "chat")
        usage = _usage(completion, body)
        if completion.error is not None and body.get("stream") is not True:
            err = completion.error
            return json_answer(
                response, err.status, error_body(err.message, err.type, None, err.code)
            )
        if body.get("stream") is True:
            options = body.get("stream_options")
            include_usage = isinstance(options, dict) and options.get("include_usage") is True
            events = _chunks(completion, ident, model, n, usage if include_usage else None)
            return stream_answer(response, events)
        message: dict[str, Any] = {
            "role": "assistant",
            "content": completion.content or None,
            "refusal": None,
        }
        if completion.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
                for call_id, call in _call_ids(completion, ident)
            ]
        else:
            message["content"] = completion.content
        choice = {"message": message, "logprobs": None, "finish_reason": _finish(completion)}
        return json_answer(
            response,
            response.status if response.status < 300 else 200,
            {
                "id": ident,
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": i, **choice} for i in range(n)],
                "usage": usage,
                "system_fingerprint": "fp_mockbdd",
            },
        )


def _finish(completion: Completion) -> str:
    if completion.finish_reason is not None:
        return completion.finish_reason
    return "tool_calls" if completion.tool_calls else "stop"


def _call_ids(completion: Completion, ident: str) -> list[tuple[str, Any]]:
    return [
        (call.id or f"call_{ident[-16:]}{i}", call) for i, call in enumerate(completion.tool_calls)
    ]


def _usage(completion: Completion, body: Mapping[str, Any]) -> dict[str, int]:
    prompt = completion.prompt_tokens
    if prompt is None:
        prompt = prompt_tokens(body.get("messages")) + prompt_tokens(body.get("tools"))
    done = completion.completion_tokens
    if done is None:
        done = tokens(completion.content) + sum(
            tokens(c.name) + tokens(c.arguments) for c in completion.tool_calls
        )
    return {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done}


def _chunks(
    completion: Completion, ident: str, model: str, n: int, usage: dict[str, int] | None
) -> list[SseEvent]:
    """The stream of ``chat.completion.chunk`` events, as OpenAI sends it: the role, the
    content a few characters at a time, each tool call's name then its arguments in pieces,
    the finish reason, the usage when asked, ``[DONE]``; an ``error`` cuts it short."""
    created = int(time.time())
    pacer = Pacer(completion.pacing)
    size = completion.pacing.chunk_chars
    events: list[SseEvent] = []
    error = completion.error

    def chunk(index: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        value: dict[str, Any] = {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": "fp_mockbdd",
            "choices": [
                {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
            ],
        }
        if usage is not None:
            value["usage"] = None
        return value

    def add(value: dict[str, Any], paced: bool = True) -> bool:
        """Add one event; False once the scripted error has been sent instead."""
        if error is not None and len(events) >= error.after_chunks:
            body = {
                "error": {
                    "message": error.message,
                    "type": error.type,
                    "param": None,
                    "code": error.code,
                }
            }
            events.append(data_event(body, pacer.next()))
            return False
        events.append(data_event(value, pacer.next() if paced else 0))
        return True

    for index in range(n):
        if not add(chunk(index, {"role": "assistant", "content": "", "refusal": None}), index == 0):
            return events
        for piece in chunks(completion.content, size):
            if not add(chunk(index, {"content": piece})):
                return events
        for i, (call_id, call) in enumerate(_call_ids(completion, ident)):
            head = {
                "index": i,
                "id": call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
            if not add(chunk(index, {"tool_calls": [head]})):
                return events
            for piece in chunks(call.arguments, size):
                if not add(
                    chunk(index, {"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
                ):
                    return events
        if not add(chunk(index, {}, _finish(completion)), paced=False):
            return events
    if usage is not None:
        last = {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": "fp_mockbdd",
            "choices": [],
            "usage": usage,
        }
        if not add(last, paced=False):
            return events
    if error is not None and len(events) >= error.after_chunks:  # scripted after the end
        add({}, paced=False)
        return events
    events.append(SseEvent("[DONE]"))
    return events


_EMBEDDING_PARAMETERS = ("model", "dimensions")


class OpenAIEmbeddings:
    """``"transformers": ["openai-embeddings"]``: one unit vector per input, made from a hash of
    the model and the text, so the same text always gets the same vector (and cosine similarity
    1 with itself); ``dimensions`` from the request, else the stub's, else the model's size.
    ``encoding_format: base64`` (the official client's default) is answered as OpenAI does."""

    def check(self, parameters: Mapping[str, Any]) -> None:
        unknown = sorted(set(parameters) - set(_EMBEDDING_PARAMETERS))
        if unknown:
            raise ValueError(f"unknown parameter {unknown[0]!r} (known: model, dimensions)")
        dims = parameters.get("dimensions")
        if dims is not None and (not isinstance(dims, int) or not 1 <= dims <= MAX_DIMENSIONS):
            raise ValueError(f"dimensions must be a whole number in 1..{MAX_DIMENSIONS}")

    def transform(
        self,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: TransformContext,
    ) -> ResponseDefinition:
        body = request_json(request)
        if isinstance(body, str):
            return _bad_request(response, body)
        inputs = body.get("input")
        if isinstance(inputs, str) or (
            isinstance(inputs, list) and inputs and all(isinstance(t, int) for t in inputs)
        ):
            inputs = [inputs]
        if not isinstance(inputs, list) or not inputs or len(inputs) > MAX_INPUTS:
            return _bad_request(
                response, f"'input' must be a string or a list of 1..{MAX_INPUTS} inputs", "input"
            )
        model = str(parameters.get("model") or body.get("model") or DEFAULT_EMBEDDING_MODEL)
        dims = body.get("dimensions", parameters.get("dimensions"))
        if dims is None:
            dims = EMBEDDING_DIMENSIONS.get(model, 1536)
        if not isinstance(dims, int) or isinstance(dims, bool) or not 1 <= dims <= MAX_DIMENSIONS:
            return _bad_request(
                response,
                f"'dimensions' must be a whole number in 1..{MAX_DIMENSIONS}",
                "dimensions",
            )
        encoding = body.get("encoding_format", "float")
        if encoding not in ("float", "base64"):
            return _bad_request(
                response, "'encoding_format' must be 'float' or 'base64'", "encoding_format"
            )
        data = []
        total = 0
        for i, item in enumerate(inputs):
            text = item if isinstance(item, str) else " ".join(map(str, thaw(item)))
            total += tokens(text) if isinstance(item, str) else len(item)
            vector = embedding(model, text, dims)
            value: Any = vector
            if encoding == "base64":
                value = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode()
            data.append({"object": "embedding", "index": i, "embedding": value})
        return json_answer(
            response,
            200,
            {
                "object": "list",
                "data": data,
                "model": model,
                "usage": {"prompt_tokens": total, "total_tokens": total},
            },
        )


def embedding(model: str, text: str, dimensions: int) -> list[float]:
    """A unit vector that depends only on ``model``, ``text`` and ``dimensions``."""
    seed = int.from_bytes(hashlib.sha256(f"{model}\0{text}".encode()).digest()[:8], "big")
    rng = random.Random(seed)
    vector = [rng.gauss(0.0, 1.0) for _ in range(dimensions)]
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


class OpenAIModels:
    """``"transformers": ["openai-models"]`` with ``{"models": ["gpt-4o", ...]}``: ``GET
    /v1/models`` lists them, ``GET /v1/models/<id>`` answers one (404 in OpenAI's shape when it
    is not in the list)."""

    def check(self, parameters: Mapping[str, Any]) -> None:
        unknown = sorted(set(parameters) - {"models", "ownedBy"})
        if unknown:
            raise ValueError(f"unknown parameter {unknown[0]!r} (known: models, ownedBy)")
        models = parameters.get("models", ())
        if isinstance(models, str) or not all(isinstance(m, str) for m in models):
            raise ValueError("models must be a list of model ids")

    def transform(
        self,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: TransformContext,
    ) -> ResponseDefinition:
        models = list(parameters.get("models") or (DEFAULT_MODEL, DEFAULT_EMBEDDING_MODEL))
        owner = str(parameters.get("ownedBy", "mockbdd"))
        listed = [
            {"id": m, "object": "model", "created": 1_700_000_000, "owned_by": owner}
            for m in models
        ]
        path = request.path.rstrip("/")
        tail = path.rsplit("/", 1)[-1]
        if path.endswith("/models"):
            return json_answer(response, 200, {"object": "list", "data": listed})
        for model in listed:
            if model["id"] == tail:
                return json_answer(response, 200, model)
        return json_answer(
            response,
            404,
            error_body(
                f"The model '{tail}' does not exist or you do not have access to it.",
                param=None,
                code="model_not_found",
            ),
        )
