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


class Template(Protocol):
    """A compiled template: render it against plain data."""

    def render(self, context: Mapping[str, Any]) -> str: ...


__all__ = ["MAX_OUTPUT_CHARS", "MAX_RENDER_SECONDS", "Template", "TemplateError"]
