"""ServerConfig is the one declaration of the server's settings: the ``mockbdd serve`` flags and
``MockServer(**settings)`` are derived from its fields."""

from __future__ import annotations

import argparse
import contextlib
import io
from pathlib import Path

import pytest
from pydantic import Field

from mockbdd.cli import add_settings, build_parser
from mockbdd.config import ServerConfig, env_var, flag
from mockbdd.server.embedded import MockServer


def serve_help() -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    return " ".join(out.getvalue().split())  # unwrapped


@pytest.mark.parametrize("name", sorted(ServerConfig.model_fields))
def test_every_setting_is_a_flag_with_its_description_and_env_var(name: str) -> None:
    field = ServerConfig.model_fields[name]
    text = serve_help()
    assert flag(name) in text
    assert field.description is not None
    assert " ".join(field.description.split()) in text
    assert env_var(name) in text


def test_defaults_are_shown_from_the_model() -> None:
    text = serve_help()
    assert "(default 8080; env MOCKBDD_PORT)" in text
    assert "(default 10000; env MOCKBDD_JOURNAL_MAX)" in text
    assert "(default 64 MiB; env MOCKBDD_JOURNAL_MAX_BYTES)" in text
    assert "(default 10 MiB; env MOCKBDD_MAX_BODY_BYTES)" in text
    assert "--prepared, --no-prepared" in text


def parse(*argv: str) -> dict[str, object]:
    args = build_parser().parse_args(["serve", *argv])
    return {k: v for k, v in vars(args).items() if k in ServerConfig.model_fields}


def test_flags_given_become_settings_and_the_rest_stay_unset() -> None:
    given = parse(
        "--journal-max", "5", "--proxy-allow", "http://a:1", "--proxy-allow", "http://b:2",
        "--no-prepared", "--tag-maps", "maps",
    )  # fmt: skip
    assert set(given) == {"journal_max", "proxy_allow", "prepared", "tag_maps"}
    config = ServerConfig(**given)  # type: ignore[arg-type]
    assert config.journal_max == 5
    assert config.proxy_allow == ("http://a:1", "http://b:2")
    assert config.prepared is False
    assert config.tag_maps == Path("maps")


def test_a_new_field_is_a_new_flag() -> None:
    class WithMetrics(ServerConfig):
        metrics_port: int | None = Field(None, ge=1, description="serve /metrics on this port")

    parser = argparse.ArgumentParser()
    add_settings(parser, WithMetrics)
    assert parser.parse_args(["--metrics-port", "9100"]).metrics_port == "9100"
    text = " ".join(parser.format_help().split())
    assert "serve /metrics on this port (env MOCKBDD_METRICS_PORT)" in text


def test_embedded_settings_take_the_defaults_and_port_zero() -> None:
    config = MockServer(journal_max=5, tag_maps="maps").config
    assert (config.port, config.journal_max, config.tag_maps) == (0, 5, Path("maps"))
    defaults = ServerConfig()
    assert config.max_body_bytes == defaults.max_body_bytes
    assert config.journal_max_bytes == defaults.journal_max_bytes
    assert config.prepared is True


def test_embedded_settings_ignore_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKBDD_JOURNAL_MAX", "1")
    monkeypatch.setenv("MOCKBDD_PORT", "8080")
    assert ServerConfig.from_environment().journal_max == 1  # mockbdd serve reads it
    assert ServerConfig().journal_max == 10_000  # the model alone takes its arguments
    config = MockServer().config
    assert (config.journal_max, config.port) == (10_000, 0)


def test_an_unknown_setting_is_named_with_the_closest_one() -> None:
    with pytest.raises(TypeError) as info:
        MockServer(jounral_max=5)
    assert str(info.value).startswith(
        "mockbdd: no server setting named 'jounral_max'; did you mean 'journal_max'?"
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"journal_max": -1}, "journal_max: must be at least 0, got -1"),
        ({"port": 70000}, "port: must be at most 65535, got 70000"),
        ({"port": "abc"}, "port: must be a whole number, got 'abc'"),
        ({"namespace_reap_seconds": 0}, "namespace_reap_seconds: must be greater than 0, got 0"),
        (
            {"proxy_allow": ("https://a.example", "b.example")},
            "proxy_allow: must be origins such as https://api.example.com or "
            "http://127.0.0.1:9000 (scheme, host, optional port; several separated by commas), "
            "got 'b.example'",
        ),
    ],
)
def test_a_bad_value_names_the_setting(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as info:
        MockServer(**settings)
    assert str(info.value).startswith("mockbdd: " + message)


def test_config_and_settings_together_are_refused() -> None:
    with pytest.raises(TypeError, match="config= or settings"):
        MockServer(config=ServerConfig(), port=0)
