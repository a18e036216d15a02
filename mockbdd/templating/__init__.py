"""Response templates behind one protocol (DESIGN §13): WireMock's Handlebars dialect
(``response-template``) and Jinja2 in its immutable sandbox (``jinja``).

A template is compiled once, when the stub that holds it is decoded (a template that does not
compile refuses the stub, naming the line and the reason), and rendered per request against
plain data: mappings, sequences, strings, numbers. No engine here ever reaches a Python
attribute of what it renders, so ``{{request.__class__}}`` renders nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from mockbdd.domain.custom_matchers import CUSTOM_MATCHERS, CustomMatcher
from mockbdd.domain.responses import TRANSFORMERS, LazyTransformer
from mockbdd.extensions import Extensions

MAX_OUTPUT_CHARS = 4 * 1024 * 1024  # what one render may produce before it is cut off
MAX_RENDER_SECONDS = 2.0  # a render taking longer than this is stopped


class TemplateError(ValueError):
    """A template that cannot compile or render: ``name``, ``line`` (1-based, 0 unknown) and
    ``reason``, in mockbdd's voice."""

    def __init__(self, reason: str, line: int = 0, name: str = "") -> None:
        self.reason = reason
        self.line = line
        self.name = name
        where = f"{name}:" if name else ""
        where += f"line {line}: " if line else ""
        super().__init__(f"{where}{reason}")

    def named(self, name: str) -> TemplateError:
        return TemplateError(self.reason, self.line, name)


class TemplateRenderFailed(Exception):
    """A render failed: the 500 text to answer (the data plane journals it). Here, not beside
    the engines, so the data plane can catch it without loading them."""


class Template(Protocol):
    """A compiled template: render it against plain data."""

    def render(self, context: Mapping[str, Any]) -> str: ...


def register(extensions: Extensions, *, global_response_templating: bool = False) -> None:
    """``response-template``, ``jinja``, ``json-body-from-schema`` and ``template-files``,
    registered by name and imported when a stub first names them: a server that serves no
    template never loads the engines, their helpers, Jinja2 or Faker
    (``global_response_templating``: every stub names ``response-template``, so it loads with
    the first stub)."""
    extensions.add(
        TRANSFORMERS,
        "response-template",
        LazyTransformer(
            "mockbdd.templating.transformers",
            "ResponseTemplate",
            applies_globally=global_response_templating,
        ),
    )
    extensions.add(TRANSFORMERS, "jinja", LazyTransformer("mockbdd.templating.jinja", "Jinja"))
    extensions.add(
        TRANSFORMERS,
        "json-body-from-schema",
        LazyTransformer("mockbdd.templating.schema_data", "JsonBodyFromSchema"),
    )
    # a tag map's templates: folder, served by one stub (mockbdd.templating.file_routes, which
    # loads with the first stub that names its matcher)
    extensions.add(
        TRANSFORMERS,
        TEMPLATE_FILES,
        LazyTransformer("mockbdd.templating.files", "TemplateFilesTransformer"),
    )
    extensions.add_on_first_use(CUSTOM_MATCHERS, TEMPLATE_FILES, _template_files_matcher)


TEMPLATE_FILES = "template-files"  # the custom matcher and the transformer of a templates: stub


def _template_files_matcher() -> CustomMatcher:
    from mockbdd.templating.file_routes import TemplateFilesMatcher

    return TemplateFilesMatcher()


__all__ = [
    "MAX_OUTPUT_CHARS",
    "MAX_RENDER_SECONDS",
    "Template",
    "TemplateError",
    "TemplateRenderFailed",
    "register",
]
