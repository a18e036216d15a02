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
