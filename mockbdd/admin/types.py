"""Framework-free admin request/response and the context every task receives."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from mockbdd.domain.engine import Engine
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.patterns import ContentPattern
from mockbdd.domain.reach import outbound_targets
from mockbdd.domain.stubs import StubMapping
from mockbdd.extensions import Extensions
from mockbdd.records import record

if TYPE_CHECKING:
    from pathlib import Path

    from mockbdd.admin.mapping_files import MappingFiles
    from mockbdd.admin.recording_tasks import Recorder
    from mockbdd.domain.near_miss import NearMiss
    from mockbdd.domain.requests import RecordedRequest
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


@record
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

    def json_pattern(self) -> Any:
        """A request pattern body (``/requests/count``, ``/find``, ``/remove``): an empty body
        is a mistake, not "every request" (``{}`` says that), as in WireMock."""
        if not self.body.strip():
            raise InvalidInput(
                "", "the body is empty: send a request pattern as JSON ({} matches every request)"
            )
        return self.json()

    def json_object(self) -> dict[str, Any]:
        data = self.json()
        if not isinstance(data, dict):
            raise InvalidInput("", "body must be a JSON object")
        return data


@record
class AdminResponse:
    status: int = 200
    json: Any = None
    text: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


class MetricsView(Protocol):
    """The server's metrics, as the admin routes answer them."""

    def text(self) -> str:
        """Prometheus text exposition format."""
        ...

    def snapshot(self) -> dict[str, Any]:
        """The same as JSON, with rates and latency percentiles over recent windows."""
        ...


class MountsView(Protocol):
    """The server's service-plugin mounts (:class:`mockbdd.server.mounts.ServiceMounts`)."""

    @property
    def plugins(self) -> tuple[str, ...]:
        """The service plugins installed, by name."""
        ...

    def listed(self, ns: Namespace) -> list[Any]:
        """The mounts of ``ns``: each with ``plugin``, ``service`` and ``config``."""
        ...

    def mount(
        self, ns: Namespace, plugin: str, service: Any, config: Any
    ) -> Awaitable[tuple[Any, bool]]:
        """Mount ``plugin`` as ``service``: (the mount, whether it replaced one); raises
        ``InvalidInput`` naming the field."""
        ...

    def unmount(self, ns: Namespace, service: str) -> Awaitable[bool]: ...

    def configure(self, ns: Namespace, service: str, config: Any) -> Awaitable[Any]:
        """``config``'s keys over the mount's (in place where the mount can take them);
        raises ``NotFound`` or ``InvalidInput`` naming the field."""
        ...


class PressureControl(Protocol):
    """The server's resource pressure (``/__admin/pressure``), per namespace name."""

    async def apply(
        self, namespace: str, memory_mb: int, cpu_percent: int, duration_ms: int
    ) -> dict[str, Any]:
        """Replace the namespace's pressure; ``InvalidInput`` when over a cap."""
        ...

    async def release(self, namespace: str) -> bool: ...

    def report(self, namespace: str) -> dict[str, Any]: ...


class WebSocketsView(Protocol):
    """The messages of webSocket stubs (:class:`mockbdd.server.websockets.WebSockets`)."""

    def messages(self, ns: Namespace) -> list[Any]:
        """Each with ``direction``, ``path``, ``connection`` and ``json()``."""
        ...

    def count(
        self, ns: Namespace, pattern: ContentPattern, direction: str | None, path: str | None
    ) -> int: ...

    def clear(self, ns: Namespace) -> None: ...


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

    def near_misses(self, ns: Namespace, request: RecordedRequest) -> Awaitable[list[NearMiss]]:
        """The stubs of ``ns`` closest to ``request``, ranked a slice at a time so that other
        traffic is served meanwhile (the data plane's search, as for a 404's report)."""
        ...

    @property
    def pressure(self) -> PressureControl: ...

    def metrics(self) -> MetricsView:
        """The server's metrics; raises ``InvalidInput`` when it was started without them."""
        ...

    @property
    def websockets(self) -> WebSocketsView:
        """The messages webSocket stubs sent and received."""
        ...

    @property
    def mounts(self) -> MountsView:
        """The service plugins mounted into namespaces."""
        ...

    def tag_map_registry(self) -> TagMapRegistry:
        """The server's tag maps (``--tag-maps``); raises ``InvalidInput`` when it has none."""
        ...

    def recorder(self) -> Recorder:
        """The recordings under way (``/recordings/*``)."""
        ...

    def outbound_refusal(self, url: str) -> str | None:
        """Why this server may not reach ``url`` (``--proxy-allow``); None when it may."""
        ...

    def recordings_dir(self) -> Path | None:
        """Where persisted recordings go (``--mappings``), if anywhere."""
        ...

    def files_dir(self) -> Path | None:
        """Where extracted response bodies go (``--files``), if anywhere."""
        ...

    def mapping_files(self) -> MappingFiles | None:
        """The root's mapping folder and which stub has which file there, if it has one."""
        ...


def check_reach(runtime: Runtime, stubs: Iterable[StubMapping], pointer: str = "") -> None:
    """Refuse, before anything is stored, a stub whose proxy or webhook this server may not
    reach (``mockbdd lint --proxy-allow`` asks the same of tag maps)."""
    for i, stub in enumerate(stubs):
        for at, url, what in outbound_targets(stub.source):
            refused = runtime.outbound_refusal(url)
            if refused is not None:
                where = pointer.replace("{i}", str(i))
                raise InvalidInput(f"{where}{at}", f"{what} target {refused}")


@dataclass(slots=True)
class AdminContext:
    engine: Engine
    ns: Namespace
    runtime: Runtime


Task = Callable[[AdminContext, AdminRequest], Awaitable[AdminResponse]]
