"""The namespace handle (DESIGN §6): one isolated mock namespace, its services and its journal.

``NamespaceHandle`` is also the source of ``AsyncNamespaceHandle``, which ``make client-async``
writes into ``aio.py`` with every call awaited (see ``mockbdd.codegen.async_client``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from mockbdd.client.builder import MappingLike, mapping_json
from mockbdd.client.errors import VerificationError
from mockbdd.client.models import LoggedRequest, MatchResult
from mockbdd.services import check_service, prefix_mapping, service_path, service_regex

if TYPE_CHECKING:
    from mockbdd.client.aio import AsyncNamespaceHandle
    from mockbdd.client.sync import Client

Applier = Callable[["NamespaceHandle", str, dict[str, str]], None]
"""Applies a tag map to a handle; supplied by the BDD integration."""
AsyncApplier = Callable[["AsyncNamespaceHandle", str, dict[str, str]], Awaitable[None]]

_NO_APPLIER = (
    "applying tag map {name!r} needs the BDD integration (mockbdd.behave, the pytest plugin or "
    "the unittest mixin), which resolves tag maps; this handle was created without an applier"
)


def verify_message(
    count: int,
    method: str,
    path: str,
    service: str | None,
    failure: VerificationError,
    received: list[LoggedRequest],
) -> str:
    """``"payments" should have received 2 POST requests to /v1/charges, but it received 1``
    and the requests it received, their paths as the test wrote them."""
    who = f'"{service}"' if service else "the namespace"
    noun = "request" if count == 1 else "requests"
    lines = [
        f"{who} should have received {count} {method.upper()} {noun} to {path}, "
        f"but it received {failure.actual}",
        f"{who} received {len(received)} request{'' if len(received) == 1 else 's'}"
        + (":" if received else ""),
    ]
    prefix = f"/{service}" if service else ""
    for i, request in enumerate(received, 1):
        url = (
            request.url[len(prefix) :] if prefix and request.url.startswith(prefix) else request.url
        )
        lines.append(f"  {i}. {request.method} {url or '/'}")
    # the server's near-miss diff (after its own two-line headline), paths as the test wrote them
    for line in str(failure).splitlines()[2:]:
        lines.append(line.replace(f"{prefix}/", "/") if prefix else line)
    return "\n".join(lines)


def route_pattern(method: str, path: str, service: str | None = None) -> dict[str, Any]:
    """The RequestPattern of ``method`` (``ANY`` allowed) on the service-prefixed path."""
    return {"method": method.upper(), "urlPath": service_path(service, path)}


def route_request(method: str, path: str, service: str | None = None) -> dict[str, Any]:
    """A bare request (no headers, no body) for ``method`` on the service-prefixed path."""
    return {"method": method.upper(), "url": service_path(service, path)}


def service_pattern(service: str | None) -> dict[str, Any]:
    """Every request of the namespace, or of one service."""
    pattern: dict[str, Any] = {"method": "ANY"}
    if service:
        pattern["urlPathPattern"] = service_regex(service)
    return pattern


def stub_json(mapping: MappingLike, service: str | None) -> dict[str, Any]:
    data = mapping_json(mapping)
    return prefix_mapping(data, service) if service else data


class _Handle:
    """Addresses shared by the sync and async handles (what needs no I/O)."""

    def __init__(self, info: Mapping[str, Any]) -> None:
        self.name: str = str(info["name"])
        self.base_url: str = str(info["baseUrl"]).rstrip("/")
        self.admin_url: str = str(info["adminUrl"]).rstrip("/")
        port = info.get("port")
        self.port: int | None = int(port) if port is not None else None
        self.closed = False

    def url(self, service: str = "") -> str:
        """Base URL of the namespace, or of one service in it (``.../__ns/<ns>/payments``)."""
        return f"{self.base_url}/{check_service(service)}" if service else self.base_url

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.base_url!r})"


class NamespaceHandle(_Handle):
    """A namespace; its ``admin`` is the ``Client`` scoped to it (every WireMock admin call)."""

    def __init__(
        self, root: Client, info: Mapping[str, Any], *, applier: Applier | None = None
    ) -> None:
        super().__init__(info)
        self._root = root
        self.admin: Client = root.scoped(self.admin_url)
        self._applier = applier

    def stub(self, mapping: MappingLike, service: str | None = None) -> str:
        """Add a stub (under ``/<service>`` if given); returns its id."""
        return str(self.admin.create_stub(stub_json(mapping, service))["id"])

    def apply(self, map_name: str, **params: str) -> None:
        """Apply a tag map (needs the applier the BDD integration supplies)."""
        if self._applier is None:
            raise RuntimeError(_NO_APPLIER.format(name=map_name))
        self._applier(self, map_name, dict(params))

    def requests(self, service: str | None = None) -> list[LoggedRequest]:
        """What this namespace (or service) received, in arrival order."""
        return self.admin.find(service_pattern(service))

    def match(self, method: str, path: str, service: str | None = None) -> MatchResult:
        """Which stub would answer ``method path`` (on ``service``) now: a dry run."""
        return self.admin.match(route_request(method, path, service))

    def count(self, method: str, path: str, service: str | None = None) -> int:
        return self.admin.count(route_pattern(method, path, service))

    def wait_for(
        self,
        count: int,
        method: str,
        path: str,
        service: str | None = None,
        timeout: float = 2.0,
    ) -> int:
        """Return once ``count`` requests arrived; ``VerificationError`` after ``timeout`` s."""
        return self.admin.wait_for(route_pattern(method, path, service), count, timeout)

    def verify(self, count: int, method: str, path: str, service: str | None = None) -> None:
        """Exactly ``count`` requests, else ``VerificationError`` worded as the assertion
        phrases are: the path as given (not the namespace's service prefix) and what the
        service received; the library's frames are hidden from pytest's traceback."""
        __tracebackhide__ = True
        try:
            self.admin.verify(route_pattern(method, path, service), count)
        except VerificationError as failure:
            received = self.requests(service)
            failure.args = (verify_message(count, method, path, service, failure, received),)
            raise failure.with_traceback(None) from None  # no library frames

    def reset(self) -> None:
        self.admin.reset()

    def close(self) -> None:
        """Delete the namespace; idempotent, and fine if it is already gone."""
        if not self.closed:
            self._root.delete_namespace(self.name, missing_ok=True)
            self.closed = True

    def __enter__(self) -> NamespaceHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
