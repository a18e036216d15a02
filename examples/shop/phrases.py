"""The shop's own step phrases, shared by the behave steps (``steps/shop_steps.py``) and the
pytest-bdd steps (``tests/bdd/conftest.py``): patterns and what they do, over a ``ShopWorld``."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from examples.shop.assistant import Assistant, Reply
from examples.shop.client import CheckoutResult, ShopClient

CHECKOUT = "the shop checks out item {item:d} for {amount:d} {currency:w}"
CHECKOUT_BACKGROUND = (
    "the shop checks out item {item:d} for {amount:d} {currency:w} in the background"
)
LOOK_UP = "the shop looks up item {item:d}"
SEARCH = 'the shop searches for "{query}"'
LEAVE_NOTE = "the shop leaves the note:"
REFUND = 'the shop refunds charge "{charge_id}"'
WISH = "the customer wishes for item {item:d}"
UNWISH = "the customer no longer wishes for item {item:d}"
SEND = 'the client sends {method} {path} to "{service}"'
SEND_AT_ONCE = '{count:d} clients send {method} {path} to "{service}" at once'
THEY_GET = "{count:d} of them get status {status:d}"
CHECKOUT_IS = 'the checkout is "{status}"'
CHECKOUT_IS_AFTER = 'the checkout is "{status}" on attempt {attempts:d}'
CHARGE_ID = 'the charge id is "{charge_id}"'
ITEM_COSTS = "the item costs {price:d}"
FOUND = "the search finds {count:d} items"
STATUS_IS = "the response status is {status:d}"
HEADER_IS = 'the response header "{name}" is "{value}"'
BODY_IS = "the response body is:"
TOOK_AT_LEAST = "the response took at least {ms:d} ms"
CALL_FAILED = "the call failed"
SAYS_OVER_WS = 'the client says "{text}" over the WebSocket {path} of "{service}"'
HEARS = 'the client hears "{text}"'
ASK_CLAUDE = 'a customer asks Claude "{question}"'
ASK_ASSISTANT = 'a customer asks the assistant "{question}"'
ASSISTANT_SAYS = 'the assistant says "{text}"'
ASSISTANT_LOOKS_UP = "the assistant looks up item {item:d}"


@dataclass
class ShopWorld:
    """The shop under test and what its last action gave."""

    shop: ShopClient
    urls: dict[str, str]
    result: CheckoutResult | None = None
    item: dict[str, Any] | None = None
    found: list[Any] | None = None
    response: httpx.Response | None = None
    error: Exception | None = None
    elapsed_ms: float = 0.0
    threads: list[threading.Thread] = field(default_factory=list)
    assistant: Assistant | None = None
    reply: Reply | None = None
    statuses: list[int] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)

    @classmethod
    def for_urls(cls, inventory: str, payments: str, assistant: str | None = None) -> ShopWorld:
        urls = {"inventory": inventory, "payments": payments}
        world = cls(ShopClient(inventory, payments), urls)
        if assistant is not None:
            world.assistant = Assistant(assistant)
        return world

    def close(self) -> None:
        for thread in self.threads:
            thread.join(timeout=5)
        self.shop.close()
        if self.assistant is not None:
            self.assistant.close()

    def ask_assistant(self, question: str) -> None:
        assert self.assistant is not None, "this world has no assistant"
        self.reply = self.assistant.ask(question)

    def ask_claude(self, question: str) -> None:
        assert self.assistant is not None, "this world has no assistant"
        self.reply = self.assistant.ask_claude(question)

    def assistant_says(self, text: str) -> None:
        assert self.reply is not None, "nobody asked the assistant"
        assert self.reply.text == text, self.reply

    def assistant_looks_up(self, item: int) -> None:
        assert self.reply is not None, "nobody asked the assistant"
        assert self.reply.looked_up == item, self.reply

    # -- actions ----------------------------------------------------------------------------
    def checkout(self, item: int, amount: int, currency: str) -> None:
        self.result = self.shop.checkout(item, amount, currency)

    def checkout_in_background(self, item: int, amount: int, currency: str) -> None:
        def run() -> None:
            time.sleep(0.05)  # let the scenario's wait step start first
            self.shop.checkout(item, amount, currency)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.threads.append(thread)

    def look_up(self, item: int) -> None:
        self.item = self.shop.item(item)

    def search(self, query: str) -> None:
        self.found = self.shop.search(query)

    def leave_note(self, text: str) -> None:
        self.shop.leave_note(text)

    def refund(self, charge_id: str) -> None:
        self.shop.refund(charge_id)

    def wish(self, item: int) -> None:
        self.shop.wish(item)

    def unwish(self, item: int) -> None:
        self.shop.unwish(item)

    def send(self, method: str, path: str, service: str) -> None:
        started = time.perf_counter()
        self.response, self.error = None, None
        try:
            self.response = httpx.request(method, self.urls[service] + path, timeout=2.0)
        except httpx.HTTPError as exc:
            self.error = exc
        self.elapsed_ms = (time.perf_counter() - started) * 1000

    def say_over_websocket(self, text: str, path: str, service: str) -> None:
        """Connect, send ``text``, and keep what the endpoint sends until it is quiet."""
        from websockets.sync.client import connect

        url = self.urls[service].replace("http://", "ws://", 1) + path
        self.heard = []
        with connect(url, open_timeout=2) as ws:
            ws.send(text)
            while True:
                try:
                    message = ws.recv(timeout=0.3)
                except TimeoutError:
                    break
                self.heard.append(message if isinstance(message, str) else message.decode())

    def hears(self, text: str) -> None:
        assert text in self.heard, f"the client heard {self.heard!r}, not {text!r}"

    def send_at_once(self, count: int, method: str, path: str, service: str) -> None:
        """``count`` requests sent together, each on its own connection (0: no answer)."""
        url = self.urls[service] + path
        statuses = [0] * count
        start = threading.Barrier(count)

        def one(i: int) -> None:
            start.wait()
            try:
                statuses[i] = httpx.request(method, url, timeout=10.0).status_code
            except httpx.HTTPError:
                statuses[i] = 0

        threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.statuses = statuses

    # -- checks -----------------------------------------------------------------------------
    def they_get(self, count: int, status: int) -> None:
        got = self.statuses.count(status)
        assert got == count, f"{got} got {status}; all: {sorted(self.statuses)}"

    def checkout_is(self, status: str, attempts: int | None = None) -> None:
        assert self.result is not None, "no checkout happened"
        assert self.result.status == status, f"checkout: {self.result}"
        if attempts is not None:
            assert self.result.attempts == attempts, f"checkout: {self.result}"

    def charge_id_is(self, charge_id: str) -> None:
        assert self.result is not None, "no checkout happened"
        assert self.result.charge_id == charge_id, self.result

    def item_costs(self, price: int) -> None:
        assert self.item is not None, "no item was looked up"
        assert self.item.get("price") == price, self.item

    def found_count(self, count: int) -> None:
        assert self.found is not None, "no search happened"
        assert len(self.found) == count, self.found

    def _response(self) -> httpx.Response:
        assert self.response is not None, f"no response ({self.error!r})"
        return self.response

    def status_is(self, status: int) -> None:
        response = self._response()
        assert response.status_code == status, f"{response.status_code}: {response.text}"

    def header_is(self, name: str, value: str) -> None:
        assert self._response().headers.get(name) == value, dict(self._response().headers)

    def body_is(self, text: str | None) -> None:
        assert self._response().text == (text or ""), repr(self._response().text)

    def took_at_least(self, ms: int) -> None:
        assert self.elapsed_ms >= ms, f"took {self.elapsed_ms:.0f} ms"

    def call_failed(self) -> None:
        assert self.error is not None, f"the call answered {self.response!r}"
