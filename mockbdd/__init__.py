"""mockbdd: a WireMock-compatible HTTP mock server whose face is BDD.

``MockServer``, ``Client`` and ``AsyncClient`` are imported on first use, so that ``mockbdd lint``
and the step vocabulary do not pay for aiohttp and httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockbdd.version import __version__ as __version__

__all__ = ["AsyncClient", "Client", "MockServer", "NamespaceHandle", "VerificationError"]

if TYPE_CHECKING:
    from mockbdd.client import AsyncClient, Client, NamespaceHandle, VerificationError
    from mockbdd.server.embedded import MockServer

_LAZY = {
    "MockServer": "mockbdd.server.embedded",
    "Client": "mockbdd.client",
    "AsyncClient": "mockbdd.client",
    "NamespaceHandle": "mockbdd.client",
    "VerificationError": "mockbdd.client",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mockbdd' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
