"""Phrases 50-52 and 55-58 (a WebSocket endpoint's greeting and replies, templated or not, how
long its messages take, and what it received and sent) under
behave (a subprocess) and pytest-bdd (pytester), with the ``websockets`` client as the system
under test."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._suites import ENVIRONMENT, behave, write

pytest_plugins = ["pytester"]

FEATURE = '''\
Feature: a live feed

  Scenario: greeting, replies and what the endpoint received
    Given "feed" sends on connect to /live:
      """
      welcome
      """
    And when "feed" receives a message containing "ping" on /live, it replies:
      """
      pong
      """
    And when "feed" receives a message containing "time" on /live, it replies:
      """
      noon
      """
    When the client sends "ping" and "time" to /live of "feed"
    Then the client heard "welcome, pong, noon"
    And "feed" should have received a message containing "time" on /live

  Scenario: a templated reply to a pattern, what was received counted, and what was sent
    Given "feed" sends on connect to /live:
      """
      hi
      """
    And when "feed" receives a message matching "sub:[a-z]+" on /live, it replies:
      """
      ok {{message.body}}
      """
    And "feed" delays its WebSocket messages on /live by 50 ms
    When the client sends "sub:btc" and "sub:eth" to /live of "feed"
    Then the client heard "hi, ok sub:btc, ok sub:eth"
    And "feed" should have received 2 messages containing "sub:" on /live
    And "feed" should have received 1 message containing "eth" on /live
    And "feed" should have sent a message containing "ok sub:eth" on /live

  Scenario: a message that was never sent
    Given "feed" sends on connect to /live:
      """
      welcome
      """
    When the client sends "ping" and "ping again" to /live of "feed"
    Then "feed" should have received a message containing "subscribe" on /live
'''

TALK = """\
from websockets.sync.client import connect


def talk(base_url, path, *messages):
    heard = []
    with connect(base_url.replace("http://", "ws://") + path) as ws:
        for message in messages:
            ws.send(message)
        while True:
            try:
                heard.append(ws.recv(timeout=0.3))
            except TimeoutError:
                return heard
"""

BEHAVE_STEPS = """\
from behave import then, when
from talk import talk


@when('the client sends "{a}" and "{b}" to {path} of "{service}"')
def sends(context, a, b, path, service):
    context.heard = talk(context.mockbdd.url(service), path, a, b)


@then('the client heard "{text}"')
def heard(context, text):
    assert ", ".join(context.heard) == text, context.heard
"""

PYTEST_BDD_CONFTEST = """\
from pytest_bdd import parsers, then, when
from talk import talk


@when(parsers.parse('the client sends "{a}" and "{b}" to {path} of "{service}"'),
      target_fixture="heard")
def sends(mockbdd, a, b, path, service):
    return talk(mockbdd.url(service), path, a, b)


@then(parsers.parse('the client heard "{text}"'))
def heard_it(heard, text):
    assert ", ".join(heard) == text, heard
"""

FAILURE = (
    '"feed" should have received a message containing "subscribe" on the WebSocket /live '
    "within 0.3 s; it received:"
)
LISTED = ("- 'ping'", "- 'ping again'")


def test_under_behave(tmp_path: Path) -> None:
    write(tmp_path, {
        "environment.py": ENVIRONMENT,
        "steps/mock_steps.py": "from mockbdd.behave.steps import *  # noqa\n",
        "steps/talk_steps.py": BEHAVE_STEPS,
        "talk.py": TALK,
        "features/feed.feature": FEATURE,
    })  # fmt: skip
    done = behave(tmp_path, "-D", "mockbdd.timeout=0.3", env={"PYTHONPATH": str(tmp_path)})
    assert "2 scenarios passed, 1 failed" in done.stdout, done.stdout + done.stderr
    assert FAILURE in done.stdout
    assert all(line in done.stdout for line in LISTED)


def test_under_pytest_bdd(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".ini",
        pytest="[pytest]\naddopts = -p no:cacheprovider -p no:xdist -p no:asyncio\nmockbdd_timeout = 0.3\n",
    )
    pytester.makeconftest(PYTEST_BDD_CONFTEST)
    pytester.makepyfile(talk=TALK)
    (pytester.path / "features").mkdir()
    (pytester.path / "features" / "feed.feature").write_text(FEATURE)
    pytester.makepyfile(test_feed="from pytest_bdd import scenarios\nscenarios('features')\n")
    result = pytester.runpytest_subprocess("-rf")
    result.assert_outcomes(passed=2, failed=1)
    assert FAILURE in result.stdout.str()
    assert all(line in result.stdout.str() for line in LISTED)
