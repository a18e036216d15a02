"""Errors of the BDD layer. Every message says where: a tag-map file and line, or a feature
file and line. ``code`` is the ``mockbdd lint`` diagnostic code for the same problem."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, TypeVar

E = TypeVar("E", bound="MockBddError")


def where(file: str | None, line: int | None) -> str:
    """``file:line``, or as much of it as is known ('' when nothing is)."""
    if file is None:
        return f"line {line}" if line is not None else ""
    return f"{file}:{line}" if line is not None else file


class MockBddError(Exception):
    """Base of every mockbdd BDD-layer error; ``detail`` is the message without the location."""

    code: ClassVar[str] = "MBD000"

    def __init__(
        self,
        detail: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.detail = detail
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint
        super().__init__(self.render())

    @property
    def summary(self) -> str:
        """The message without the location (what ``mockbdd lint`` prints after the code)."""
        return f"{self.detail}; {self.hint}" if self.hint else self.detail

    def render(self) -> str:
        loc = where(self.file, self.line)
        text = f"mockbdd: {self.detail} at {loc}" if loc else f"mockbdd: {self.detail}"
        return f"{text} — {self.hint}" if self.hint else text

    def located(self: E, file: str | None, line: int | None, column: int | None = None) -> E:
        """A copy of this error that names where it happened (keeps a location already set)."""
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        if new.file is None and new.line is None:
            new.file, new.line, new.column = file, line, column
        Exception.__init__(new, new.render())
        return new

    def __str__(self) -> str:
        return self.render()


class TagSyntaxError(MockBddError):
    """A mockbdd tag that is malformed: forbidden characters, bad name, bad parameters."""

    code = "MBD002"


class UnknownReservedTagError(TagSyntaxError):
    """``@mockbdd:<x>`` where ``x`` is not a reserved word."""

    code = "MBD001"


class UnknownTagError(MockBddError):
    """``@mock:<name>`` where no tag map has that name."""

    code = "MBD001"

    def __init__(
        self,
        tag: str,
        *,
        known: Sequence[str],
        suggestion: str | None = None,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.tag = tag
        self.known = tuple(known)
        self.suggestion = suggestion
        hint = f"; did you mean {suggestion}?" if suggestion else ""
        super().__init__(f"unknown mock tag {tag}{hint}", file=file, line=line, column=column)

    @property
    def summary(self) -> str:
        if self.suggestion or not self.known:
            return self.detail
        return f"{self.detail}; known tags: {', '.join(self.known)}"

    def render(self) -> str:
        loc = where(self.file, self.line)
        text = f"mockbdd: unknown mock tag {self.tag}"
        if loc:
            text += f" at {loc}"
        parts = []
        if self.suggestion:
            parts.append(f"did you mean {self.suggestion}?")
        parts.append("known tags: " + (", ".join(self.known) if self.known else "none"))
        return text + " — " + " ".join(parts)


class TagParamError(MockBddError):
    """A tag parameter that the map does not declare, a badly typed value, or a missing one."""

    code = "MBD003"

    def __init__(
        self,
        detail: str,
        *,
        tag: str | None = None,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.tag = tag
        super().__init__(detail, file=file, line=line, column=column)


class TagConflictError(MockBddError):
    """Two maps on one level stub the same route (or set the same setting), or a map is both
    switched on and off on one level. ``tags`` are the raw tags involved, ``level`` the level."""

    code = "MBD004"

    def __init__(
        self,
        detail: str,
        *,
        level: str,
        tags: Sequence[str] = (),
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.level = level
        self.tags = tuple(tags)
        super().__init__(detail, file=file, line=line, column=column, hint=hint)


class TagMapError(MockBddError):
    """A broken tag-map file; rendered ``tag_maps/payments.yaml:14: 'responses' must be a list``."""

    code = "MBD007"

    def render(self) -> str:
        loc = where(self.file, self.line)
        text = f"{loc}: {self.detail}" if loc else self.detail
        return f"{text} — {self.hint}" if self.hint else text


class TagMapLoadError(MockBddError):
    """Every problem found while loading a tag-map directory, one per line."""

    code = "MBD007"

    def __init__(self, errors: Sequence[TagMapError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0] if self.errors else None
        super().__init__(
            "\n".join(e.render() for e in self.errors),
            file=first.file if first else None,
            line=first.line if first else None,
        )

    def render(self) -> str:
        return self.detail
