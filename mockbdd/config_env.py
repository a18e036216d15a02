"""Reading :class:`~mockbdd.config.ServerConfig` from ``MOCKBDD_*`` and ``.env`` with
pydantic-settings: a module of its own so that a server started with neither never imports it
(about 1 MiB of an idle server's memory)."""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from mockbdd.config import ENV_PREFIX, ServerConfig

C = TypeVar("C", bound=ServerConfig)


class _TextLists(EnvSettingsSource):
    """A list setting written as plain text (``MOCKBDD_PROXY_ALLOW=https://a,https://b``) is
    passed on as text, for the model to split at commas; pydantic-settings alone reads a list
    variable only as JSON (``["https://a"]``, still accepted)."""

    def prepare_field_value(
        self, field_name: str, field: FieldInfo, value: Any, value_is_complex: bool
    ) -> Any:
        if (
            isinstance(value, str)
            and getattr(field.annotation, "__origin__", None) is tuple
            and not value.lstrip().startswith("[")
        ):
            return value
        return super().prepare_field_value(field_name, field, value, value_is_complex)


class _DotEnvTextLists(_TextLists, DotEnvSettingsSource):
    """The same for ``.env``."""


@cache
def _from_environment(model: type[C]) -> type[C]:
    class FromEnvironment(model, BaseSettings):  # type: ignore[valid-type,misc]
        model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            env, dotenv = _TextLists(settings_cls), _DotEnvTextLists(settings_cls)
            return init_settings, env, dotenv, file_secret_settings

    FromEnvironment.__name__ = FromEnvironment.__qualname__ = model.__name__
    return FromEnvironment


def read_environment(model: type[C], given: dict[str, object]) -> C:
    """``model`` read from ``given`` over the environment over ``.env`` over the defaults."""
    config: C = _from_environment(model)(**given)
    return config
