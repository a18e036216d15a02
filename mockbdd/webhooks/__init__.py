"""Webhooks and callbacks (DESIGN §14): the ``webhook`` serve-event listener, as WireMock 3
has it. After a stub has answered, the listener sends the request its parameters describe
(``method``, ``url``, ``headers``, ``body`` or ``base64Body``, ``delay``), templated with the
original request as ``originalRequest`` and the parameters as ``parameters``, after its delay,
without holding up the answer. The request is kept on the serve event as a
``WEBHOOK_REQUEST`` sub-event and its answer as ``WEBHOOK_RESPONSE`` (or ``ERROR``)."""

from __future__ import annotations

from collections.abc import Callable

from mockbdd.domain.delays import DelayDistribution
from mockbdd.domain.listeners import SERVE_EVENT_LISTENERS
from mockbdd.domain.responses import TRANSFORMERS, loaded
from mockbdd.extensions import Extensions
from mockbdd.webhooks.webhook import Webhook, WebhookDefinition

__all__ = ["Webhook", "WebhookDefinition", "register"]

DelayCodec = Callable[[object, str], DelayDistribution]


def register(extensions: Extensions, delay: DelayCodec) -> None:
    """``delay`` decodes a webhook's ``delay`` as stubs' delays are decoded (every registered
    delay type), raising ``InvalidInput``. Templates compile with the registered
    ``response-template`` engine (loaded at the first webhook template), as they render."""

    def compile(text: str) -> object:
        entry = extensions.get(TRANSFORMERS, "response-template")
        engine = None if entry is None else loaded(entry)
        compiler = getattr(engine, "compile", None)
        return None if compiler is None else compiler(text, "")

    extensions.add(SERVE_EVENT_LISTENERS, "webhook", Webhook(delay, compile))
