"""Mapping files (``*.json``, ``*.yaml``): one mapping or ``{"mappings": [...]}`` per file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.stubs import StubMapping
from mockbdd.extensions import Extensions
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.mappings import parse_mappings_document

SUFFIXES = (".json", ".yaml", ".yml")


class MappingFileError(ValueError):
    """``file: field: reason`` — a mapping file that cannot be loaded."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path


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


@dataclass(frozen=True, slots=True)
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
        raise MappingFileError(path, str(exc)) from None
    return [LoadedStub(stub, path, multi) for stub in stubs]


def load_mapping_sources(directory: Path, *, extensions: Extensions = BUILTIN) -> list[LoadedStub]:
    """Every mapping file under ``directory`` (recursively, sorted), each stub with its file;
    all valid or an error."""
    if not directory.is_dir():
        raise MappingFileError(directory, "not a directory")
    loaded: list[LoadedStub] = []
    seen: dict[str, Path] = {}
    for path in sorted(p for p in directory.rglob("*") if p.suffix in SUFFIXES and p.is_file()):
        for item in _load_file(path, extensions):
            if item.stub.id in seen:
                raise MappingFileError(
                    path, f"/id: {item.stub.id!r} is also used in {seen[item.stub.id]}"
                )
            seen[item.stub.id] = path
            loaded.append(item)
    return loaded


def load_mapping_dir(directory: Path, *, extensions: Extensions = BUILTIN) -> list[StubMapping]:
    """Every mapping file under ``directory`` (recursively, sorted); all valid or an error."""
    return [item.stub for item in load_mapping_sources(directory, extensions=extensions)]
