"""Errors raised when input is invalid: each names the JSON pointer of the field and the reason."""

from __future__ import annotations


class InvalidInput(ValueError):
    """A client's mistake: a field (JSON pointer, e.g. ``/request/bodyPatterns/0``) and why it is wrong."""

    def __init__(self, pointer: str, reason: str) -> None:
        super().__init__(f"{pointer or '/'}: {reason}")
        self.pointer = pointer
        self.reason = reason


class NotFound(LookupError):
    """A stub, request, scenario or namespace that does not exist."""
