"""Framework-free admin request/response and the context every task receives."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from mockbdd.domain.engine import Engine
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.namespace import Namespace
from mockbdd.extensions import Extensions

if TYPE_CHECKING:
    from mockbdd.load.runs import LoadRuns
    from mockbdd.tagmaps.registry import TagMapRegistry


class Conflict(Exception):
    """The request clashes with the server's state (HTTP 409): a name or a port in use."""


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def int_query(req: AdminRequest, name: str, default: int) -> int:
    """A whole, non-negative query parameter (``?limit=``, ``?offset=``)."""
    raw = req.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"?{name}", f"must be a whole number, got {raw!r}") from None
    if value < 0:
        raise InvalidInput(f"?{name}", "must not be negative")
    return value


@dataclass(frozen=True, slots=True)
class AdminRequest:
    method: str
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes = b""

    def json(self) -> Any:
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body, parse_constant=_no_constants)
        except ValueError as exc:
            raise InvalidInput("", f"body is not valid JSON: {exc}") from None
        except RecursionError:
            raise InvalidInput("", "body is not valid JSON: nested too deeply") from None

    def json_object(self) -> dict[str, Any]:
        data = self.json()
        if not isinstance(data, dict):
            raise InvalidInput("", "body must be a JSON object")
        return data


@dataclass(frozen=True, slots=True)
class AdminResponse:
    status: int = 200
    json: Any = None
    text: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


class Runtime(Protocol):
    """What tasks need from the running server, beyond the engine."""

    @property
    def extensions(self) -> Extensions:
        """The server's registry (built-ins and plugins): every mapping a task decodes
        goes through it."""
        ...

    def base_url(self, ns: Namespace) -> str: ...

    def admin_url(self, ns: Namespace) -> str: ...

    def open_port(self, ns: Namespace, port: int) -> Awaitable[int]: ...

    def close_port(self, ns: Namespace) -> Awaitable[None]: ...

    def request_shutdown(self) -> None: ...

    def uptime_seconds(self) -> float: ...

    def load_runs(self) -> LoadRuns:
        """The server's load runs (``/__admin/load-runs``)."""
        ...

    def tag_map_registry(self) -> TagMapRegistry:
        """The server's tag maps (``--tag-maps``); raises ``InvalidInput`` when it has none."""
        ...


@dataclass(slots=True)
class AdminContext:
    engine: Engine
    ns: Namespace
    runtime: Runtime


Task = Callable[[AdminContext, AdminRequest], Awaitable[AdminResponse]]
