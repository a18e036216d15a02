"""A tiny shop: the system under test of mockbdd's own behave and pytest-bdd suite."""

from examples.shop.client import CheckoutResult, ShopClient

__all__ = ["CheckoutResult", "ShopClient"]
