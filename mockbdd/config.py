"""Server settings: CLI flags, ``MOCKBDD_*`` environment variables and ``.env`` (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from mockbdd.domain.journal import DEFAULT_JOURNAL_BODY_BYTES

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ServerConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOCKBDD_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    mappings: Path | None = None
    files: Path | None = None
    tag_maps: Path | None = None
    admin_token: str | None = None
    journal_max: int = Field(10_000, ge=0)
    # request-body bytes the journal keeps per namespace; the oldest entries go first
    journal_max_bytes: int = Field(DEFAULT_JOURNAL_BODY_BYTES, ge=0)
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=0)
    seed: int | None = None
    # origins a stub's proxyBaseUrl may reach ("http://host:port"); empty = any origin
    proxy_allow: tuple[str, ...] = ()
    namespace_reap_seconds: float = Field(1.0, gt=0)

    def check_exposure(self) -> None:
        """Refuse a non-loopback bind without an admin token."""
        if self.host not in LOOPBACK_HOSTS and not self.admin_token:
            raise ValueError(
                f"refusing to bind {self.host}: anyone who can reach it could reconfigure the mock "
                "server. Set --admin-token (or MOCKBDD_ADMIN_TOKEN), or bind 127.0.0.1."
            )
