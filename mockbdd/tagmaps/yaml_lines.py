"""Safe YAML loading that remembers where every key and item starts, for file:line errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mockbdd.tagmaps.errors import TagMapError
from mockbdd.wire.documents import UniqueKeyLoader

DataPath = tuple[str, ...]
_MAX_RECORDED = 200_000  # alias bombs: stop recording positions, the data is still shared


@dataclass(frozen=True)
class LineIndex:
    """Where each data path (``("maps", "base", "services")``) starts: 1-based line and column."""

    file: str
    marks: Mapping[DataPath, tuple[int, int]]

    def locate(self, path: Sequence[str]) -> tuple[int, int]:
        """The position of ``path``, or of its longest known prefix (the file start if none)."""
        parts = tuple(path)
        while parts:
            mark = self.marks.get(parts)
            if mark is not None:
                return mark
            parts = parts[:-1]
        return self.marks.get((), (1, 1))

    def line(self, path: Sequence[str]) -> int:
        return self.locate(path)[0]

    def error(self, path: Sequence[str], detail: str, hint: str | None = None) -> TagMapError:
        line, column = self.locate(path)
        return TagMapError(detail, file=self.file, line=line, column=column, hint=hint)


def load_yaml(text: str, file: str) -> tuple[Any, LineIndex]:
    """Parse one YAML document safely; raises :class:`TagMapError` with the line of a syntax error."""
    loader = UniqueKeyLoader(text)  # the loader mapping files use: a key twice is an error
    try:
        node = loader.get_single_node()
        if node is None:
            return None, LineIndex(file, {})
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise TagMapError(
            f"invalid YAML: {problem}",
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise TagMapError(f"invalid YAML: {exc}", file=file) from None
    finally:
        loader.dispose()
    marks: dict[DataPath, tuple[int, int]] = {(): _pos(node)}
    _record(node, (), marks, set())
    return data, LineIndex(file, marks)


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _record(
    node: Node, path: DataPath, marks: dict[DataPath, tuple[int, int]], active: set[int]
) -> None:
    if id(node) in active or len(marks) > _MAX_RECORDED:
        return
    active.add(id(node))
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:  # merge keys were flattened by construction
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            sub = (*path, key)
            marks[sub] = _pos(key_node)
            _record(value_node, sub, marks, active)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            sub = (*path, str(index))
            marks[sub] = _pos(item)
            _record(item, sub, marks, active)
    active.discard(id(node))
