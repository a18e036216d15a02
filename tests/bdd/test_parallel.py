"""Isolation under parallel runs, and exact sequences under concurrent clients."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from mockbdd.bdd import steps_impl as impl
from mockbdd.bdd.scenario_mocks import ScenarioMocks
from mockbdd.client import Client
from mockbdd.client.namespace import NamespaceHandle

from ._suites import ROOT, TAG_MAPS

CLIENTS = 100


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "MOCKBDD_"))}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def standalone() -> Iterator[str]:
    """``mockbdd serve --port 0`` in a subprocess; yields its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockbdd", "serve", "--port", "0"],
        cwd=ROOT,
        env=_clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "serving on " in line, line + (proc.stderr.read() if proc.stderr else "")
        yield line.split("serving on ", 1)[1].split()[0]
    finally:
        proc.terminate()  # a scenario's "times out" response may still be pending: don't wait
        try:
            proc.communicate(timeout=1)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def test_pytest_bdd_suite_under_xdist() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/bdd/test_features_pytest_bdd.py", "-n", "2", "-q"],
        cwd=ROOT,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout
    assert "failed" not in done.stdout


def test_four_behave_processes_share_one_server_without_cross_talk(standalone: str) -> None:
    """Every scenario asserts exact counts on its own namespace; any request seen by another
    namespace would fail one. ``@mockbdd:shared`` scenarios use ``default`` and are, by
    definition, not for parallel runs."""
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "behave",
                "features/",
                "--no-color",
                "--format",
                "progress",
                "--tags",
                "not @mockbdd:shared",
                "-D",
                f"worker_id=w{i}",
            ],
            cwd=ROOT,
            env=_clean_env(MOCKBDD_URL=standalone),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(4)
    ]
    outputs = [proc.communicate(timeout=120)[0] for proc in runs]
    for proc, out in zip(runs, outputs, strict=True):
        assert proc.returncode == 0, out
        assert " 0 failed" in out, out
    with Client(standalone) as client:
        names = [ns["name"] for ns in client.namespaces()]
        assert names == ["default"], names  # every scenario's namespace was closed
        assert client.requests() == []  # nothing leaked into the default namespace


def _fire(url: str, method: str = "POST") -> list[int]:
    """One request from each of 100 threads, released together, each on its own connection."""
    barrier = threading.Barrier(CLIENTS)
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    with httpx.Client(limits=limits, timeout=10) as http:

        def one(_: int) -> int:
            barrier.wait()
            return http.request(method, url).status_code

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            return list(pool.map(one, range(CLIENTS)))


def test_a_responses_sequence_is_exact_under_100_concurrent_clients(
    mockbdd: NamespaceHandle,
) -> None:
    mockbdd.stub(
        {
            "request": {"method": "POST", "urlPath": "/v1/charges"},
            "responses": [
                {"status": 200, "times": 50},
                {"status": 503, "times": 30},
                {"status": 201},
            ],
        },
        service="payments",
    )
    statuses = collections.Counter(_fire(mockbdd.url("payments") + "/v1/charges"))
    assert statuses == {200: 50, 503: 30, 201: 20}
    mockbdd.verify(CLIENTS, "POST", "/v1/charges", service="payments")


def test_the_times_phrase_is_exact_under_100_concurrent_clients(
    mockbdd_scenario: ScenarioMocks,
) -> None:
    impl.respond_times_then(mockbdd_scenario, "payments", "POST", "/v1/charges", 503, 37, 201)
    statuses = collections.Counter(_fire(mockbdd_scenario.handle.url("payments") + "/v1/charges"))
    assert statuses == {503: 37, 201: CLIENTS - 37}
    impl.received_count(mockbdd_scenario, "payments", CLIENTS, "POST", "/v1/charges")


CROSS_TALK_FEATURE = """\
Feature: the same scenarios on two xdist workers, one standalone server

  @mock:checkout_failure
  Scenario Outline: each namespace sees only its own requests (<n>)
    When I send POST /v1/charges to "payments" <n> times
    Then the first reply was 503 and the others 201
    And "payments" should have received <n> POST requests to /v1/charges
    And "payments" should not have received unexpected requests
    And the namespace lives on the standalone server

    Examples:
      | n |
      | 2 |
      | 3 |
      | 5 |
      | 8 |
"""

CROSS_TALK_CONFTEST = """\
import os
import time

import httpx
from pytest_bdd import parsers, then, when


@when(parsers.parse('I send POST /v1/charges to "payments" {n:d} times'), target_fixture="codes")
def send(mockbdd, n):
    codes = []
    for _ in range(n):
        codes.append(httpx.post(mockbdd.url("payments") + "/v1/charges").status_code)
        time.sleep(0.02)  # keep both workers busy at once
    return codes


@then("the first reply was 503 and the others 201")
def statuses(codes):
    assert codes == [503] + [201] * (len(codes) - 1), codes


@then("the namespace lives on the standalone server")
def standalone(mockbdd):
    assert mockbdd.base_url.startswith(os.environ["MOCKBDD_URL"] + "/__ns/gw"), mockbdd.base_url
"""


def test_two_xdist_workers_share_one_standalone_server_without_cross_talk(
    standalone: str, tmp_path: Path
) -> None:
    """Both workers run the same scenarios (two modules collect them) against one server; each
    asserts exact counts and its sequence's exact order on its own namespace."""
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\naddopts = --strict-markers -p no:cacheprovider\nmockbdd_tag_maps = maps\n"
    )
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "maps.yaml").write_text(TAG_MAPS)
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "cross_talk.feature").write_text(CROSS_TALK_FEATURE)
    (tmp_path / "conftest.py").write_text(CROSS_TALK_CONFTEST)
    for module in ("test_first.py", "test_second.py"):
        (tmp_path / module).write_text("from pytest_bdd import scenarios\nscenarios('features')\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-v"],
        cwd=tmp_path,
        env=_clean_env(MOCKBDD_URL=standalone),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "8 passed" in out, out
    for worker in ("[gw0] ", "[gw1] "):  # both workers ran scenarios
        assert worker in out, out
    with Client(standalone) as client:
        assert [ns["name"] for ns in client.namespaces()] == ["default"]
        assert client.requests() == []
