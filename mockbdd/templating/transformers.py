"""The template transformers, registered by name like any plugin's: ``response-template``
(WireMock's Handlebars dialect) and ``jinja`` (Jinja2's immutable sandbox).

Both compile every template of a stub once, when the stub is decoded (``prepare``), and only
render per request (``render``). A render that fails answers 500 naming the template, the
line and the reason; the data plane journals it."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from functools import cached_property, partial
from types import MappingProxyType
from typing import Any

from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import (
    ResponseDefinition,
    ServeContext,
    TransformContext,
)
from mockbdd.records import record
from mockbdd.templating import Template, TemplateError, TemplateRenderFailed
from mockbdd.templating.handlebars import Compiler
from mockbdd.templating.model import RequestModel
from mockbdd.templating.values import to_plain
from mockbdd.templating.wiremock_helpers import helpers

ContextBuilder = Callable[[RecordedRequest, Mapping[str, Any], ServeContext], Mapping[str, Any]]


@record
class CompiledResponse:
    """A stub's templates: the body, each header value, the body file's name."""

    body: Template | None
    headers: tuple[tuple[str, Template | None], ...]
    body_file_name: Template | None
    templated_headers: bool


def _maybe(
    compiler: Callable[[str, str], Template], text: str, name: str, marker: str
) -> Template | None:
    if marker and marker not in text:
        return None
    if not marker and "{{" not in text and "{%" not in text and "{#" not in text:
        return None
    return compiler(text, name)


class _TemplateTransformer:
    marker = "{{"
    engine = ""

    def __init__(self, *, applies_globally: bool = False) -> None:
        self.applies_globally = applies_globally

    def compile(self, source: str, name: str) -> Template:
        raise NotImplementedError

    def context(
        self, request: RecordedRequest, parameters: Mapping[str, Any], context: ServeContext
    ) -> Mapping[str, Any]:
        raise NotImplementedError

    def check(self, parameters: Mapping[str, Any]) -> None:
        return None

    def transform(
        self,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: TransformContext,
    ) -> ResponseDefinition:  # pragma: no cover - the data plane calls render() instead
        raise TypeError(f"{self.engine} templates are rendered through prepare/render")

    def prepare(self, response: ResponseDefinition, parameters: Mapping[str, Any]) -> object:
        marker = self.marker
        body: Template | None = None
        if response.body and response.sse is None:
            try:
                text = response.body.decode("utf-8")
            except UnicodeDecodeError:
                text = ""
            body = _maybe(self.compile, text, "body", marker)
        headers = tuple(
            (name, _maybe(self.compile, value, f"headers/{name}", marker))
            for name, value in response.headers
        )
        file_name = None
        if response.body_file_name is not None:
            file_name = _maybe(self.compile, response.body_file_name, "bodyFileName", marker)
        templated = any(t is not None for _, t in headers)
        file_body = response.body_file_name is not None and not parameters.get(
            "disableBodyFileTemplating", False
        )
        if body is None and not templated and file_name is None and not file_body:
            return None
        return CompiledResponse(body, headers, file_name, templated)

    def render(
        self,
        prepared: object,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: ServeContext,
    ) -> ResponseDefinition:
        assert isinstance(prepared, CompiledResponse)
        model = self.context(request, parameters, context)
        changes: dict[str, Any] = {}
        where = "body"
        try:
            if prepared.body is not None:
                changes["body"] = prepared.body.render(model).encode()
            if prepared.templated_headers:
                headers = []
                for (name, value), (_, template) in zip(
                    response.headers, prepared.headers, strict=False
                ):
                    where = f"headers/{name}"
                    if template is not None:
                        value = _header_value(template.render(model))
                    headers.append((name, value))
                changes["headers"] = tuple(headers)
            if prepared.body_file_name is not None:
                where = "bodyFileName"
                changes["body_file_name"] = prepared.body_file_name.render(model)
            if response.body_file_name is not None and not parameters.get(
                "disableBodyFileTemplating", False
            ):
                changes["file_template"] = partial(self._render_file, model)
        except TemplateError as exc:
            raise TemplateRenderFailed(
                self.failure(exc if exc.name else exc.named(where))
            ) from None
        return _evolve(response, changes)

    def failure(self, exc: TemplateError) -> str:
        return f"mockbdd: {self.engine} template {exc}\n"

    def _render_file(self, model: Mapping[str, Any], content: bytes) -> bytes:
        """A body file's contents rendered: compiled once per distinct content (kept for the
        last ``MAX_FILE_TEMPLATES`` contents), never per request."""
        key = hashlib.sha256(content).digest()
        template = self._files.get(key)
        if template is None:
            text = content.decode("utf-8", errors="replace")
            try:
                template = _maybe(self.compile, text, "bodyFile", self.marker) or _Verbatim(text)
            except TemplateError as exc:
                raise TemplateRenderFailed(self.failure(exc)) from None
            if len(self._files) >= MAX_FILE_TEMPLATES:
                self._files.pop(next(iter(self._files)))
            self._files[key] = template
        if isinstance(template, _Verbatim):
            return content
        try:
            return template.render(model).encode()
        except TemplateError as exc:
            raise TemplateRenderFailed(self.failure(exc)) from None

    @cached_property
    def _files(self) -> dict[bytes, Template]:
        return {}

    def plain(self, parameters: Mapping[str, Any]) -> Any:
        """``transformerParameters`` as plain data, made once per stub (the frozen mapping is
        kept by identity; templates cannot change what they read)."""
        if not parameters:
            return _NO_PARAMETERS  # most stubs have none
        kept = self._plain.get(id(parameters))
        if kept is not None and kept[0] is parameters:
            return kept[1]
        plain = to_plain(parameters)
        if len(self._plain) >= MAX_FILE_TEMPLATES * 16:  # stubs come and go: bounded
            self._plain.clear()
        self._plain[id(parameters)] = (parameters, plain)
        return plain

    @cached_property
    def _plain(self) -> dict[int, tuple[Mapping[str, Any], Any]]:
        return {}


MAX_FILE_TEMPLATES = 256
_NO_PARAMETERS: Mapping[str, Any] = MappingProxyType({})


def _make_evolve() -> Callable[[ResponseDefinition, Mapping[str, Any]], ResponseDefinition]:
    """``dataclasses.replace`` at less than half its cost per answer (it runs ``__init__`` and
    ``__post_init__`` again): every field copied in straight-line code, as dataclasses makes
    its own methods, then the changes set. The fields a render changes (body, headers, the
    body file's name and template) never change ``is_static``, false for a transformed stub."""
    names = [f.name for f in dataclasses.fields(ResponseDefinition)]  # is_static too
    assert all(name.isidentifier() for name in names)
    lines = [
        "def evolve(response, changes, _new=object.__new__, _set=object.__setattr__):",
        "    made = _new(ResponseDefinition)",
        *(f"    _set(made, {name!r}, response.{name})" for name in names),
        "    for name, value in changes.items():",
        "        _set(made, name, value)",
        "    return made",
    ]
    scope: dict[str, Any] = {"ResponseDefinition": ResponseDefinition}
    exec("\n".join(lines), scope)  # our own dataclass's field names only
    evolve: Callable[[ResponseDefinition, Mapping[str, Any]], ResponseDefinition]
    evolve = scope["evolve"]
    return evolve


_evolve = _make_evolve()


class _Verbatim:
    """A body file without expressions: sent as read."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def render(self, context: Mapping[str, Any]) -> str:
        return self.text


def _header_value(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ").replace("\x00", "")


class ResponseTemplate(_TemplateTransformer):
    """``response-template``: WireMock's Handlebars, its request model and helpers."""

    engine = "response-template"

    def __init__(self, *, applies_globally: bool = False) -> None:
        super().__init__(applies_globally=applies_globally)
        self._compiler = Compiler(helpers())

    def compile(self, source: str, name: str) -> Template:
        return self._compiler.compile(source, name)

    def context(
        self, request: RecordedRequest, parameters: Mapping[str, Any], context: ServeContext
    ) -> Mapping[str, Any]:
        return {"request": RequestModel(request, context), "parameters": self.plain(parameters)}

    def failure(self, exc: TemplateError) -> str:
        return f"[ERROR] {exc}"  # as WireMock answers a template that fails to render
