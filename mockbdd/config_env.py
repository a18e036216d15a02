"""Reading :class:`~mockbdd.config.ServerConfig` from ``MOCKBDD_*`` and ``.env`` with
pydantic-settings: a module of its own so that a server started with neither never imports it
(about 1 MiB of an idle server's memory)."""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from pydantic_settings import BaseSettings, SettingsConfigDict

from mockbdd.config import ENV_PREFIX, ServerConfig

C = TypeVar("C", bound=ServerConfig)


@cache
def _from_environment(model: type[C]) -> type[C]:
    class FromEnvironment(model, BaseSettings):  # type: ignore[valid-type,misc]
        model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    FromEnvironment.__name__ = FromEnvironment.__qualname__ = model.__name__
    return FromEnvironment


def read_environment(model: type[C], given: dict[str, object]) -> C:
    """``model`` read from ``given`` over the environment over ``.env`` over the defaults."""
    config: C = _from_environment(model)(**given)
    return config
