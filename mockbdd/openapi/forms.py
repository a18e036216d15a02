"""Form bodies in validating mode: ``multipart/form-data`` and
``application/x-www-form-urlencoded`` are checked by openapi-core like JSON bodies, with two
things given to it that it lacks for multipart.

- A multipart field is text, so openapi-core reads a field of a primitive type (``userId:
  {type: integer}``) as the string ``"5"`` and refuses it; an ``encoding`` of ``style: form``
  (what OpenAPI 3.1.1 allows for multipart) makes openapi-core cast it, as it casts a
  URL-encoded form's fields. It is added to the document openapi-core validates with, for
  each such field the document gives no encoding of its own.
- openapi-core's multipart reader hands every part over as bytes decoded as ASCII (a
  ``boolean`` field cannot be cast from bytes, a binary file is mangled): ``multipart_loads``
  gives form fields as text and files as their bytes.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from email.message import Message
from email.parser import BytesParser
from typing import Any

from mockbdd.openapi.document import METHODS

_PRIMITIVE = ("integer", "number", "boolean")


def with_form_encodings(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the document where every multipart field of a primitive type (or an array
    of them) without an encoding of its own is read as a form field (``style: form``)."""
    document: dict[str, Any] = copy.deepcopy(dict(raw))
    for media in _multipart_media(document):
        schema = _resolved(document, media.get("schema"))
        properties = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(properties, dict):
            continue
        encoding = media.get("encoding")
        encoding = encoding if isinstance(encoding, dict) else {}
        for name, prop in properties.items():
            if name not in encoding and _primitive(_resolved(document, prop), document):
                encoding[name] = {"style": "form", "explode": True}
        if encoding:
            media["encoding"] = encoding
    return document


def _multipart_media(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for item in (document.get("paths") or {}).values():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            operation = item.get(method)
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            body = _resolved(document, body)  # a shared requestBody is changed where it is
            content = body.get("content") if isinstance(body, dict) else None
            if not isinstance(content, dict):
                continue
            for media_type, media in content.items():
                if str(media_type).lower().startswith("multipart/") and isinstance(media, dict):
                    yield media


def _primitive(schema: Any, document: dict[str, Any]) -> bool:
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    if kind == "array":
        items = _resolved(document, schema.get("items"))
        return isinstance(items, dict) and items.get("type") in _PRIMITIVE
    return kind in _PRIMITIVE


def _resolved(document: dict[str, Any], node: Any, hops: int = 0) -> Any:
    """``node``, or what its local ``$ref`` points at (itself, not a copy)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and hops < 8:
        ref: str = node["$ref"]
        if not ref.startswith("#/"):
            return None
        node = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node.get(part) if isinstance(node, dict) else None
        hops += 1
    return node


def multipart_loads(value: bytes, **parameters: str) -> Mapping[str, Any]:
    """A ``multipart/form-data`` body as openapi-core reads one: each part by its name, a
    file (a part with a filename) as its bytes, a form field as text in its charset."""
    from werkzeug.datastructures import ImmutableMultiDict

    boundary = parameters.get("boundary", "").strip('"')
    head = f'Content-Type: multipart/form-data; boundary="{boundary}"\r\n\r\n'.encode()
    message = BytesParser().parsebytes(head + value)
    parts = message.get_payload() if message.is_multipart() else []
    return ImmutableMultiDict(list(_fields(parts if isinstance(parts, list) else [])))


def _fields(parts: list[Any]) -> Iterator[tuple[str, Any]]:
    for part in parts:
        if not isinstance(part, Message):
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            yield name, data
        else:
            yield name, data.decode(part.get_content_charset() or "utf-8", errors="replace")
