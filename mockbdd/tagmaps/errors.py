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


SET_TAG_MAPS = (
    'set the folder with -D mockbdd.tag_maps=DIR (behave; or "mockbdd.tag_maps" = "DIR" '
    "under [tool.behave.userdata] in pyproject.toml), the ini option mockbdd_tag_maps (pytest), "
    "--tag-maps DIR (mockbdd lint) or MOCKBDD_TAG_MAPS=DIR (any runner)"
)


class UnknownTagError(MockBddError):
    """``@mock:<name>`` where no tag map has that name. ``source`` is the folder the maps were
    read from; with no maps at all, ``searched`` says where they were looked for."""

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
        source: str | None = None,
        searched: str | None = None,
    ) -> None:
        self.tag = tag
        self.known = tuple(known)
        self.suggestion = suggestion
        self.source = source
        self.searched = searched
        hint = f"; did you mean {suggestion}?" if suggestion else ""
        super().__init__(f"unknown mock tag {tag}{hint}", file=file, line=line, column=column)

    @property
    def origin(self) -> str:
        """Where the maps came from, or where they were looked for and how to say where."""
        if self.known or self.source:
            return f"(tag maps read from {self.source})" if self.source else ""
        looked = f"looked for {self.searched}" if self.searched else "no tag-map folder given"
        return f"(no tag maps found: {looked}; {SET_TAG_MAPS})"

    @property
    def summary(self) -> str:
        if self.suggestion:
            return self.detail
        known = f"known tags: {', '.join(self.known)}" if self.known else "known tags: none"
        return " ".join(filter(None, [f"{self.detail}; {known}", self.origin]))

    def render(self) -> str:
        loc = where(self.file, self.line)
        text = f"mockbdd: unknown mock tag {self.tag}"
        if loc:
            text += f" at {loc}"
        parts = []
        if self.suggestion:
            parts.append(f"did you mean {self.suggestion}?")
        parts.append("known tags: " + (", ".join(self.known) if self.known else "none"))
        if self.origin:
            parts.append(self.origin)
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
    more: tuple[TagMapError, ...] = ()  # the other problems found with this one

    def render(self) -> str:
        loc = where(self.file, self.line)
        text = f"{loc}: {self.detail}" if loc else self.detail
        text = f"{text} — {self.hint}" if self.hint else text
        return "\n".join([text, *(e.render() for e in self.more)])

    def with_more(self, more: Sequence[TagMapError]) -> TagMapError:
        """This error carrying ``more`` (rendered one per line after it)."""
        self.more = tuple(more)
        Exception.__init__(self, self.render())
        return self

    def all(self) -> tuple[TagMapError, ...]:
        return (self, *self.more)


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
