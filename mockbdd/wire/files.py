"""Mapping files (``*.json``, ``*.yaml``): one mapping or ``{"mappings": [...]}`` per file."""

from __future__ import annotations

import json
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
    try:
        return parse_mappings_document(read_document(path), extensions=extensions)
    except InvalidInput as exc:
        raise MappingFileError(path, str(exc)) from None


def load_mapping_dir(directory: Path, *, extensions: Extensions = BUILTIN) -> list[StubMapping]:
    """Every mapping file under ``directory`` (recursively, sorted); all valid or an error."""
    if not directory.is_dir():
        raise MappingFileError(directory, "not a directory")
    stubs: list[StubMapping] = []
    seen: dict[str, Path] = {}
    for path in sorted(p for p in directory.rglob("*") if p.suffix in SUFFIXES and p.is_file()):
        for stub in load_mapping_file(path, extensions=extensions):
            if stub.id in seen:
                raise MappingFileError(path, f"/id: {stub.id!r} is also used in {seen[stub.id]}")
            seen[stub.id] = path
            stubs.append(stub)
    return stubs
