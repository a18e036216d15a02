"""Phrases 45-49 and the tag-map shorthand ``openaiChat``, under behave (a subprocess) and
pytest-bdd (pytester), with the official ``openai`` client as the system under test."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._suites import ENVIRONMENT, behave, write

pytest_plugins = ["pytester"]

TAG_MAPS = """\
version: 1
maps:
  assistant:
    services:
      openai:
        - request: {method: POST, path: /v1/chat/completions}
          response: {openaiChat: {content: "From the tag map.", model: map-model}}
"""

FEATURE = '''\
Feature: an LLM-backed service

  Scenario: topics, a general answer and assertions on the conversation
    Given "openai" answers chat completions about "weather" with:
      """
      Sunny, 21 degrees.
      """
    And "openai" answers chat completions with:
      """
      I can only talk about the weather.
      """
    When I ask "openai" "What is the weather in Paris?"
    Then the answer is "Sunny, 21 degrees."
    When I ask "openai" "Tell me a joke"
    Then the answer is "I can only talk about the weather."
    And "openai" should have been asked a chat completion whose last message contains "Paris"
    And "openai" should have been offered the tool "get_weather"

  Scenario: a tool call
    Given "openai" answers chat completions by calling the tool "get_weather" with:
      """
      {"city": "Paris"}
      """
    When I ask "openai" "What is the weather in Paris?"
    Then the tool "get_weather" is called with city "Paris"

  @mock:assistant
  Scenario: the tag map's shorthand
    When I ask "openai" "hello"
    Then the answer is "From the tag map."

  Scenario: a conversation that did not happen
    Given "openai" answers chat completions with:
      """
      Ha.
      """
    When I ask "openai" "Tell me a joke"
    Then "openai" should have been asked a chat completion whose last message contains "weather"
'''

ASK = """\
import json
import openai

TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]


def ask(base_url, question):
    client = openai.OpenAI(base_url=base_url + "/v1", api_key="unused", max_retries=0)
    return client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": question}], tools=TOOLS
    ).choices[0].message


def check_tool(message, name, city):
    call = message.tool_calls[0]
    assert call.function.name == name, call
    assert json.loads(call.function.arguments) == {"city": city}, call
"""

BEHAVE_STEPS = """\
from behave import then, when
from ask import ask, check_tool


@when('I ask "{service}" "{question}"')
def asked(context, service, question):
    context.message = ask(context.mockbdd.url(service), question)


@then('the answer is "{text}"')
def answer_is(context, text):
    assert context.message.content == text, context.message


@then('the tool "{name}" is called with city "{city}"')
def tool_called(context, name, city):
    check_tool(context.message, name, city)
"""

PYTEST_BDD_CONFTEST = """\
from pytest_bdd import parsers, then, when
from ask import ask, check_tool


@when(parsers.parse('I ask "{service}" "{question}"'), target_fixture="message")
def asked(mockbdd, service, question):
    return ask(mockbdd.url(service), question)


@then(parsers.parse('the answer is "{text}"'))
def answer_is(message, text):
    assert message.content == text, message


@then(parsers.parse('the tool "{name}" is called with city "{city}"'))
def tool_called(message, name, city):
    check_tool(message, name, city)
"""

FAILURE = (
    '"openai" should have received a POST request to /v1/chat/completions whose last message '
    'contains "weather", but no request matched'
)


def test_under_behave(tmp_path: Path) -> None:
    write(tmp_path, {
        "environment.py": ENVIRONMENT,
        "steps/mock_steps.py": "from mockbdd.behave.steps import *  # noqa\n",
        "steps/ask_steps.py": BEHAVE_STEPS,
        "ask.py": ASK,
        "tag_maps/maps.yaml": TAG_MAPS,
        "features/llm.feature": FEATURE,
    })  # fmt: skip
    done = behave(tmp_path, "-D", "mockbdd.timeout=0.3", env={"PYTHONPATH": str(tmp_path)})
    assert "3 scenarios passed, 1 failed" in done.stdout, done.stdout + done.stderr
    assert FAILURE in done.stdout
    assert "Tell me a joke" in done.stdout  # the report lists what was received


def test_under_pytest_bdd(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".ini",
        pytest=(
            "[pytest]\naddopts = -p no:cacheprovider -p no:xdist -p no:asyncio\n"
            "mockbdd_tag_maps = maps\nmockbdd_timeout = 0.3\n"
        ),
    )
    pytester.makeconftest(PYTEST_BDD_CONFTEST)
    pytester.makepyfile(ask=ASK)
    (pytester.path / "maps").mkdir()
    (pytester.path / "maps" / "maps.yaml").write_text(TAG_MAPS)
    (pytester.path / "features").mkdir()
    (pytester.path / "features" / "llm.feature").write_text(FEATURE)
    pytester.makepyfile(test_llm="from pytest_bdd import scenarios\nscenarios('features')\n")
    result = pytester.runpytest_subprocess("-rf")
    result.assert_outcomes(passed=3, failed=1)
    assert FAILURE in result.stdout.str()
