"""What the sync and async clients share: their admin root, auth, and how a ``Call`` becomes an
httpx request and an httpx response becomes a ``Reply``. Only the sending differs."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import httpx

from mockbdd.client import calls
from mockbdd.client.calls import ADMIN, Call, Reply

H = TypeVar("H", httpx.Client, httpx.AsyncClient)


class ClientBase(Generic[H]):
    """``base_url`` is the server origin (``http://127.0.0.1:8080``), a namespace base URL
    (``.../__ns/<ns>``) or an admin URL (``.../__admin``); calls go to its ``/__admin`` root."""

    def __init__(self, base_url: str, token: str | None, timeout: float, http: H) -> None:
        self.admin_url = calls.admin_root(base_url)
        self.base_url = self.admin_url[: -len(ADMIN)]
        self.timeout = timeout
        self._token = token
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http: H = http

    def _request(self, c: Call) -> dict[str, Any]:
        """Keyword arguments of ``httpx.(Async)Client.request`` for one admin call."""
        return {
            "method": c.method,
            "url": self.admin_url + c.path,
            "json": c.json,
            "params": dict(c.params) or None,
            "headers": self._headers,
            "timeout": calls.http_timeout(c, self.timeout),
        }

    @staticmethod
    def _reply(c: Call, resp: httpx.Response) -> Reply:
        ctype = resp.headers.get("content-type", "")
        return calls.check(c, calls.decode(resp.status_code, ctype, resp.content))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.admin_url!r})"
