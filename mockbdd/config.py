"""Server settings, declared once: ``mockbdd serve``'s flags, the ``MOCKBDD_*`` environment
variables, ``.env`` and ``MockServer(**settings)`` are all derived from :class:`ServerConfig`.

Adding a setting is one field here: its description is the flag's help, its default the
default everywhere, its name gives ``--the-name`` and ``MOCKBDD_THE_NAME``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from mockbdd.domain.journal import DEFAULT_JOURNAL_BODY_BYTES, DEFAULT_JOURNAL_MAX

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
ENV_PREFIX = "MOCKBDD_"


@dataclass(frozen=True)
class Cli:
    """How a setting shows on the command line, beyond what its type says."""

    metavar: str | None = None


class ServerConfig(BaseSettings):
    """What a mock server is started with. ``mockbdd serve`` also reads ``MOCKBDD_*`` and
    ``.env``; an embedded server (:meth:`embedded`) takes only its arguments."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    host: str = Field("127.0.0.1", description="address to bind")
    port: int = Field(8080, ge=0, le=65535, description="port to listen on; 0 = any free port")
    mappings: Annotated[Path | None, Cli(metavar="DIR")] = Field(
        None, description="folder of WireMock mapping files (*.json, *.yaml)"
    )
    files: Annotated[Path | None, Cli(metavar="DIR")] = Field(
        None, description="root folder for bodyFileName"
    )
    tag_maps: Annotated[Path | None, Cli(metavar="DIR")] = Field(
        None, description="folder of tag maps (tag_maps/*.yaml)"
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
        description="origin proxyBaseUrl stubs may reach, e.g. https://api.example.com "
        "(repeatable); without it any origin a stub names",
    )
    namespace_reap_seconds: Annotated[float, Cli(metavar="SECONDS")] = Field(
        1.0, gt=0, description="how often namespaces past their TTL are deleted"
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
            return _ArgumentsOnly(**values)
        except ValidationError as exc:
            raise ValueError("mockbdd: " + describe_errors(exc, lambda name: name)) from None

    def check_exposure(self) -> None:
        """Refuse a non-loopback bind without an admin token."""
        if self.host not in LOOPBACK_HOSTS and not self.admin_token:
            raise ValueError(
                f"refusing to bind {self.host}: anyone who can reach it could reconfigure the mock "
                "server. Set --admin-token (or MOCKBDD_ADMIN_TOKEN), or bind 127.0.0.1."
            )


class _ArgumentsOnly(ServerConfig):
    """A ServerConfig read from its arguments alone (no environment, no ``.env``)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def flag(name: str) -> str:
    """The command-line flag of a setting: ``journal_max`` -> ``--journal-max``."""
    return "--" + name.replace("_", "-")


def env_var(name: str) -> str:
    """The environment variable of a setting: ``journal_max`` -> ``MOCKBDD_JOURNAL_MAX``."""
    return ENV_PREFIX + name.upper()


def _unknown_message(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"mockbdd: no server setting named {name!r}{hint} (settings: {', '.join(known)})"


def describe_errors(exc: ValidationError, label: Callable[[str], str]) -> str:
    """A ValidationError of ServerConfig in mockbdd's words, one line per bad setting;
    ``label(field_name)`` says how the setting was given (``--port``, ``port``)."""
    lines = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        message = str(error["msg"])
        message = message[:1].lower() + message[1:]
        given = error["input"]
        shown = given if isinstance(given, str) and given.strip() else repr(given)
        lines.append(f"{label(name)}: {message} (got {shown})")
    return "; ".join(lines)
