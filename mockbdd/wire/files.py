"""Mapping files (``*.json``, ``*.yaml``): one mapping or ``{"mappings": [...]}`` per file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.stubs import StubMapping
from mockbdd.extensions import Extensions
from mockbdd.records import record
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.mappings import parse_mappings_document

SUFFIXES = (".json", ".yaml", ".yml")


class MappingFileError(ValueError):
    """``file: field: reason`` — a mapping file that cannot be loaded; ``problems`` holds every
    one found (of this file and, from a folder, of the others), one ``file: reason`` each, so a
    folder is fixed in one go."""

    def __init__(self, path: Path, reason: str, more: Sequence[str] = ()) -> None:
        self.problems = (f"{path}: {reason}", *more)
        told = self.problems[0]
        if more:  # laid out as the other start-up errors of several parts are
            told = f"{len(self.problems)} problems in the mapping files:" + "".join(
                f"\n  {problem}" for problem in self.problems
            )
        super().__init__(told)
        self.path = path
        self.reason = reason

    @staticmethod
    def of(found: Sequence[MappingFileError]) -> MappingFileError:
        """One error carrying every problem of ``found`` (not empty)."""
        first = found[0]
        rest = [p for error in found for p in error.problems][1:]
        return MappingFileError(first.path, first.reason, rest)


def read_document(path: Path) -> Any:
    import yaml  # loaded only when there are mapping files to read

    from mockbdd.wire.documents import DuplicateKeyError, load_json, load_yaml

    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".json":
            return load_json(text)
        return load_yaml(text)  # safe: no Python objects from files; a key twice is an error
    except json.JSONDecodeError as exc:
        raise MappingFileError(path, f"line {exc.lineno}: invalid JSON: {exc.msg}") from None
    except DuplicateKeyError as exc:
        raise MappingFileError(path, f"invalid JSON: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise MappingFileError(path, f"{where}invalid YAML: {exc}") from None


def load_mapping_file(path: Path, *, extensions: Extensions = BUILTIN) -> list[StubMapping]:
    return [loaded.stub for loaded in _load_file(path, extensions)]


@record
class LoadedStub:
    """A stub and the file it came from; ``multi``: one of a ``{"mappings": [...]}`` file."""

    stub: StubMapping
    path: Path
    multi: bool


def _load_file(path: Path, extensions: Extensions) -> list[LoadedStub]:
    document = read_document(path)
    multi = isinstance(document, dict) and "mappings" in document and "request" not in document
    try:
        stubs = parse_mappings_document(document, extensions=extensions)
    except InvalidInput as exc:
        problems = [f"{path}: {e.pointer or '/'}: {e.reason}" for e in exc.all()]
        raise MappingFileError(path, str(exc), problems[1:]) from None
    return [LoadedStub(stub, path, multi) for stub in stubs]


def load_mapping_sources(directory: Path, *, extensions: Extensions = BUILTIN) -> list[LoadedStub]:
    """Every mapping file under ``directory`` (recursively, sorted), each stub with its file;
    all valid or an error."""
    if not directory.is_dir():
        raise MappingFileError(directory, "not a directory")
    loaded: list[LoadedStub] = []
    seen: dict[str, Path] = {}
    broken: list[MappingFileError] = []
    for path in sorted(p for p in directory.rglob("*") if p.suffix in SUFFIXES and p.is_file()):
        try:
            items = _load_file(path, extensions)
        except MappingFileError as exc:  # read on: every broken file is told at once
            broken.append(exc)
            continue
        for item in items:
            if item.stub.id in seen:
                reason = f"/id: {item.stub.id!r} is also used in {seen[item.stub.id]}"
                broken.append(MappingFileError(path, reason))
            seen[item.stub.id] = path
            loaded.append(item)
    if broken:
        raise MappingFileError.of(broken)
    return loaded


def load_mapping_dir(directory: Path, *, extensions: Extensions = BUILTIN) -> list[StubMapping]:
    """Every mapping file under ``directory`` (recursively, sorted); all valid or an error."""
    return [item.stub for item in load_mapping_sources(directory, extensions=extensions)]
