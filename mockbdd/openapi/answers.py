"""Validating mode's check of a stub's answer, by openapi-core as it checks a real response:
the status is one of the operation's responses, the body is of a media type the response
declares and breaks none of its schemas (JSON, text, URL-encoded forms alike), and every
required response header is there and of its schema.

The media type is the stub's ``Content-Type``. A stub without one is checked as it is
served where that is known: a ``jsonBody`` as the response's JSON media type (or as
``application/json``, which mockbdd sends), a ``body`` that reads as JSON as the response's
JSON media type when it has one; any other body is not checked (mockbdd serves it as
``application/octet-stream``, which says nothing of what the stub meant). A body the stub
does not give (``bodyFileName``) or leaves empty is not checked either; its headers are."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from mockbdd.openapi.document import Document, Operation

_NOT_READ = object()  # a body the stub does not give inline


def answer_breaks(
    api: Any, document: Document, op: Operation, host: str, answer: Mapping[str, Any]
) -> str | None:
    """Why ``answer`` breaks ``op``'s responses, in mockbdd's words, else None."""
    from openapi_core.testing import MockRequest, MockResponse

    status = str(answer.get("status", 200))
    responses = op.spec.get("responses") or {}
    spec = responses.get(status) or responses.get(status[0] + "XX") or responses.get("default")
    if spec is None:
        return f"status {status} is not one of its responses ({', '.join(map(str, responses))})"
    headers = _headers(answer.get("headers"))
    body = _body(answer)
    content_type = _content_type(headers, answer, body, document.resolve(spec))
    data = body if isinstance(body, bytes) and content_type is not None else b""
    request = MockRequest(host, op.method, document.base_path + op.path)
    response = MockResponse(data, int(status), headers=headers, content_type=content_type or "")
    for error in api.response_validator.iter_errors(request, response):
        reason = _reason(error, status, content_type, check_body=bool(data))
        if reason is not None:
            return reason
    return None


def _headers(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        return {}
    found = {}
    for name, value in raw.items():
        if isinstance(value, list):
            value = value[0] if value else ""
        found[str(name)] = str(value)
    return found


def _body(answer: Mapping[str, Any]) -> bytes | object:
    if "jsonBody" in answer:
        return json.dumps(answer["jsonBody"]).encode()
    if isinstance(answer.get("body"), str):
        return str(answer["body"]).encode()
    if isinstance(answer.get("base64Body"), str):
        try:
            return base64.b64decode(answer["base64Body"], validate=True)
        except (binascii.Error, ValueError):
            return _NOT_READ
    if answer.get("bodyFileName") is not None:
        return _NOT_READ
    return b""


def _content_type(
    headers: Mapping[str, str], answer: Mapping[str, Any], body: Any, spec: Mapping[str, Any]
) -> str | None:
    """The media type the answer is checked as (None: its body is not checked)."""
    given = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    if given is not None:
        return given
    content = spec.get("content") or {}
    json_media = next((str(m) for m in content if "json" in str(m)), None)
    if "jsonBody" in answer:  # served as application/json
        return json_media or "application/json"
    if not isinstance(body, bytes) or not body:
        return None
    try:
        json.loads(body)
    except ValueError:
        return None
    return json_media


def _reason(
    error: Exception, status: str, content_type: str | None, check_body: bool
) -> str | None:
    from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
    from openapi_core.validation.response.exceptions import (
        DataValidationError,
        HeaderValidationError,
        InvalidData,
        InvalidHeader,
        MissingData,
        MissingRequiredHeader,
    )

    from mockbdd.openapi.validation import escape, form_field, pointer

    cause = error.__cause__
    if isinstance(error, MissingRequiredHeader):
        return f"the {status} answer lacks its required header {error.name}"
    if isinstance(error, InvalidHeader):
        first = _first(cause)
        why = first.message if first is not None else str(cause or error)
        return f"the {status} header {error.name} breaks its schema: {why}"
    if isinstance(error, HeaderValidationError):
        return f"the {status} header {error.name} cannot be read as its schema says: {cause}"
    if isinstance(error, MissingData) or not check_body:
        return None
    if isinstance(cause, MediaTypeNotFound):
        media = ", ".join(cause.availableMimetypes)
        return (
            f"the {status} answer's Content-Type {content_type} is not one of its media types "
            f"({media})"
        )
    if isinstance(error, InvalidData):
        first = _first(cause)
        if first is not None:
            return f"the {status} body breaks its schema at {pointer(first)}: {first.message}"
    if isinstance(error, DataValidationError):
        field = form_field(cause)
        where = f" at /{escape(field)}" if field is not None else ""
        return f"the {status} body cannot be read as {content_type}{where}: {cause or error}"
    return None


def _first(cause: BaseException | None) -> Any:
    errors = list(getattr(cause, "schema_errors", ()) or ())
    return sorted(errors, key=lambda e: list(e.absolute_path))[0] if errors else None
