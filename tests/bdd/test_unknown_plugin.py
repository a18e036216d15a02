"""Issue 11, bad input: a tag map naming a service plugin that is not installed is refused
where the map is loaded or checked (mockbdd lint, mockbdd serve --tag-maps, a behave
scenario), at the map's file and line, naming the installed plugins and the closest one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mockbdd.domain.service_plugins import SERVICE_PLUGINS
from mockbdd.wire.builtins import installed_extensions

from ._suites import behave, behave_suite, free_port, run, write

MAPS = """\
version: 1
maps:
  market:
    services:
      market:
        plugin: binanse_spot
        config: {}
"""
FEATURE = """\
Feature: market

  @mock:market
  Scenario: klines
    When I send GET /api/v3/ping to "market"
"""
INSTALLED = ", ".join(installed_extensions().names(SERVICE_PLUGINS))  # binance_spot, ...
REASON = (
    f"service 'market': must be one of the registered service plugins ({INSTALLED}), got "
    "'binanse_spot'; did you mean 'binance_spot'? (map 'market')"
)
NO_ENV = {"MOCKBDD_TAG_MAPS": ""}


def test_lint_names_the_installed_plugins(tmp_path: Path) -> None:
    write(tmp_path, {"tag_maps/m.yaml": MAPS, "features/f.feature": FEATURE})
    done = run(["-m", "mockbdd", "lint", "features"], tmp_path, env=NO_ENV)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        f"tag_maps/m.yaml:6:9: MBD007 {REASON}",
        "mockbdd lint: 1 error, 0 warnings in 1 feature file",
    ]


def test_lint_accepts_an_installed_plugin(tmp_path: Path) -> None:
    maps = MAPS.replace("binanse_spot", "binance_spot")
    write(tmp_path, {"tag_maps/m.yaml": maps, "features/f.feature": FEATURE})
    done = run(["-m", "mockbdd", "lint", "features"], tmp_path, env=NO_ENV)
    assert (done.returncode, done.stdout) == (0, "mockbdd lint: no problems in 1 feature file\n")


def test_a_behave_scenario_applying_the_map_fails_with_the_reason(tmp_path: Path) -> None:
    suite = behave_suite(tmp_path, {"market.feature": FEATURE})
    write(suite, {"tag_maps/maps.yaml": MAPS})
    done = behave(suite, "features/", env=NO_ENV)
    assert done.returncode == 1
    assert f"TagMapError: tag_maps/maps.yaml:6: {REASON}" in done.stdout, done.stdout
    assert "/mounts/market/plugin" not in done.stdout  # refused before the server is asked


def test_serve_refuses_to_start_with_the_map(tmp_path: Path) -> None:
    write(tmp_path, {"tag_maps/m.yaml": MAPS})
    serve = ["serve", "--port", str(free_port()), "--tag-maps", "tag_maps"]
    done = subprocess.run(
        [sys.executable, "-m", "mockbdd", *serve],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("MOCKBDD_")},
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr == f"mockbdd serve: tag_maps/m.yaml:6: {REASON}\n"
