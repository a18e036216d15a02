"""Webhooks and callbacks (DESIGN §14): the ``webhook`` serve-event listener, as WireMock 3
has it. After a stub has answered, the listener sends the request its parameters describe
(``method``, ``url``, ``headers``, ``body`` or ``base64Body``, ``delay``), templated with the
original request as ``originalRequest`` and the parameters as ``parameters``, after its delay,
without holding up the answer. The request is kept on the serve event as a
``WEBHOOK_REQUEST`` sub-event and its answer as ``WEBHOOK_RESPONSE`` (or ``ERROR``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from mockbdd.domain.delays import DelayDistribution
from mockbdd.domain.listeners import SERVE_EVENT_LISTENERS, ListenerContext
from mockbdd.domain.responses import TRANSFORMERS, loaded
from mockbdd.extensions import Extensions

if TYPE_CHECKING:
    from mockbdd.domain.journal import ServeEvent
    from mockbdd.webhooks.webhook import Compile, Webhook, WebhookDefinition

__all__ = ["Webhook", "WebhookDefinition", "register"]

DelayCodec = Callable[[object, str], DelayDistribution]


class _OnFirstStub:
    """The ``webhook`` listener, its module (:mod:`mockbdd.webhooks.webhook`) imported at the
    first stub that names it (idle RSS: a server without webhooks never loads it). Once
    loaded, the :class:`Webhook`'s own bound methods stand in this object's attributes, so a
    callback costs what it would without this wrapper."""

    def __init__(self, delay: DelayCodec, compile: Compile) -> None:
        self._delay = delay
        self._compile = compile

    def _load(self) -> Webhook:
        from mockbdd.webhooks.webhook import Webhook

        made = Webhook(self._delay, self._compile)
        self.check = made.check  # type: ignore[method-assign]
        self.after_complete = made.after_complete  # type: ignore[method-assign]
        return made

    def check(self, parameters: Mapping[str, Any]) -> None:
        self._load().check(parameters)

    async def after_complete(
        self, context: ListenerContext, event: ServeEvent, parameters: Mapping[str, Any]
    ) -> None:  # a stub is checked when decoded, so this is reached only once loaded
        await self._load().after_complete(context, event, parameters)


def __getattr__(name: str) -> Any:  # Webhook, WebhookDefinition: from their module, on use
    if name in ("Webhook", "WebhookDefinition"):
        from mockbdd.webhooks import webhook

        return getattr(webhook, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def register(extensions: Extensions, delay: DelayCodec) -> None:
    """``delay`` decodes a webhook's ``delay`` as stubs' delays are decoded (every registered
    delay type), raising ``InvalidInput``. Templates compile with the registered
    ``response-template`` engine (loaded at the first webhook template), as they render."""

    def compile(text: str) -> object:
        entry = extensions.get(TRANSFORMERS, "response-template")
        engine = None if entry is None else loaded(entry)
        compiler = getattr(engine, "compile", None)
        return None if compiler is None else compiler(text, "")

    extensions.add(SERVE_EVENT_LISTENERS, "webhook", _OnFirstStub(delay, compile))
