"""LLM API wire formats as response transformers (DESIGN §14): OpenAI's chat completions,
embeddings and models, and Anthropic's Messages API, registered by name like any plugin's and
imported when a stub first names one."""

from __future__ import annotations

from mockbdd.domain.responses import TRANSFORMERS, LazyTransformer
from mockbdd.extensions import Extensions

_TRANSFORMERS = {
    "openai-chat": ("mockbdd.llm.openai", "OpenAIChat"),
    "openai-embeddings": ("mockbdd.llm.openai", "OpenAIEmbeddings"),
    "openai-models": ("mockbdd.llm.openai", "OpenAIModels"),
    "anthropic-messages": ("mockbdd.llm.anthropic", "AnthropicMessages"),
}


def register(extensions: Extensions) -> None:
    for name, (module, cls) in _TRANSFORMERS.items():
        extensions.add(TRANSFORMERS, name, LazyTransformer(module, cls))
