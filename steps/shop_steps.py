"""behave steps for the example shop (the system under test)."""

from __future__ import annotations

from typing import Any

from behave import then, when

from examples.shop import phrases as p


def _world(context: Any) -> p.ShopWorld:
    world: p.ShopWorld = context.shop_world
    return world


@when(p.CHECKOUT)
def _checkout(context: Any, item: int, amount: int, currency: str) -> None:
    _world(context).checkout(item, amount, currency)


@when(p.CHECKOUT_BACKGROUND)
def _checkout_background(context: Any, item: int, amount: int, currency: str) -> None:
    _world(context).checkout_in_background(item, amount, currency)


@when(p.LOOK_UP)
def _look_up(context: Any, item: int) -> None:
    _world(context).look_up(item)


@when(p.SEARCH)
def _search(context: Any, query: str) -> None:
    _world(context).search(query)


@when(p.LEAVE_NOTE)
def _leave_note(context: Any) -> None:
    _world(context).leave_note(context.text)


@when(p.WISH)
def _wish(context: Any, item: int) -> None:
    _world(context).wish(item)


@when(p.UNWISH)
def _unwish(context: Any, item: int) -> None:
    _world(context).unwish(item)


@when(p.REFUND)
def _refund(context: Any, charge_id: str) -> None:
    _world(context).refund(charge_id)


@when(p.SEND)
def _send(context: Any, method: str, path: str, service: str) -> None:
    _world(context).send(method, path, service)


@when(p.SEND_AT_ONCE)
def _send_at_once(context: Any, count: int, method: str, path: str, service: str) -> None:
    _world(context).send_at_once(count, method, path, service)


@then(p.THEY_GET)
def _they_get(context: Any, count: int, status: int) -> None:
    _world(context).they_get(count, status)


@then(p.CHECKOUT_IS)
def _checkout_is(context: Any, status: str) -> None:
    _world(context).checkout_is(status)


@then(p.CHECKOUT_IS_AFTER)
def _checkout_is_after(context: Any, status: str, attempts: int) -> None:
    _world(context).checkout_is(status, attempts)


@then(p.CHARGE_ID)
def _charge_id(context: Any, charge_id: str) -> None:
    _world(context).charge_id_is(charge_id)


@then(p.ITEM_COSTS)
def _item_costs(context: Any, price: int) -> None:
    _world(context).item_costs(price)


@then(p.FOUND)
def _found(context: Any, count: int) -> None:
    _world(context).found_count(count)


@then(p.STATUS_IS)
def _status_is(context: Any, status: int) -> None:
    _world(context).status_is(status)


@then(p.HEADER_IS)
def _header_is(context: Any, name: str, value: str) -> None:
    _world(context).header_is(name, value)


@then(p.BODY_IS)
def _body_is(context: Any) -> None:
    _world(context).body_is(context.text)


@then(p.TOOK_AT_LEAST)
def _took_at_least(context: Any, ms: int) -> None:
    _world(context).took_at_least(ms)


@then(p.CALL_FAILED)
def _call_failed(context: Any) -> None:
    _world(context).call_failed()


@when(p.ASK_ASSISTANT)
def _ask_assistant(context: Any, question: str) -> None:
    _world(context).ask_assistant(question)


@when(p.SAYS_OVER_WS)
def _says_over_ws(context: Any, text: str, path: str, service: str) -> None:
    _world(context).say_over_websocket(text, path, service)


@then(p.HEARS)
def _hears(context: Any, text: str) -> None:
    _world(context).hears(text)


@when(p.ASK_CLAUDE)
def _ask_claude(context: Any, question: str) -> None:
    _world(context).ask_claude(question)


@then(p.ASSISTANT_SAYS)
def _assistant_says(context: Any, text: str) -> None:
    _world(context).assistant_says(text)


@then(p.ASSISTANT_LOOKS_UP)
def _assistant_looks_up(context: Any, item: int) -> None:
    _world(context).assistant_looks_up(item)
