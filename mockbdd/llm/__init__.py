"""LLM API wire formats as response transformers (DESIGN §14): OpenAI's chat completions,
embeddings and models, and Anthropic's Messages API, registered by name like any plugin's."""

from __future__ import annotations

from mockbdd.domain.responses import TRANSFORMERS
from mockbdd.extensions import Extensions
from mockbdd.llm.anthropic import AnthropicMessages
from mockbdd.llm.openai import OpenAIChat, OpenAIEmbeddings, OpenAIModels


def register(extensions: Extensions) -> None:
    extensions.add(TRANSFORMERS, "openai-chat", OpenAIChat())
    extensions.add(TRANSFORMERS, "openai-embeddings", OpenAIEmbeddings())
    extensions.add(TRANSFORMERS, "openai-models", OpenAIModels())
    extensions.add(TRANSFORMERS, "anthropic-messages", AnthropicMessages())
