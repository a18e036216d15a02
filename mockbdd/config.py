"""Server settings, declared once: ``mockbdd serve``'s flags, the ``MOCKBDD_*`` environment
variables, ``.env`` and ``MockServer(**settings)`` are all derived from :class:`ServerConfig`.
``ServerConfig(...)`` takes its arguments only; :meth:`ServerConfig.from_environment` (what
``mockbdd serve`` uses) also reads the environment, through pydantic-settings, which is imported
only when a ``MOCKBDD_*`` variable or a ``.env`` file is there to read.

Adding a setting is one field here: its description is the flag's help, its default the
default everywhere, its name gives ``--the-name`` and ``MOCKBDD_THE_NAME``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mockbdd.domain.journal import DEFAULT_JOURNAL_BODY_BYTES, DEFAULT_JOURNAL_MAX

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
ENV_PREFIX = "MOCKBDD_"


@dataclass(frozen=True)
class Cli:
    """How a setting shows on the command line, beyond what its type says."""

    metavar: str | None = None


class ServerConfig(BaseModel):
    """What a mock server is started with: its arguments, then the defaults.
    :meth:`from_environment` (``mockbdd serve``) also reads ``MOCKBDD_*`` and ``.env``; an
    embedded server (:meth:`embedded`) takes only its arguments."""

    model_config = ConfigDict(extra="ignore")

    host: str = Field("127.0.0.1", description="address to bind")
    port: int = Field(8080, ge=0, le=65535, description="port to listen on; 0 = any free port")
    mappings: Annotated[Path | None, Cli(metavar="DIR")] = Field(
        None, description="folder of WireMock mapping files (*.json, *.yaml)"
    )
    files: Annotated[Path | None, Cli(metavar="DIR")] = Field(
        None, description="root folder for bodyFileName"
    )
    root_dir: Annotated[Path | None, Cli(metavar="DIR")] = Field(
        None,
        description="WireMock's --root-dir: mapping files in DIR/mappings and body files in "
        "DIR/__files (--mappings and --files win)",
    )
    tag_maps: Annotated[Path | None, Cli(metavar="DIR")] = Field(
        None,
        description="folder of tag maps (*.yaml) the admin API applies by name "
        "(/__admin/tag-maps/NAME/apply, namespaces opened with tagMaps); none unless given",
    )
    admin_token: Annotated[str | None, Cli(metavar="TOKEN")] = Field(
        None, description="require 'Authorization: Bearer TOKEN' on /__admin"
    )
    journal_max: Annotated[int, Cli(metavar="N")] = Field(
        DEFAULT_JOURNAL_MAX, ge=0, description="journal entries kept per namespace; 0 = off"
    )
    journal_max_bytes: Annotated[int, Cli(metavar="BYTES")] = Field(
        DEFAULT_JOURNAL_BODY_BYTES,
        ge=0,
        description="request-body bytes the journal keeps per namespace; "
        "the oldest entries are evicted first",
    )
    max_body_bytes: Annotated[int, Cli(metavar="BYTES")] = Field(
        10 * 1024 * 1024, ge=0, description="request bodies are cut off at this size"
    )
    seed: Annotated[int | None, Cli(metavar="N")] = Field(
        None, description="seed for delays and chaos (deterministic runs)"
    )
    proxy_allow: Annotated[tuple[str, ...], Cli(metavar="ORIGIN")] = Field(
        (),
        description="origin proxyBaseUrl stubs and webhooks may reach, e.g. "
        "https://api.example.com (repeatable; in the environment, separated by commas); "
        "without it: any origin on loopback, and only the origins the mapping files name when "
        "bound beyond it",
    )
    namespace_reap_seconds: Annotated[float, Cli(metavar="SECONDS")] = Field(
        1.0, gt=0, description="how often namespaces past their TTL are deleted"
    )
    metrics: bool = Field(
        True,
        description="count every answer for /__admin/metrics (Prometheus) and "
        "/__admin/metrics.json; --no-metrics leaves the data plane unobserved",
    )
    statsd: Annotated[str | None, Cli(metavar="HOST:PORT")] = Field(
        None,
        description="push counters and timings to this StatsD address over UDP "
        "(never waits for it; needs metrics on)",
    )
    event_history: Annotated[int, Cli(metavar="N")] = Field(
        10_000,  # mockbdd.admin.events.DEFAULT_HISTORY (not imported: config loads light)
        ge=0,
        description="events kept for /__admin/events?since=SEQ (resuming a stream); "
        "0 = no event stream",
    )
    event_buffer: Annotated[int, Cli(metavar="N")] = Field(
        1_000,  # mockbdd.admin.events.DEFAULT_BUFFER
        ge=1,
        description="events a /__admin/events listener may fall behind before it is "
        "closed (it resumes with ?since=)",
    )
    pressure_max_memory_mb: Annotated[int, Cli(metavar="MB")] = Field(
        512,
        ge=0,
        le=1 << 20,
        description="most memory POST /__admin/pressure may hold, all namespaces together",
    )
    pressure_max_cpu_percent: Annotated[int, Cli(metavar="PERCENT")] = Field(
        100,
        ge=0,
        le=6400,
        description="most CPU POST /__admin/pressure may burn, all namespaces together "
        "(100 = one core)",
    )
    otel: bool = Field(
        False,
        description="a server span per request, continuing its traceparent, exported over "
        "OTLP as the OTEL_* variables say (needs mockbdd[otel])",
    )
    templates: Annotated[Path | None, Cli(metavar="DIR")] = Field(
        None,
        description="folder of Jinja template files (*.j2) answering what no stub matches, "
        "mockstack-style: /svc/user/7 tries svc-user.7.j2, svc-user.j2, index.j2",
    )
    global_response_templating: bool = Field(
        False,
        description="render every stub's body and headers as a WireMock response template, "
        "as if each named WireMock's templating transformer",
    )
    prepared: bool = Field(
        True,
        description="write static answers as pre-serialised bytes (the fast path); "
        "--no-prepared sends every answer through aiohttp's web.Response",
    )

    @property
    def mappings_dir(self) -> Path | None:
        """The mapping folder: ``--mappings``, else ``--root-dir``/mappings."""
        if self.mappings is not None or self.root_dir is None:
            return self.mappings
        return self.root_dir / "mappings"

    @property
    def files_dir(self) -> Path | None:
        """The body-file folder: ``--files``, else ``--root-dir``/__files."""
        if self.files is not None or self.root_dir is None:
            return self.files
        return self.root_dir / "__files"

    @field_validator("proxy_allow", mode="before")
    @classmethod
    def _origins_as_text(cls, value: object) -> object:
        """Text is origins separated by commas (``MOCKBDD_PROXY_ALLOW=https://a,https://b``)."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("proxy_allow")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            check_origin(origin)
        return value

    @field_validator("statsd")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is not None:
            statsd_address(value)
        return value

    @classmethod
    def from_environment(cls, **given: object) -> ServerConfig:
        """``given`` (``mockbdd serve``'s flags) over the ``MOCKBDD_*`` variables (any case)
        over ``.env`` (in the working directory) over the defaults. Raises ValidationError."""
        if not _environment_speaks():
            return cls(**given)
        from mockbdd.config_env import read_environment

        return read_environment(cls, given)

    @classmethod
    def embedded(cls, **settings: object) -> ServerConfig:
        """The settings of an embedded server: port 0 unless given, everything else from
        ``settings`` or the defaults, never from the environment (a test run must not depend
        on the shell it starts in). An unknown name raises ``TypeError``; a bad value raises
        ``ValueError`` naming the setting."""
        unknown = [name for name in settings if name not in cls.model_fields]
        if unknown:
            raise TypeError(_unknown_message(unknown[0], sorted(cls.model_fields)))
        try:
            values: dict[str, Any] = {"port": 0, **settings}
            return cls(**values)
        except ValidationError as exc:
            raise ValueError("mockbdd: " + describe_errors(exc, lambda name: name)) from None

    def check_exposure(self) -> None:
        """Refuse a non-loopback bind without an admin token."""
        if self.host not in LOOPBACK_HOSTS and not self.admin_token:
            raise ValueError(
                f"refusing to bind {self.host}: anyone who can reach it could reconfigure the mock "
                "server. Set --admin-token (or MOCKBDD_ADMIN_TOKEN), or bind 127.0.0.1."
            )


def _environment_speaks() -> bool:
    """Whether there is anything for :meth:`ServerConfig.from_environment` to read."""
    prefix = ENV_PREFIX.lower()
    return any(key.lower().startswith(prefix) for key in os.environ) or os.path.isfile(".env")


def statsd_address(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8125`` for IPv6) as (host, port); ValueError saying what is wrong."""
    host, sep, port = value.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("must be HOST:PORT with a port in 1..65535, e.g. 127.0.0.1:8125")
    return host, int(port)


def check_origin(value: str) -> None:
    """A ``--proxy-allow`` origin: ``http(s)://host`` with an optional port (a path is
    ignored); ValueError saying what is wrong (a bare host would silently allow nothing)."""
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            "must be origins such as https://api.example.com or http://127.0.0.1:9000 "
            f"(scheme, host, optional port; several separated by commas), got {value!r}"
        )


def flag(name: str) -> str:
    """The command-line flag of a setting: ``journal_max`` -> ``--journal-max``."""
    return "--" + name.replace("_", "-")


def env_var(name: str) -> str:
    """The environment variable of a setting: ``journal_max`` -> ``MOCKBDD_JOURNAL_MAX``."""
    return ENV_PREFIX + name.upper()


def _unknown_message(name: str, known: list[str]) -> str:
    import difflib  # only when a close name is wanted (idle RSS)

    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"mockbdd: no server setting named {name!r}{hint} (settings: {', '.join(known)})"


def describe_errors(exc: ValidationError, label: Callable[[str], str]) -> str:
    """A ValidationError of ServerConfig in mockbdd's words, one part per bad setting;
    ``label(field_name)`` says how the setting was given (``--port``, ``port``). The reasons
    are :func:`mockbdd.wire.errors.reason_of`'s, the same the admin API and tag maps give."""
    from mockbdd.wire.errors import reason_of  # only when a setting is wrong

    found: dict[str, list[Any]] = {}
    for error in exc.errors(include_url=False):
        name = str(error["loc"][0]) if error["loc"] else ""
        found.setdefault(name, []).append(error)
    return "; ".join(
        f"{label(name)}: {reason_of(errs, ServerConfig)}" for name, errs in found.items()
    )
