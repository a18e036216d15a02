"""Phrases 63-64 (a callback after an answer, and its delivery) under behave (a subprocess) and
pytest-bdd (pytester). The system under test's callback endpoint is a real HTTP server in this
process: the mock server inside the runner calls it back over a socket."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ._suites import ENVIRONMENT, SEND_STEPS, behave, write

pytest_plugins = ["pytester"]


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.bodies: list[tuple[str, str, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/payments"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        self.server.bodies.append((self.path, self.headers.get("Content-Type") or "", body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


def feature(url: str, dead: str) -> str:
    return f'''\
Feature: the payment provider calls the shop back

  Scenario: a charge is confirmed by a callback
    Given "payments" responds to POST /v1/charges with status 202
    And after answering, "payments" calls back {url} with:
      """
      {{"charge": "ch_1", "status": "succeeded"}}
      """
    When I send POST /v1/charges to "payments"
    Then the reply status is 202
    And "payments" should have called back {url}

  Scenario: the shop's callback endpoint is down
    Given "payments" responds to POST /v1/charges with status 202
    And after answering, "payments" calls back {dead} with:
      """
      succeeded
      """
    When I send POST /v1/charges to "payments"
    Then "payments" should have called back {dead}

  Scenario: a callback with no answer to follow
    Given after answering, "payments" calls back {url} with:
      """
      {{}}
      """
'''


DOWN = '"payments" did not get a 2xx answer calling back {dead} within 0.5 s; its callbacks'
NO_STUB = 'write a step that stubs an answer of "payments" first'


def check_received(receiver: Receiver) -> None:
    assert len(receiver.bodies) == 1, receiver.bodies
    path, content_type, body = receiver.bodies[0]
    assert (path, content_type) == ("/hooks/payments", "application/json")
    assert json.loads(body) == {"charge": "ch_1", "status": "succeeded"}


def test_under_behave(tmp_path: Path, receiver: Receiver) -> None:
    dead = dead_url()
    write(tmp_path, {
        "environment.py": ENVIRONMENT,
        "steps/mock_steps.py": "from mockbdd.behave.steps import *  # noqa\n",
        "steps/send_steps.py": SEND_STEPS,
        "features/callbacks.feature": feature(receiver.url, dead),
    })  # fmt: skip
    done = behave(tmp_path, "-D", "mockbdd.timeout=0.5")
    out = done.stdout + done.stderr
    assert "1 scenario passed, 2 failed" in done.stdout, out
    assert DOWN.format(dead=dead) in out
    assert "failed: Failed to fire webhook POST" in out
    assert NO_STUB in out
    check_received(receiver)


PYTEST_BDD_CONFTEST = """\
import httpx
from pytest_bdd import parsers, then, when


@when(parsers.parse('I send {method} {path} to "{service}"'), target_fixture="reply")
def send(mockbdd, method, path, service):
    return httpx.request(method, mockbdd.url(service) + path, json={"amount": 99})


@then(parsers.parse("the reply status is {status:d}"))
def reply_status(reply, status):
    assert reply.status_code == status, reply
"""


def test_under_pytest_bdd(pytester: pytest.Pytester, receiver: Receiver) -> None:
    dead = dead_url()
    pytester.makefile(
        ".ini",
        pytest="[pytest]\naddopts = -p no:cacheprovider -p no:xdist -p no:asyncio\nmockbdd_timeout = 0.5\n",
    )
    pytester.makeconftest(PYTEST_BDD_CONFTEST)
    (pytester.path / "features").mkdir()
    (pytester.path / "features" / "callbacks.feature").write_text(feature(receiver.url, dead))
    pytester.makepyfile(test_callbacks="from pytest_bdd import scenarios\nscenarios('features')\n")
    result = pytester.runpytest_subprocess("-rf")
    result.assert_outcomes(passed=1, failed=2)
    out = result.stdout.str()
    assert DOWN.format(dead=dead) in out
    assert NO_STUB in out
    check_received(receiver)
