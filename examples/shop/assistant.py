"""The shop's support assistant: answers customers through an OpenAI-compatible chat service
(``assistant``), offering a ``look_up_item`` tool; what mockbdd's LLM phrases are tested on."""

from __future__ import annotations

import json
from dataclasses import dataclass

import openai

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "look_up_item",
            "description": "Look up an item of the shop by its id",
            "parameters": {
                "type": "object",
                "properties": {"item": {"type": "integer"}},
                "required": ["item"],
            },
        },
    }
]


@dataclass(frozen=True)
class Reply:
    text: str | None
    looked_up: int | None  # the item the model asked to look up, if it called the tool


class Assistant:
    def __init__(self, base_url: str) -> None:
        self._client = openai.OpenAI(base_url=base_url + "/v1", api_key="shop", max_retries=0)
        self._base_url = base_url

    def ask_claude(self, question: str) -> Reply:
        """The same question through Anthropic's Messages API (the official client)."""
        import anthropic

        with anthropic.Anthropic(base_url=self._base_url, api_key="shop", max_retries=0) as c:
            message = c.messages.create(
                model="claude-sonnet-4-5",
                max_tokens=256,
                messages=[{"role": "user", "content": question}],
            )
        text = "".join(block.text for block in message.content if block.type == "text")
        return Reply(text, None)

    def ask(self, question: str) -> Reply:
        message = (
            self._client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[
                    {"role": "system", "content": "You help the shop's customers."},
                    {"role": "user", "content": question},
                ],
                tools=TOOLS,  # type: ignore[arg-type]
            )
            .choices[0]
            .message
        )
        for call in message.tool_calls or ():
            if call.type == "function" and call.function.name == "look_up_item":
                return Reply(message.content, int(json.loads(call.function.arguments)["item"]))
        return Reply(message.content, None)

    def close(self) -> None:
        self._client.close()
