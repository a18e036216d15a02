"""aiohttp adapter for the admin route table: auth, dispatch, and errors in WireMock's shape."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from mockbdd.domain.engine import Engine, NamespaceExists
from mockbdd.domain.errors import InvalidInput, NotFound
from mockbdd.domain.namespace import Namespace

if TYPE_CHECKING:
    from mockbdd.admin.routes import RouteMatch
    from mockbdd.admin.types import AdminResponse, Runtime

log = logging.getLogger("mockbdd.admin")
MAX_ADMIN_BODY = 50 * 1024 * 1024
ADMIN_TOKEN_HINT = (
    "admin token required: send 'Authorization: Bearer <token>' with the token the server was "
    "started with (mockbdd serve --admin-token T, or MOCKBDD_ADMIN_TOKEN); mockbdd's clients "
    "take Client(url, token=T), and the BDD hooks read MOCKBDD_ADMIN_TOKEN"
)


def error_json(
    status: int, title: str, pointer: str | None = None, detail: str | None = None
) -> web.Response:
    error: dict[str, Any] = {"code": 10 if status == 422 else status, "title": title}
    if pointer is not None:
        error["source"] = {"pointer": pointer}
    if detail:
        error["detail"] = detail
    return _json(status, {"errors": [error]})


def invalid_json(status: int, exc: InvalidInput) -> web.Response:
    """Every mistake found in the input, the first first (WireMock's ``errors`` list)."""
    code = 10 if status == 422 else status
    errors = [
        {"code": code, "title": e.reason, "source": {"pointer": e.pointer or "/"}}
        for e in exc.all()
    ]
    return _json(status, {"errors": errors})


def _json(status: int, data: Any) -> web.Response:
    return web.Response(
        status=status, body=json.dumps(data).encode(), content_type="application/json"
    )


_NAMESPACE_CONTENT = ("/mappings", "/settings", "/scenarioStates")


def _status_of(exc: InvalidInput, task: str) -> int:
    """400 for a malformed call (bad JSON, query or namespace fields), 422 for invalid content."""
    if exc.pointer == "" and "JSON" in exc.reason:
        return 400
    if exc.pointer.startswith("?"):
        return 400
    if task.endswith("namespace") and not exc.pointer.startswith(_NAMESPACE_CONTENT):
        return 400
    return 422


Stream = Callable[[web.BaseRequest, Namespace, bool], Awaitable[web.StreamResponse]]
MatchRoute = Callable[..., "RouteMatch"]


def _route_table() -> MatchRoute:
    """The admin route table, imported at the first admin request: with its tasks come the
    wire codecs (pydantic models of WireMock's JSON), which a server that is only served, or
    not yet configured, never needs (idle RSS, ``bench/run.py rss``)."""
    from mockbdd.admin.routes import match_route

    return match_route


class AdminApi:
    def __init__(
        self,
        engine: Engine,
        runtime: Runtime,
        token: str | None,
        streams: Callable[[], Mapping[str, Stream]] | None = None,
    ) -> None:
        """``streams`` makes, at the first admin request (the route specs load with the route
        table), the routes answered by the transport itself (a WebSocket), by route name."""
        self.engine = engine
        self.runtime = runtime
        self.token = token
        self._streams_of = streams
        self.streams: Mapping[str, Stream] = {}
        self._match_route: MatchRoute | None = None  # the route table, at the first call

    def _authorised(self, request: web.BaseRequest) -> bool:
        if not self.token:
            return True
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode())

    async def handle(
        self, request: web.BaseRequest, ns: Namespace, path: str, *, at_root: bool
    ) -> web.StreamResponse:
        if not self._authorised(request):
            return error_json(401, ADMIN_TOKEN_HINT)
        match_route = self._match_route
        if match_route is None:
            match_route = self._match_route = _route_table()
            if self._streams_of is not None:
                self.streams = self._streams_of()
        found = match_route(request.method, path or "/", at_root=at_root)
        if found.route is None:
            if found.allowed:
                resp = error_json(405, f"{request.method} not allowed on {path}")
                resp.headers["Allow"] = ", ".join(found.allowed)
                return resp
            return error_json(404, f"no admin endpoint {request.method} {path}")
        if request.content_length is not None and request.content_length > MAX_ADMIN_BODY:
            return error_json(413, f"admin request body over {MAX_ADMIN_BODY} bytes")
        body = await request.read() if request.can_read_body else b""
        from mockbdd.admin.types import AdminContext, AdminRequest, Conflict  # with the routes

        admin_request = AdminRequest(request.method, found.params, dict(request.query), body)
        ns.touch()
        ctx = AdminContext(self.engine, ns, self.runtime)
        try:
            stream = self.streams.get(found.route.name)
            if stream is not None:
                return await stream(request, ns, at_root)
            result = await found.route.task(ctx, admin_request)
        except InvalidInput as exc:
            return invalid_json(_status_of(exc, found.route.name), exc)
        except NotFound as exc:
            return error_json(404, str(exc.args[0]) if exc.args else "not found")
        except (NamespaceExists, Conflict) as exc:
            return error_json(409, str(exc))
        return self._to_web(result)

    @staticmethod
    def _to_web(result: AdminResponse) -> web.Response:
        if result.text is not None:
            return web.Response(status=result.status, text=result.text, headers=result.headers)
        resp = _json(result.status, result.json if result.json is not None else {})
        resp.headers.update(result.headers)
        return resp
