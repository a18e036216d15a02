"""behave hooks of mockbdd's own suite: mockbdd's three hooks, plus the shop under test."""

from __future__ import annotations

from typing import Any

import mockbdd.behave as mockbdd
from examples.shop.phrases import ShopWorld


def before_all(context: Any) -> None:
    mockbdd.before_all(context)


def before_scenario(context: Any, scenario: Any) -> None:
    mockbdd.before_scenario(context, scenario)
    urls = context.mockbdd.url
    world = ShopWorld.for_urls(urls("inventory"), urls("payments"), urls("assistant"))
    context.add_cleanup(world.close)
    context.shop_world = world


def after_scenario(context: Any, scenario: Any) -> None:
    mockbdd.after_scenario(context, scenario)
