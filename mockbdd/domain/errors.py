"""Errors raised when input is invalid: each names the JSON pointer of the field and the reason."""

from __future__ import annotations

from collections.abc import Sequence


class InvalidInput(ValueError):
    """A client's mistake: a field (JSON pointer, e.g. ``/request/bodyPatterns/0``) and why it is
    wrong; ``more`` holds the other mistakes found in the same input, so one run reports all."""

    def __init__(self, pointer: str, reason: str, more: Sequence[InvalidInput] = ()) -> None:
        super().__init__(f"{pointer or '/'}: {reason}")
        self.pointer = pointer
        self.reason = reason
        self.more = tuple(more)

    def all(self) -> tuple[InvalidInput, ...]:
        """This mistake and the others found with it, each once."""
        return (self, *self.more)

    @staticmethod
    def of(found: Sequence[InvalidInput]) -> InvalidInput:
        """One error carrying every one of ``found`` (not empty)."""
        flat = [e for error in found for e in error.all()]
        return InvalidInput(flat[0].pointer, flat[0].reason, flat[1:])


class NotFound(LookupError):
    """A stub, request, scenario or namespace that does not exist."""
