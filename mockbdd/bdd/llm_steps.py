"""Phrases 45-49: an OpenAI-compatible chat service in one line, and assertions on what the
conversation sent (the last message, the tools offered). The stubs are ``openai-chat`` stubs on
``POST /v1/chat/completions`` of the service, so the official client pointed at
``ns.url(service) + "/v1"`` gets ordinary completions (streamed when it asks)."""

from __future__ import annotations

import re
from typing import Any

from mockbdd.bdd.received import Expectation
from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepUsageError, parse_json_text
from mockbdd.bdd.step_checks import received_matching
from mockbdd.bdd.steps_impl import step_stub

CHAT_PATH = "/v1/chat/completions"
ANTHROPIC = ("anthropic-messages", "/v1/messages")  # Anthropic's Messages API
# a topic or tool answer outranks the general one whatever the order they were written in;
# both outrank every tag-map stub (priority 5)
GENERAL_PRIORITY = 2
TOPIC_PRIORITY = 1
LAST_MESSAGE = "$.messages[-1].content"
TOOL_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")  # OpenAI's rule for function names


def _chat_stub(
    service: str,
    parameters: dict[str, Any],
    priority: int,
    patterns: list[dict[str, Any]],
    api: tuple[str, str] = ("openai-chat", CHAT_PATH),
) -> dict[str, Any]:
    transformer, path = api
    response = {"transformers": [transformer], "transformerParameters": parameters}
    request = {"bodyPatterns": patterns} if patterns else None
    return step_stub(service, "POST", path, response=response, request=request,
                     priority=priority)  # fmt: skip


def _content(text: str | None) -> str:
    if not text or not text.strip():
        raise StepUsageError("write the assistant's answer in the docstring under the step")
    return text


def _about(topic: str) -> list[dict[str, Any]]:
    if not topic:
        raise StepUsageError('name the topic: about "weather"')
    return [{"matchesJsonPath": {"expression": LAST_MESSAGE, "contains": topic}}]


def answers_chat(mocks: ScenarioMocks, service: str, text: str | None) -> str:
    """45: every chat completion is answered with the docstring."""
    stub = _chat_stub(service, {"content": _content(text)}, GENERAL_PRIORITY, [])
    return str(mocks.admin.create_stub(stub)["id"])


def answers_chat_about(mocks: ScenarioMocks, service: str, topic: str, text: str | None) -> str:
    """46: a chat completion whose last message contains ``topic`` gets the docstring."""
    stub = _chat_stub(service, {"content": _content(text)}, TOPIC_PRIORITY, _about(topic))
    return str(mocks.admin.create_stub(stub)["id"])


def answers_chat_with_tool(
    mocks: ScenarioMocks, service: str, tool: str, arguments: str | None
) -> str:
    """47: every chat completion answers by calling ``tool`` with the docstring's JSON."""
    document = parse_json_text(arguments or "{}", "the tool call's arguments")
    if not isinstance(document, dict):
        raise StepUsageError("the tool call's arguments must be a JSON object")
    parameters = {"toolCalls": [{"name": tool, "arguments": document}]}
    stub = _chat_stub(service, parameters, TOPIC_PRIORITY, [])
    return str(mocks.admin.create_stub(stub)["id"])


def asked_about(mocks: ScenarioMocks, service: str, text: str) -> None:
    """48: a chat completion was asked whose last message contains ``text``."""
    received_matching(mocks, service, Expectation(
        "POST", CHAT_PATH, body_patterns=tuple(_about(text)),
        described=f'whose last message contains "{text}"',
    ))  # fmt: skip


def offered_tool(mocks: ScenarioMocks, service: str, tool: str) -> None:
    """49: a chat completion was asked that offered the tool ``tool``."""
    if not TOOL_NAME.fullmatch(tool):
        raise StepUsageError(f"{tool!r} is not a tool name (letters, digits, _ and -)")
    pattern = {"matchesJsonPath": f"$.tools[?(@.function.name == '{tool}')]"}
    received_matching(mocks, service, Expectation(
        "POST", CHAT_PATH, body_patterns=(pattern,), described=f'offering the tool "{tool}"',
    ))  # fmt: skip


def answers_messages(mocks: ScenarioMocks, service: str, text: str | None) -> str:
    """53: every Anthropic Messages request is answered with the docstring."""
    stub = _chat_stub(service, {"content": _content(text)}, GENERAL_PRIORITY, [], ANTHROPIC)
    return str(mocks.admin.create_stub(stub)["id"])


def answers_messages_about(mocks: ScenarioMocks, service: str, topic: str, text: str | None) -> str:
    """54: an Anthropic Messages request whose last message contains ``topic``."""
    parameters = {"content": _content(text)}
    stub = _chat_stub(service, parameters, TOPIC_PRIORITY, _about(topic), ANTHROPIC)
    return str(mocks.admin.create_stub(stub)["id"])
