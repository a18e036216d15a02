"""Opening and closing a scenario's mock namespace, for every runner.

The one piece of process state is :data:`ENGINE`, an :class:`EngineHolder`: the embedded server
starts on first use (or ``MOCKBDD_URL`` names a standalone one) and stays up for the process, so
behavex, which re-runs ``before_all`` in a long-lived worker, reuses it. Everything else lives on
the :class:`ScenarioMocks` of one scenario.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepSettings
from mockbdd.bdd.step_checks import MockAssertionError
from mockbdd.bdd.unexpected import (
    not_replaced_by_steps,
    unexpected_requests_report,
    unused_stubs,
    unused_stubs_report,
)
from mockbdd.client.errors import AdminError
from mockbdd.client.namespace import NamespaceHandle
from mockbdd.client.sync import Client
from mockbdd.tagmaps.errors import (
    MockBddError,
    TagConflictError,
    TagParamError,
    UnknownTagError,
)
from mockbdd.tagmaps.registry import ENV_VAR as TAG_MAPS_ENV
from mockbdd.tagmaps.registry import TagMapRegistry, empty_registry, load_registry
from mockbdd.tagmaps.resolve import Resolution, resolve, resolve_map
from mockbdd.tagmaps.tags import MOCK_PREFIX, RESERVED_PREFIX, MockTag, make_mock_tag, parse_tag
from mockbdd.wire.builtins import installed_extensions

URL_ENV = "MOCKBDD_URL"
TOKEN_ENV = "MOCKBDD_ADMIN_TOKEN"
NAMESPACE_TTL_S = 600  # idle timeout: namespaces left behind by a crashed worker go away
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class _AdminCallFilter(logging.Filter):
    """Drops httpx's INFO line for each mockbdd admin call: every step makes some, and behave
    and pytest print captured logs next to a failure, where those lines drown the report.
    Other httpx records (the system under test's) pass."""

    def __init__(self, engine_url: str) -> None:
        super().__init__()
        self.engine_url = engine_url

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (self.engine_url in message and "/__admin" in message)


def quiet_admin_logs(engine_url: str) -> None:
    """Install the filter for the engine at ``engine_url`` on the ``httpx`` logger once: calls
    the system under test makes to another WireMock-style server still show."""
    logger = logging.getLogger("httpx")
    if not any(
        isinstance(f, _AdminCallFilter) and f.engine_url == engine_url for f in logger.filters
    ):
        logger.addFilter(_AdminCallFilter(engine_url))


class EngineHolder:
    """The per-process engine: lazy, idempotent, thread-safe; the only module-level state.

    ``url`` is ``MOCKBDD_URL`` when set (a standalone server), else an embedded server started
    on 127.0.0.1 and an ephemeral port, in a daemon thread, the first time it is needed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server: Any = None  # mockbdd.server.embedded.MockServer, imported lazily
        self._client: Client | None = None
        self._registries: dict[tuple[str, tuple[float, ...]], TagMapRegistry] = {}

    def url(self) -> str:
        """The engine's base URL (what the ``mockbdd_engine`` fixture's users need)."""
        return self.client().base_url

    def client(self) -> Client:
        with self._lock:
            if self._client is None:
                url = os.environ.get(URL_ENV, "").strip()
                if not url:
                    from mockbdd.server.embedded import MockServer

                    self._server = MockServer().start()
                    url = self._server.url
                token = os.environ.get(TOKEN_ENV) or None
                self._client = Client(url.rstrip("/"), token=token)
                quiet_admin_logs(url.rstrip("/"))
            return self._client

    def registry(self, folder: str | None) -> TagMapRegistry:
        """The tag maps of ``folder`` (see :func:`tag_maps_folder`), reloaded when a file
        changes; an empty registry when there is no folder."""
        if folder is None:
            return empty_registry()
        path = Path(folder)
        files = sorted(path.glob("*.y*ml")) if path.is_dir() else [path]
        key = (str(path.resolve()), tuple(f.stat().st_mtime for f in files if f.exists()))
        with self._lock:
            cached = self._registries.get(key)
        if cached is None:
            cached = load_registry(path)
            with self._lock:
                self._registries[key] = cached
        return cached

    def stop(self) -> None:
        """Stop the embedded server (tests); the next use starts a new one."""
        with self._lock:
            server, self._server = self._server, None
            client, self._client = self._client, None
            self._registries.clear()
        if client is not None:
            client.close()
        if server is not None:
            server.stop()


ENGINE = EngineHolder()
"""The per-process engine (one per xdist worker, one per behave process)."""


# ------------------------------------------------------------------------------ configuration


def worker_id(explicit: str | None = None) -> str:
    """behave userdata ``worker_id``, else ``PYTEST_XDIST_WORKER``, else ``main``."""
    raw = explicit or os.environ.get("PYTEST_XDIST_WORKER") or "main"
    return _UNSAFE.sub("_", raw)[:24] or "main"


def namespace_name(worker: str | None = None) -> str:
    """``<worker>-<pid>-<random>``: unique across workers, processes and runs."""
    return f"{worker_id(worker)}-{os.getpid()}-{secrets.token_hex(4)}"


def tag_maps_folder(configured: str | None = None) -> str | None:
    """Where tag maps are: the runner's setting (behave userdata ``mockbdd.tag_maps``, pytest ini
    ``mockbdd_tag_maps``), else ``$MOCKBDD_TAG_MAPS``, else ``tag_maps/`` if it exists."""
    if configured:
        return configured
    if os.environ.get(TAG_MAPS_ENV):
        return os.environ[TAG_MAPS_ENV]
    return "tag_maps" if Path("tag_maps").is_dir() else None


@dataclass(frozen=True)
class Options:
    """What the runner's configuration says (behave userdata, pytest ini options)."""

    tag_maps: str | None = None
    strict: bool = False
    worker: str | None = None
    settings: StepSettings = field(default_factory=StepSettings)


# ------------------------------------------------------------------------------ tags


@dataclass(frozen=True)
class TagLevels:
    """A scenario's tags per level, each with the line it is written on (None if unknown)."""

    feature: Sequence[tuple[str, int | None]] = ()
    rule: Sequence[tuple[str, int | None]] = ()
    scenario: Sequence[tuple[str, int | None]] = ()
    examples: Sequence[tuple[str, int | None]] = ()

    def all(self) -> list[tuple[str, int | None, str]]:
        return [
            (tag, line, level)
            for level, tags in (
                ("feature", self.feature),
                ("rule", self.rule),
                ("scenario", self.scenario),
                ("examples", self.examples),
            )
            for tag, line in tags
        ]

    @property
    def has_mock_tags(self) -> bool:
        return any(is_ours(tag) for tag, _, _ in self.all())


def is_ours(tag: str) -> bool:
    """Whether a tag (with or without ``@``) is mockbdd's: ``@mock:...`` or ``@mockbdd:...``
    (valid or not; :func:`mockbdd.tagmaps.tags.parse_tag` says what is wrong with it)."""
    body = tag[1:] if tag.startswith("@") else tag
    return body.startswith((MOCK_PREFIX, RESERVED_PREFIX))


def resolve_levels(
    levels: TagLevels, registry: TagMapRegistry, file: str | None, line: int | None
) -> Resolution:
    """Resolve the tags; errors name the feature file and the line of the offending tag.
    Stubs are checked with the built-ins and the installed plugins (``mockbdd.plugins``)."""
    for tag, tag_line, _ in levels.all():
        try:
            parse_tag(tag)
        except MockBddError as exc:
            raise exc.located(file, tag_line or line) from None
    try:
        return resolve(
            registry,
            feature=[t for t, _ in levels.feature],
            rule=[t for t, _ in levels.rule],
            scenario=[t for t, _ in levels.scenario],
            examples=[t for t, _ in levels.examples],
            extensions=installed_extensions(),
        )
    except MockBddError as exc:
        if exc.file is not None or exc.line is not None:
            raise
        raise exc.located(file, _culprit_line(exc, levels) or line) from None


def _culprit_line(exc: MockBddError, levels: TagLevels) -> int | None:
    """The line of the tag an error is about."""
    for tag, line, level in levels.all():
        parsed = parse_tag(tag)
        if not isinstance(parsed, MockTag):
            continue
        if isinstance(exc, UnknownTagError) and parsed.tag == exc.tag:
            return line
        if isinstance(exc, TagParamError) and tag == exc.tag:
            return line
        if isinstance(exc, TagConflictError) and level == exc.level and tag in exc.tags:
            return line
    return None


# ------------------------------------------------------------------------------ scenario


def open_scenario(
    levels: TagLevels,
    *,
    options: Options,
    file: str | None = None,
    line: int | None = None,
    extra_strict: bool = False,
    extra_shared: bool = False,
    labels: Mapping[str, str] | None = None,
) -> ScenarioMocks:
    """Resolve the tags, open the namespace (or reset ``default`` for ``@mockbdd:shared``) and
    send the resolved stubs, settings and scenario states (all or nothing)."""
    location = f"{file}:{line}" if file and line else (file or "")
    folder = tag_maps_folder(options.tag_maps)
    registry = ENGINE.registry(folder) if levels.has_mock_tags else TagMapRegistry()
    resolution = resolve_levels(levels, registry, file, line)
    settings = _settings_body(resolution.settings, file, line) if resolution.settings else None
    client = ENGINE.client()
    applier = MapApplier(lambda: ENGINE.registry(tag_maps_folder(options.tag_maps)), file, line)
    shared = resolution.shared or extra_shared
    try:
        if shared:
            handle = client.namespace("default", applier=applier)
            handle.reset()
            push(handle, resolution)
        else:  # one call: the namespace opens with its stubs, settings and states, or not at all
            handle = client.create_namespace(
                namespace_name(options.worker),
                ttl_seconds=NAMESPACE_TTL_S,
                mappings=[s.mapping for s in resolution.stubs],
                settings=settings,
                scenario_states=dict(resolution.scenarios),
                collections=dict(resolution.collections),
                mounts=dict(resolution.mounts),
                applier=applier,
                labels=labels,
            )
    except AdminError as exc:
        raise with_stub_source(exc, resolution, location) from None
    return ScenarioMocks(
        handle=handle,
        settings=options.settings,
        strict=resolution.strict or extra_strict or options.strict,
        shared=shared,
        location=location,
        maps=applier,
    )


_MAPPING_POINTER = re.compile(r"/mappings/(\d+)(/.*)?\Z")


def with_stub_source(exc: AdminError, resolution: Resolution, location: str) -> AdminError:
    """``exc`` naming the tag-map stub the server refused, when its pointer is one of the
    stubs sent (``/mappings/<i>/...``): the map, its file and line, and the scenario."""
    found = _MAPPING_POINTER.match(exc.pointer or "")
    index = int(found.group(1)) if found else len(resolution.stubs)
    if index >= len(resolution.stubs):
        return exc
    stub = resolution.stubs[index]
    if not stub.map_name:
        return exc
    where = f", {stub.at}" if stub.at else ""
    scenario = f"; applied at {location}" if location else ""
    context = f"a stub of tag map {stub.map_name!r}{where}, service {stub.service!r}{scenario}"
    return AdminError(exc.status, f"{exc.title} ({context})", exc.pointer)


def push(handle: NamespaceHandle, resolution: Resolution, services: Sequence[str] = ()) -> None:
    """Send a resolution's stubs, settings and scenario states in one atomic call
    (``POST /__admin/mappings/switch``), first removing every stub of ``services``. The stubs go
    in resolution order, the last one the newest, as a namespace created with ``mappings``
    has them: equal-priority stubs rank the same whether a scenario opens its own namespace,
    runs ``@mockbdd:shared`` or switches maps (phrase 14)."""
    settings = _settings_body(resolution.settings) if resolution.settings else None
    handle.admin.switch_stubs(
        services,
        [s.mapping for s in resolution.stubs],
        settings=settings,
        scenario_states=dict(resolution.scenarios),
        collections=dict(resolution.collections),
    )
    for service, mount in resolution.mounts.items():  # service plugins the maps name
        handle.admin.mount_plugin(mount["plugin"], service, mount.get("config") or {})


SUPPORTED_SETTINGS = (
    "fixedDelay",
    "delayDistribution",
    "chaos",
    "network",
    "bandwidth",
    "degradation",
    "rateLimit",
    "concurrency",
    "timeline",
    "seed",
)


def _settings_body(
    settings: Mapping[str, Any], file: str | None = None, line: int | None = None
) -> dict[str, Any]:
    """Map settings as the admin API takes them. A setting this version cannot honour (chaos,
    limits, ...) fails the scenario rather than being silently ignored."""
    unsupported = sorted(set(settings) - set(SUPPORTED_SETTINGS))
    if unsupported:
        raise MockBddError(
            f"tag-map setting {unsupported[0]!r} is not supported by this version "
            f"(supported: delay, {', '.join(SUPPORTED_SETTINGS)})",
            file=file,
            line=line,
        )
    return dict(settings)


class MapApplier:
    """Applies a tag map to a live namespace: ``handle.apply(name, **params)`` and phrase 14.
    The map's stubs replace every stub of the services it configures, in one server step
    (concurrent traffic never sees a half-switched namespace); other services and the journal
    stay as they are."""

    def __init__(
        self, registry: Callable[[], TagMapRegistry], file: str | None, line: int | None
    ) -> None:
        self._registry = registry
        self._file = file
        self._line = line

    def __call__(self, handle: NamespaceHandle, name: str, params: dict[str, str]) -> None:
        """``handle.apply``: errors name the scenario."""
        try:
            tag = make_mock_tag(name, params)
        except MockBddError as exc:
            raise exc.located(self._file, self._line) from None
        self.switch(handle, None, tag, self._file, self._line)

    def switch(
        self,
        handle: NamespaceHandle,
        service: str | None,
        tag: MockTag,
        file: str | None,
        line: int | None,
    ) -> None:
        """Apply ``tag`` (its map with its parameters); ``service``, when given, must be one
        the map configures. Errors (``MockBddError``) name ``file`` and ``line``."""
        registry = self._registry()
        resolution = resolve_map(
            registry,
            tag.name,
            tag.param_dict,
            feature_file=file,
            line=line,
            extensions=installed_extensions(),
        )
        services = resolution.services
        if service is not None and services and service not in services:
            raise MockBddError(
                f"map {tag.name!r} configures no stubs for {service!r} "
                f"(it configures: {', '.join(services)})",
                file=file,
                line=line,
            )
            _settings_body(resolution.settings, file, line)  # refuse before anything changes
        push(handle, resolution, services)


def strict_report(mocks: ScenarioMocks) -> str:
    """'' when the scenario is clean, else every unexpected request and every unused stub.
    Reads the journal after the settle time (requests may still be arriving); the server waits
    up to the timeout for unused stubs to be served, as phrase 27 does."""
    time.sleep(mocks.settings.settle)
    unused = not_replaced_by_steps(mocks, unused_stubs(mocks, None, mocks.settings.timeout))
    parts = [unexpected_requests_report(mocks, None), unused_stubs_report(mocks, None, unused)]
    found = [p for p in parts if p]
    if not found:
        return ""
    at = f" ({mocks.location})" if mocks.location else ""
    return "\n".join([f"mockbdd: strict mode (@mockbdd:strict){at} found problems:", *found])


def check_strict(mocks: ScenarioMocks) -> None:
    if mocks.strict:
        report = strict_report(mocks)
        if report:
            raise MockAssertionError(report)


def close_scenario(mocks: ScenarioMocks) -> None:
    """Delete the namespace (``default`` stays; it is reset when next used)."""
    if not mocks.shared:
        mocks.handle.close()
