"""pytest-bdd steps of the example shop, and helpers shared by the BDD integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_bdd import parsers, then, when

from examples.shop import phrases as p
from mockbdd.client.namespace import NamespaceHandle


def _p(pattern: str) -> parsers.parse:
    return parsers.parse(pattern, case_sensitive=True)


@pytest.fixture
def shop_world(mockbdd: NamespaceHandle) -> Iterator[p.ShopWorld]:
    urls = mockbdd.url
    world = p.ShopWorld.for_urls(urls("inventory"), urls("payments"), urls("assistant"))
    yield world
    world.close()


@when(_p(p.CHECKOUT))
def _checkout(shop_world: p.ShopWorld, item: int, amount: int, currency: str) -> None:
    shop_world.checkout(item, amount, currency)


@when(_p(p.CHECKOUT_BACKGROUND))
def _checkout_background(shop_world: p.ShopWorld, item: int, amount: int, currency: str) -> None:
    shop_world.checkout_in_background(item, amount, currency)


@when(_p(p.LOOK_UP))
def _look_up(shop_world: p.ShopWorld, item: int) -> None:
    shop_world.look_up(item)


@when(_p(p.SEARCH))
def _search(shop_world: p.ShopWorld, query: str) -> None:
    shop_world.search(query)


@when(_p(p.LEAVE_NOTE))
def _leave_note(shop_world: p.ShopWorld, docstring: str) -> None:
    shop_world.leave_note(docstring)


@when(_p(p.WISH))
def _wish(shop_world: p.ShopWorld, item: int) -> None:
    shop_world.wish(item)


@when(_p(p.UNWISH))
def _unwish(shop_world: p.ShopWorld, item: int) -> None:
    shop_world.unwish(item)


@when(_p(p.REFUND))
def _refund(shop_world: p.ShopWorld, charge_id: str) -> None:
    shop_world.refund(charge_id)


@when(_p(p.SEND))
def _send(shop_world: p.ShopWorld, method: str, path: str, service: str) -> None:
    shop_world.send(method, path, service)


@then(_p(p.CHECKOUT_IS))
def _checkout_is(shop_world: p.ShopWorld, status: str) -> None:
    shop_world.checkout_is(status)


@then(_p(p.CHECKOUT_IS_AFTER))
def _checkout_is_after(shop_world: p.ShopWorld, status: str, attempts: int) -> None:
    shop_world.checkout_is(status, attempts)


@then(_p(p.CHARGE_ID))
def _charge_id(shop_world: p.ShopWorld, charge_id: str) -> None:
    shop_world.charge_id_is(charge_id)


@then(_p(p.ITEM_COSTS))
def _item_costs(shop_world: p.ShopWorld, price: int) -> None:
    shop_world.item_costs(price)


@then(_p(p.FOUND))
def _found(shop_world: p.ShopWorld, count: int) -> None:
    shop_world.found_count(count)


@then(_p(p.STATUS_IS))
def _status_is(shop_world: p.ShopWorld, status: int) -> None:
    shop_world.status_is(status)


@then(_p(p.HEADER_IS))
def _header_is(shop_world: p.ShopWorld, name: str, value: str) -> None:
    shop_world.header_is(name, value)


@then(_p(p.BODY_IS))
def _body_is(shop_world: p.ShopWorld, docstring: str) -> None:
    shop_world.body_is(docstring)


@when(_p(p.SEND_AT_ONCE))
def _send_at_once(
    shop_world: p.ShopWorld, count: int, method: str, path: str, service: str
) -> None:
    shop_world.send_at_once(count, method, path, service)


@then(_p(p.THEY_GET))
def _they_get(shop_world: p.ShopWorld, count: int, status: int) -> None:
    shop_world.they_get(count, status)


@then(_p(p.TOOK_AT_LEAST))
def _took_at_least(shop_world: p.ShopWorld, ms: int) -> None:
    shop_world.took_at_least(ms)


@then(_p(p.CALL_FAILED))
def _call_failed(shop_world: p.ShopWorld) -> None:
    shop_world.call_failed()


@when(_p(p.ASK_ASSISTANT))
def _ask_assistant(shop_world: p.ShopWorld, question: str) -> None:
    shop_world.ask_assistant(question)


@when(_p(p.SAYS_OVER_WS))
def _says_over_ws(shop_world: p.ShopWorld, text: str, path: str, service: str) -> None:
    shop_world.say_over_websocket(text, path, service)


@then(_p(p.HEARS))
def _hears(shop_world: p.ShopWorld, text: str) -> None:
    shop_world.hears(text)


@when(_p(p.ASK_CLAUDE))
def _ask_claude(shop_world: p.ShopWorld, question: str) -> None:
    shop_world.ask_claude(question)


@then(_p(p.ASSISTANT_SAYS))
def _assistant_says(shop_world: p.ShopWorld, text: str) -> None:
    shop_world.assistant_says(text)


@then(_p(p.ASSISTANT_LOOKS_UP))
def _assistant_looks_up(shop_world: p.ShopWorld, item: int) -> None:
    shop_world.assistant_looks_up(item)
