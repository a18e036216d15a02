"""Errors raised when input is invalid: each names the JSON pointer of the field and the reason."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


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
        """One error carrying every one of ``found`` (not empty), each mistake once (an error
        of ``found`` may already carry the others as its ``more``)."""
        flat = list({(e.pointer, e.reason): e for error in found for e in error.all()}.values())
        return InvalidInput(flat[0].pointer, flat[0].reason, flat[1:])


def unknown_field(name: object, known: Iterable[str]) -> str:
    """The reason for a field the input may not have, with the closest one and the fields it
    may have: ``unknown field 'respone'; did you mean 'response'? (known: request, response)``
    (one wording for every part of the admin API and the files)."""
    fields = list(known)
    import difflib  # only when a close name is wanted (idle RSS)

    close = difflib.get_close_matches(name, fields, n=1) if isinstance(name, str) else []
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listed = f" (known: {', '.join(fields)})" if fields else ""
    return f"unknown field {name!r}{hint}{listed}"


class NotFound(LookupError):
    """A stub, request, scenario or namespace that does not exist."""
