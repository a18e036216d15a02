"""The request handler: routes each request to a namespace's data plane or admin API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from urllib.parse import unquote

from aiohttp import web

from mockbdd.domain.engine import Engine
from mockbdd.domain.namespace import Namespace
from mockbdd.server.admin import AdminApi, error_json
from mockbdd.server.aiohttp_internals import request_message
from mockbdd.server.data_plane import DataPlane

log = logging.getLogger("mockbdd.server")
NS_PREFIX = "/__ns/"
ADMIN = "/__admin"
NS_HEADER = "X-Mock-Namespace"


def _split_admin(path: str) -> str | None:
    """``/__admin/x`` → ``/x``; ``/__admin`` → ``/``; anything else → None."""
    if path == ADMIN or path == ADMIN + "/":
        return "/"
    if path.startswith(ADMIN + "/"):
        return path[len(ADMIN) :]
    return None


class Dispatcher:
    """One per listening port. ``fixed`` binds a dedicated port to one namespace."""

    def __init__(
        self,
        engine: Engine,
        data_plane: DataPlane,
        admin: AdminApi,
        fixed: Callable[[], Namespace | None] | None = None,
    ) -> None:
        self.engine = engine
        self.data_plane = data_plane
        self.admin = admin
        self.fixed = fixed

    async def __call__(self, request: web.BaseRequest) -> web.StreamResponse:
        try:
            return await self._route(request)
        except asyncio.CancelledError:
            raise
        except web.HTTPException as exc:  # aiohttp's own answers (e.g. 413): not our bug
            return exc
        except Exception:  # a bug of ours, never the client's: say so, keep serving
            log.exception("mockbdd internal error on %s %s", request.method, request.path)
            return error_json(500, "mockbdd internal error; see the server log")

    async def _route(self, request: web.BaseRequest) -> web.StreamResponse:
        raw = _raw(request)  # matched, journaled and proxied as sent, percent-encoding kept
        if self.fixed is not None:
            ns = self.fixed()
            if ns is None:
                return _gone()
            return await self._in_namespace(request, ns, raw)
        if raw.startswith("/__"):  # namespace prefix or admin: off the hot path
            if raw.startswith(NS_PREFIX):
                name, _, raw_rest = raw[len(NS_PREFIX) :].partition("/")
                ns = self.engine.get(unquote(name))
                if ns is None:
                    return _unknown(unquote(name))
                return await self._in_namespace(request, ns, "/" + raw_rest)
            admin_path = _split_admin(raw)
            if admin_path is not None:
                return await self.admin.handle(
                    request, self.engine.default, admin_path, at_root=True
                )
        header = request.headers.get(NS_HEADER)
        if header:
            ns = self.engine.get(header)
            if ns is None:
                return _unknown(header)
            return await self.data_plane.serve(ns, request, raw)
        return await self.data_plane.serve(self.engine.default, request, raw)

    async def _in_namespace(
        self, request: web.BaseRequest, ns: Namespace, raw_path: str
    ) -> web.StreamResponse:
        admin_path = _split_admin(raw_path)
        if admin_path is not None:
            return await self.admin.handle(request, ns, admin_path, at_root=False)
        return await self.data_plane.serve(ns, request, raw_path)


def _raw(request: web.BaseRequest) -> str:
    """The path as sent, still percent-encoded (admin routes match on it)."""
    target = request_message(request).path  # the request target, untouched by yarl
    if not target.startswith("/"):  # absolute-form (a proxy-style request) or "*"
        target = request.rel_url.raw_path
    return target.partition("?")[0]


def _unknown(name: str) -> web.Response:
    return web.Response(
        status=404,
        text=f"mockbdd: no namespace named {name!r} (it was never created, or it was deleted)\n",
    )


def _gone() -> web.Response:
    return web.Response(status=404, text="mockbdd: this port's namespace was deleted\n")
