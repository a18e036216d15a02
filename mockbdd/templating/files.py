"""Template files, mockstack-style (DESIGN §13): a request no stub matches is looked up as a
Jinja file under ``--templates DIR``, or answered by a tag map's ``templates:`` stub (the
``template-files`` transformer here, with the routing of ``mockbdd.templating.file_routes``).

``GET /svc/api/v1/user/<id>`` tries ``svc-api-v1-user.<id>.j2``, then ``svc-api-v1-user.j2``,
then ``index.j2`` (an id is a number or a UUID); a JSON ``POST`` for which no file matches
creates a resource (the body echoed with ``id`` and ``createdAt``, 201), ``PUT``/``PATCH``
answer 200 with the body and ``DELETE`` 204. ``--templates``' files compile when the server
starts (one that does not stops it, naming the file and line) and again only when they change;
a ``templates:`` stub's compile when the stub is created (one that does not refuses it).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition, ServeContext, TransformContext
from mockbdd.records import record
from mockbdd.templating import TemplateError, TemplateRenderFailed
from mockbdd.templating.file_routes import FileAnswer, candidates, default_answer, first_file
from mockbdd.templating.jinja import Jinja, JinjaTemplate

_JSON = (("Content-Type", "application/json"),)
_TEXT = (("Content-Type", "text/plain; charset=utf-8"),)


@record
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
            try:
                return rendered(self._jinja, found.template, found.ident, request, context)
            except TemplateError as exc:
                return FileAnswer(500, _TEXT, f"mockbdd: jinja template {exc}\n".encode())
        return default_answer(request)


def rendered(
    jinja: Jinja,
    template: JinjaTemplate,
    ident: str | None,
    request: RecordedRequest,
    context: ServeContext,
) -> FileAnswer:
    """A template file's answer: 200, JSON when the text is JSON (``TemplateError`` when the
    render fails). The path's id is ``request.pathParameters.id``."""
    params: Mapping[str, str] = {"id": ident} if ident is not None else {}
    model = jinja.context(request, {}, dataclasses.replace(context, path_parameters=params))
    text = template.render(model)
    return FileAnswer(200, _JSON if _is_json(text) else _TEXT, text.encode())


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


class TemplateFilesTransformer:
    """``"transformers": ["template-files"]`` with ``{"files": {name: source}}``: a tag map's
    ``templates:`` folder, carried in its stub (the stub goes where the tag map is applied,
    so a remote server needs no copy of the folder). Every file compiles when the stub is
    created; a request renders the most specific file its path tries, or gets its method's
    default answer (the stub's matcher lets nothing else through)."""

    def __init__(self) -> None:
        self._jinja = Jinja()

    def check(self, parameters: Mapping[str, Any]) -> None:
        files = parameters.get("files")
        if not isinstance(files, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in files.items()
        ):
            raise ValueError("/files: an object of template file name to its Jinja source")

    def transform(
        self,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: TransformContext,
    ) -> ResponseDefinition:  # pragma: no cover - the data plane calls render() instead
        raise TypeError("template files are rendered through prepare/render")

    def prepare(self, response: ResponseDefinition, parameters: Mapping[str, Any]) -> object:
        compiled: dict[str, JinjaTemplate] = {}
        problems = []
        for name, source in parameters["files"].items():
            try:
                compiled[name] = self._jinja.compile(source, name)
            except TemplateError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("template files that do not compile: " + "; ".join(problems))
        return compiled

    def render(
        self,
        prepared: object,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: ServeContext,
    ) -> ResponseDefinition:
        assert isinstance(prepared, dict)
        name, ident = first_file(request.path, prepared)
        if name is not None:
            try:
                answer = rendered(self._jinja, prepared[name], ident, request, context)
            except TemplateError as exc:
                raise TemplateRenderFailed(f"mockbdd: jinja template {exc}\n") from None
        else:
            answer = default_answer(request) or FileAnswer(
                404, _TEXT, b"mockbdd: no template file for this request\n"
            )
        return dataclasses.replace(
            response, status=answer.status, headers=answer.headers, body=answer.body
        )


__all__ = ["FileAnswer", "Found", "TemplateFiles", "TemplateFilesTransformer", "candidates"]
