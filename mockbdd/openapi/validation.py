"""Validating mode: a request to one of the document's operations that breaks it (a parameter
missing or of the wrong type, a body that breaks its schema) answers 400 naming the parameter or
the body's JSON pointer and the reason, checked by openapi-core. Requests to paths the document
does not describe go on to the stubs."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.domain.stubs import StubMapping
from mockbdd.openapi.answers import answer_breaks
from mockbdd.openapi.document import Document, Operation
from mockbdd.openapi.forms import multipart_loads, with_form_encodings

_PARAM = re.compile(r"\{[^}/]+\}")

_HOST = "http://mockbdd.invalid"  # the document is matched on paths only
_JSON = (("Content-Type", "application/json"),)


class _Request:
    """openapi-core's request protocol over a recorded request."""

    def __init__(self, request: RecordedRequest, path: str) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self.host_url = _HOST
        self.path = path
        self.method = request.method.lower()
        headers = [
            (request.header_names.get(k, k), v) for k, vs in request.headers.items() for v in vs
        ]
        self.parameters = RequestParameters(
            query=ImmutableMultiDict([(k, v) for k, vs in request.query.items() for v in vs]),
            header=Headers(headers),
            cookie=ImmutableMultiDict([(k, v) for k, vs in request.cookies.items() for v in vs]),
        )
        self.body = request.body.raw or None
        content_type = request.header("content-type")
        # the media type whatever its case; its parameters as sent (a boundary is exact)
        media, sep, params = content_type[0].partition(";") if content_type else ("", "", "")
        self.content_type = media.strip().lower() + sep + params


class OpenApiValidator:
    """A :class:`~mockbdd.domain.validators.RequestValidator` for one document, served under
    ``prefix`` (a service's ``/<service>``, or '')."""

    def __init__(self, document: Document, prefix: str = "") -> None:
        from openapi_core import Config, OpenAPI

        self._prefix = prefix
        self._base = document.base_path
        raw = with_form_encodings(document.raw)
        raw["servers"] = [{"url": _HOST + document.base_path}]
        config = Config(extra_media_type_deserializers={"multipart/form-data": multipart_loads})
        self._api = OpenAPI.from_dict(raw, config=config)
        self.name = document.title
        self._document = document
        self._operations = [
            (
                op,
                re.compile(
                    _PARAM.sub("[^/]+", re.escape(op.path).replace(r"\{", "{").replace(r"\}", "}"))
                    + r"\Z"
                ),
            )
            for op in document.operations()
        ]

    def check(self, request: RecordedRequest) -> ResponseDefinition | None:
        from openapi_core.templating.paths.exceptions import PathError

        path = request.path
        if self._prefix:
            if not path.startswith(self._prefix + "/"):
                return None
            path = path[len(self._prefix) :]
        if not path.startswith(self._base):
            return None
        try:
            self._api.validate_request(_Request(request, path))
        except PathError:  # not an operation of the document: the stubs decide
            return None
        except Exception as exc:
            return _bad_request(self.name, exc)
        return None

    def refuse(self, stub: StubMapping) -> str | None:
        source = stub.source
        request = source.get("request") or {}
        path = next(
            (
                request[k]
                for k in ("urlPathTemplate", "urlPath", "url")
                if isinstance(request.get(k), str)
            ),
            None,
        )
        if path is None:
            return None
        path = path.split("?", 1)[0]
        if self._prefix:
            if not path.startswith(self._prefix + "/"):
                return None
            path = path[len(self._prefix) :]
        if not path.startswith(self._base):
            return None
        path = path[len(self._base) :] or "/"
        method = str(request.get("method", "ANY")).lower()
        for op, pattern in self._operations:
            if (op.path == path or pattern.match(path)) and method in (op.method, "any"):
                for answer in source.get("responses") or [source.get("response") or {}]:
                    reason = self._answer_breaks(op, answer)
                    if reason is not None:
                        return f"{op.method.upper()} {op.path}: {reason}"
        return None

    def _answer_breaks(self, op: Operation, answer: Mapping[str, Any]) -> str | None:
        if answer.get("fault") or answer.get("proxyBaseUrl") or answer.get("transformers"):
            return None  # made at serve time: nothing to check here
        return answer_breaks(self._api, self._document, op, _HOST, answer)


def _bad_request(title: str, exc: Exception) -> ResponseDefinition:
    body: dict[str, Any] = {"error": f"the request breaks the OpenAPI document {title!r}"}
    name = getattr(exc, "name", None)
    location = getattr(exc, "location", None)
    cause = exc.__cause__
    if name is not None and location is not None:
        body["parameter"] = {"in": str(location), "name": str(name)}
        body["reason"] = str(cause or exc)
    else:
        errors = list(getattr(cause, "schema_errors", ()) or ())
        if errors:
            first = sorted(errors, key=lambda e: list(e.absolute_path))[0]
            body["pointer"] = pointer(first)
            body["reason"] = first.message
        else:
            field = form_field(cause)
            body["pointer"] = "" if field is None else "/" + escape(field)
            body["reason"] = str(cause or exc)
    return replace(ResponseDefinition(), status=400, headers=_JSON, body=json.dumps(body).encode())


def pointer(error: Any) -> str:
    """The body's JSON pointer to what breaks the schema; for a missing required property,
    the property (``/file``, not its object)."""
    path = [escape(str(p)) for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, Mapping):
        missing = [p for p in error.validator_value if p not in error.instance]
        if missing:
            path.append(escape(str(missing[0])))
    return "".join(f"/{p}" for p in path) or "/"


def escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def form_field(cause: BaseException | None) -> str | None:
    """The form field openapi-core could not read as its type: its ``CastError`` carries the
    value, the field's reader (the frame that raised it) its name."""
    from openapi_core.deserializing.styles.deserializers import StyleDeserializer

    tb = cause.__traceback__ if cause is not None else None
    found = None
    while tb is not None:
        reader = tb.tb_frame.f_locals.get("self")
        if isinstance(reader, StyleDeserializer):
            found = reader.name
        tb = tb.tb_next
    return found
