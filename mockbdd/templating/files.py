"""Template files, mockstack-style (DESIGN §13): a request no stub matches is looked up as a
Jinja file under ``--templates DIR``.

``GET /svc/api/v1/user/<id>`` tries ``svc-api-v1-user.<id>.j2``, then ``svc-api-v1-user.j2``,
then ``index.j2`` (an id is a number or a UUID); a JSON ``POST`` for which no file matches
creates a resource (the body echoed with ``id`` and ``createdAt``, 201), ``PUT``/``PATCH``
answer 200 with the body and ``DELETE`` 204. Every file compiles when the server starts (one
that does not stops it, naming the file and line) and again only when it changes.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.responses import ServeContext
from mockbdd.templating import TemplateError
from mockbdd.templating.jinja import Jinja, JinjaTemplate

_ID = re.compile(r"\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_JSON = (("Content-Type", "application/json"),)
_TEXT = (("Content-Type", "text/plain; charset=utf-8"),)


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


@dataclass(frozen=True, slots=True)
class FileAnswer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class Found:
    """A template file found for a request (read and compiled off the event loop)."""

    template: JinjaTemplate | None  # None: no file; the method's default answer applies
    ident: str | None
    error: str = ""  # a file that does not compile (changed since start-up)


class TemplateFiles:
    def __init__(self, root: Path, jinja: Jinja | None = None) -> None:
        self.root = root.resolve()
        self._jinja = jinja or Jinja()
        self._compiled: dict[Path, tuple[int, int, JinjaTemplate]] = {}
        problems = []
        for file in sorted(self.root.glob("*.j2")):
            try:
                self._compile(file)
            except TemplateError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("template files that do not compile: " + "; ".join(problems))

    def _compile(self, file: Path) -> JinjaTemplate:
        stat = file.stat()
        cached = self._compiled.get(file)
        if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
            return cached[2]
        template = self._jinja.compile(file.read_text(encoding="utf-8"), file.name)
        self._compiled[file] = (stat.st_mtime_ns, stat.st_size, template)
        return template

    def find(self, path: str) -> Found:
        """Blocking (stat, read, compile when changed): run it in a thread."""
        names, ident = candidates(path)
        for name in names:
            file = self.root / name
            try:
                if not file.resolve().is_relative_to(self.root) or not file.is_file():
                    continue
                return Found(self._compile(file), ident)
            except TemplateError as exc:
                return Found(None, ident, str(exc))
            except (OSError, ValueError):
                continue
        return Found(None, ident)

    def answer(
        self, found: Found, request: RecordedRequest, context: ServeContext
    ) -> FileAnswer | None:
        """The answer for ``request`` (None: nothing applies, the usual 404)."""
        if found.error:
            return FileAnswer(500, _TEXT, f"mockbdd: jinja template {found.error}\n".encode())
        if found.template is not None:
            params: Mapping[str, str] = {"id": found.ident} if found.ident is not None else {}
            ctx = ServeContext(
                context.namespace,
                context.event_id,
                context.seq,
                context.seed,
                params,
                context.values,
                context.collections,
            )
            model = self._jinja.context(request, {}, ctx)
            try:
                text = found.template.render(model)
            except TemplateError as exc:
                return FileAnswer(500, _TEXT, f"mockbdd: jinja template {exc}\n".encode())
            return FileAnswer(200, _JSON if _is_json(text) else _TEXT, text.encode())
        return _default(request)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _default(request: RecordedRequest) -> FileAnswer | None:
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


def answer_record(answer: FileAnswer) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    return answer.status, answer.headers, answer.body


__all__ = ["FileAnswer", "Found", "TemplateFiles", "candidates"]
