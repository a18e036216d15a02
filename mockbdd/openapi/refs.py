"""External ``$ref`` (``common.yaml#/components/schemas/Pet``): an OpenAPI document split over
files becomes one self-contained document before it is validated and imported.

Each reference to another file is replaced by what it points at, read relative to the file
that holds the reference and never outside the spec's folder (``Files``); a reference inside
that file to itself (``#/...``) is resolved in that file. The spec's own local references stay
as they are (the importer and the validator follow them, recursive schemas included). What
cannot be resolved is refused with the JSON pointer of the ``$ref`` and the reason: a file
outside the folder, a URL, a missing file or a missing target, a cycle through other files,
and any external reference in a document that came without its files. The admin API's files
come in the request (``Uploaded``): references resolve among them only, never on the server's
disk or the network. A document whose references (or YAML aliases) expand past ``MAX_NODES``
values is refused, so a small upload cannot grow without bound."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from mockbdd.domain.errors import InvalidInput

MAX_FILES = 256  # distinct files one document may reference
MAX_DEPTH = 64
MAX_NODES = 1_000_000  # values in the bundled document
Load = Callable[[str], Any]  # a file name relative to the spec's folder -> its parsed document


class Files:
    """The files next to a spec: ``load("schemas/pet.yaml")`` reads and parses one (cached),
    refusing a name that leaves the folder. Raises ``ValueError`` with the reason."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self._read: dict[str, Any] = {}

    def __call__(self, name: str) -> Any:
        if name in self._read:
            return self._read[name]
        if len(self._read) >= MAX_FILES:
            raise ValueError(f"more than {MAX_FILES} files referenced")
        target = (self.folder / name).resolve()
        if not target.is_relative_to(self.folder):
            raise ValueError(f"{name} is outside the spec's folder {self.folder}")
        try:
            text = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ValueError(f"cannot read {name}: {reason}") from None
        try:
            parsed = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"{name} is not JSON or YAML: {exc}") from None
        self._read[name] = json.loads(json.dumps(parsed, default=str))
        return self._read[name]


class Uploaded:
    """Files sent with a document (``{"schemas/pet.yaml": <object or its text>}``), by their
    normalised relative name; ``load`` of any other name fails, naming the ones sent."""

    def __init__(self, files: Any, pointer: str = "/files") -> None:
        if not isinstance(files, dict):
            raise InvalidInput(pointer, "must be an object: {file name: document or its text}")
        if len(files) > MAX_FILES:
            raise InvalidInput(pointer, f"at most {MAX_FILES} files")
        self._files: dict[str, Any] = {}
        for name, content in files.items():
            where = f"{pointer}/{_escape(name)}"
            normal = _normal(PurePosixPath(unquote(name))) if name else None
            if normal is None or "\\" in name:
                raise InvalidInput(
                    where,
                    "a file name is a relative path inside the spec's folder, like "
                    "schemas/pet.yaml (no .., no leading /)",
                )
            if normal in self._files:
                raise InvalidInput(where, f"{normal} is sent twice")
            self._files[normal] = _parsed(content, where)

    def __call__(self, name: str) -> Any:
        if name not in self._files:
            sent = ", ".join(sorted(self._files)) or "none"
            raise ValueError(f"{name} was not sent in files (sent: {sent})")
        return self._files[name]


def _parsed(content: Any, where: str) -> Any:
    if not isinstance(content, str):
        return content
    try:
        return yaml.safe_load(content)
    except yaml.YAMLError as exc:
        raise InvalidInput(where, f"not JSON or YAML: {exc}") from None


def bundle(raw: Any, load: Load | None, pointer: str = "") -> Any:
    """``raw`` with every reference to another file replaced by its target (see the module);
    ``load`` None: the document came alone, and any such reference is refused."""
    return _Bundler(load).walk(raw, None, raw, pointer, (), 0)


class _Bundler:
    def __init__(self, load: Load | None) -> None:
        self._load = load
        self._nodes = 0

    def walk(
        self,
        node: Any,
        file: str | None,  # the file holding ``node``; None: the spec itself
        document: Any,  # that file's parsed document
        at: str,  # where in the spec this ends up (for errors)
        stack: tuple[tuple[str, str], ...],
        depth: int,
    ) -> Any:
        if depth > MAX_DEPTH:
            raise InvalidInput(at, f"references nest deeper than {MAX_DEPTH} levels")
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise InvalidInput(
                at,
                f"the document expands past {MAX_NODES} values once its references "
                "and YAML aliases are followed",
            )
        if isinstance(node, list):
            return [
                self.walk(v, file, document, f"{at}/{i}", stack, depth + 1)
                for i, v in enumerate(node)
            ]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and (file is not None or not ref.startswith("#")):
            return self._follow(node, ref, file, document, at, stack, depth)
        return {
            k: self.walk(v, file, document, f"{at}/{_escape(str(k))}", stack, depth + 1)
            for k, v in node.items()
        }

    def _follow(
        self,
        node: dict[str, Any],
        ref: str,
        file: str | None,
        document: Any,
        at: str,
        stack: tuple[tuple[str, str], ...],
        depth: int,
    ) -> Any:
        where = f"{at}/$ref"
        named = f"$ref {ref!r}" + (f" (in {file})" if file is not None else "")
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc:
            raise InvalidInput(where, f"{named}: only files next to the spec are read")
        name, _, fragment = ref.partition("#")
        if name:
            base = PurePosixPath(file).parent if file is not None else PurePosixPath()
            target_file = _normal(base / unquote(name))
            if target_file is None:
                raise InvalidInput(where, f"{named} leaves the spec's folder")
            if self._load is None:
                raise InvalidInput(
                    where,
                    f"{named} points into another file, which a document sent on its "
                    'own cannot: send the file with it ({"spec": ..., "files": '
                    f'{{"{target_file}": ...}}}}), bundle it into one document, or import '
                    "it with mockbdd import-openapi SPEC (which reads the files next to SPEC)",
                )
            try:
                target_document = self._load(target_file)
            except ValueError as exc:
                raise InvalidInput(where, f"{named}: {exc}") from None
        else:
            assert file is not None  # the spec's own local references are kept
            target_file, target_document = file, document
        key = (target_file, fragment)
        if key in stack:
            raise InvalidInput(
                where, f"{named} leads back to itself through other files: not supported"
            )
        target = _pointed(target_document, fragment)
        if target is _MISSING:
            raise InvalidInput(where, f"{named}: {target_file} has no #{fragment}")
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if siblings and isinstance(target, dict):  # OpenAPI 3.1: siblings beside a $ref
            target = {**target, **siblings}
        return self.walk(target, target_file, target_document, at, (*stack, key), depth + 1)


_MISSING = object()


def _pointed(document: Any, fragment: str) -> Any:
    """What the JSON pointer ``fragment`` (``/components/schemas/Pet``) points at."""
    node = document
    if not fragment:
        return node
    if not fragment.startswith("/"):
        return _MISSING
    for raw in fragment[1:].split("/"):
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _normal(path: PurePosixPath) -> str | None:
    """``path`` without ``.`` and ``..`` steps, or None when it leaves the folder (or is
    absolute)."""
    if path.is_absolute():
        return None
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts) if parts else None


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


__all__ = ["Files", "Uploaded", "bundle"]
