"""mockstack's routing of template files (DESIGN §13), without the engine: which file names a
path tries, the answer a method gets when no file applies, and the ``template-files`` custom
matcher a tag map's ``templates:`` stub uses.

``GET /svc/api/v1/user/<id>`` tries ``svc-api-v1-user.<id>.j2``, then ``svc-api-v1-user.j2``,
then ``index.j2`` (an id is a number or a UUID); a JSON ``POST`` for which no file matches
creates a resource (the body echoed with ``id`` and ``createdAt``, 201), ``PUT``/``PATCH``
answer 200 with the body and ``DELETE`` 204.

A tag map's ``templates: DIR`` becomes one stub at the lowest priority (so any other stub wins,
as a file answers only what no stub matches): its ``customMatcher`` matches exactly the
requests a file or a method's default answers, and its ``template-files`` transformer renders
them (``mockbdd.templating.files``)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Collection, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mockbdd.domain.matching import EXACT, NO_MATCH, MatchResult
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.records import record
from mockbdd.templating import TEMPLATE_FILES as NAME  # the matcher and transformer's name

LOWEST_PRIORITY = 2**31 - 1  # Java's Integer.MAX_VALUE: every other stub ranks first
MAX_FILES_BYTES = 4 * 1024 * 1024  # the sources a templates: stub may carry, all together
_ID = re.compile(r"\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_JSON = (("Content-Type", "application/json"),)


def candidates(path: str) -> tuple[list[str], str | None]:
    """The file names to try for ``path``, most specific first, and the id it ends with."""
    segments = [s for s in path.split("/") if s]
    ident = segments.pop() if segments and _ID.fullmatch(segments[-1]) else None
    base = "-".join(segments)
    names = []
    if base and ident is not None:
        names.append(f"{base}.{ident}.j2")
    if base:
        names.append(f"{base}.j2")
    names.append("index.j2")
    return names, ident


def first_file(path: str, files: Collection[str]) -> tuple[str | None, str | None]:
    """The most specific of ``files`` that ``path`` tries (None: none), and the path's id."""
    names, ident = candidates(path)
    return next((n for n in names if n in files), None), ident


@record
class FileAnswer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def default_answer(request: RecordedRequest) -> FileAnswer | None:
    """What a method answers when no template file applies (None: the usual 404)."""
    method = request.method
    if method == "DELETE":
        return FileAnswer(204, (), b"")
    if method not in ("POST", "PUT", "PATCH"):
        return None
    parsed = request.body.json
    if parsed is Body.NOT_JSON or not isinstance(parsed, dict):
        return None
    if method == "POST":
        created = {
            **parsed,
            "id": parsed.get("id", str(uuid.uuid4())),
            "createdAt": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        }
        return FileAnswer(201, _JSON, json.dumps(created, separators=(",", ":")).encode())
    return FileAnswer(200, _JSON, request.body.raw)


def _answers_by_default(request: RecordedRequest) -> bool:
    if request.method == "DELETE":
        return True
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    return isinstance(request.body.json, dict)


class TemplateFilesMatcher:
    """``customMatcher {"name": "template-files", "parameters": {"files": [names]}}``: the
    requests a templates: stub answers, a file's or a method's default."""

    def check(self, parameters: Mapping[str, Any]) -> None:
        files = parameters.get("files")
        if not isinstance(files, tuple) or not all(isinstance(f, str) for f in files):
            raise ValueError("/files: the template file names, a list of strings")
        extra = sorted(set(parameters) - {"files"})
        if extra:
            raise ValueError(f"/{extra[0]}: unknown parameter (known: files)")

    def match(self, request: RecordedRequest, parameters: Mapping[str, Any]) -> MatchResult:
        name, _ = first_file(request.path, parameters["files"])
        return EXACT if name is not None or _answers_by_default(request) else NO_MATCH


def templates_stub(folder: Path, shown: str) -> dict[str, Any]:
    """The stub that serves ``folder``'s ``*.j2`` files (read now; ``shown`` is how the folder
    is named in its metadata and errors). ``OSError``/``ValueError`` when it cannot be read."""
    files: dict[str, str] = {}
    size = 0
    for file in sorted(folder.glob("*.j2")):
        if not file.is_file():
            continue
        text = file.read_text(encoding="utf-8")
        size += len(text)
        if size > MAX_FILES_BYTES:
            raise ValueError(f"the templates in {shown} are larger than {MAX_FILES_BYTES} bytes")
        files[file.name] = text
    return {
        "priority": LOWEST_PRIORITY,
        "request": {
            "method": "ANY",
            "customMatcher": {"name": NAME, "parameters": {"files": list(files)}},
        },
        "response": {"transformers": [NAME], "transformerParameters": {"files": files}},
        "metadata": {"mockbdd": {"templates": shown}},
    }


__all__ = [
    "LOWEST_PRIORITY",
    "NAME",
    "FileAnswer",
    "TemplateFilesMatcher",
    "candidates",
    "default_answer",
    "first_file",
    "templates_stub",
]
