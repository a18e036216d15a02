"""``ShopClient`` talks to two upstream services, ``inventory`` and ``payments``.

It is what mockbdd's feature files test: each scenario gives it the base URL of each service in
the scenario's mock namespace. Payments are retried on 503 (up to ``attempts`` tries); timeouts
and broken connections are reported, never retried.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class CheckoutResult:
    """``status``: paid, out_of_stock, payment_declined, payments_unavailable,
    payments_timeout, payments_error or inventory_error."""

    status: str
    charge_id: str | None = None
    attempts: int = 0
    detail: str = ""


class ShopClient:
    def __init__(
        self,
        inventory_url: str,
        payments_url: str,
        *,
        timeout: float = 0.5,
        attempts: int = 3,
        api_key: str | None = "shop-key",
    ) -> None:
        self.inventory_url = inventory_url.rstrip("/")
        self.payments_url = payments_url.rstrip("/")
        self.attempts = attempts
        headers = {"X-Api-Key": api_key} if api_key else {}
        self._http = httpx.Client(timeout=timeout, headers=headers)

    def close(self) -> None:
        self._http.close()

    # -- inventory --------------------------------------------------------------------------
    def item(self, item_id: int) -> dict[str, Any]:
        response = self._http.get(f"{self.inventory_url}/v1/items/{item_id}")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def search(self, query: str, *, limit: int = 10) -> list[Any]:
        response = self._http.get(
            f"{self.inventory_url}/v1/items", params={"q": query, "limit": str(limit)}
        )
        response.raise_for_status()
        data = response.json() if response.content else []
        return list(data.get("items", [])) if isinstance(data, dict) else list(data)

    def leave_note(self, text: str) -> int:
        response = self._http.post(
            f"{self.inventory_url}/v1/notes",
            content=text.encode(),
            headers={"Content-Type": "text/plain"},
        )
        return response.status_code

    # -- wishlist (the inventory service keeps it) ----------------------------------------
    def wish(self, item_id: int) -> dict[str, Any]:
        response = self._http.post(f"{self.inventory_url}/v1/wishlist", json={"item": item_id})
        response.raise_for_status()
        wish: dict[str, Any] = response.json()
        return wish

    def unwish(self, item_id: int) -> None:
        """Remove every wish for ``item_id``."""
        listed = self._http.get(f"{self.inventory_url}/v1/wishlist", params={"item": item_id})
        listed.raise_for_status()
        for wish in listed.json():
            self._http.delete(f"{self.inventory_url}/v1/wishlist/{wish['id']}").raise_for_status()

    # -- checkout ---------------------------------------------------------------------------
    def checkout(self, item_id: int, amount: int, currency: str = "EUR") -> CheckoutResult:
        """Check stock, then charge (retrying on 503 with the same idempotency key)."""
        try:
            item = self.item(item_id)
        except (httpx.HTTPError, ValueError) as exc:
            return CheckoutResult("inventory_error", detail=str(exc))
        if not item.get("inStock", False):
            return CheckoutResult("out_of_stock")
        return self._charge(item_id, amount, currency)

    def _charge(self, item_id: int, amount: int, currency: str) -> CheckoutResult:
        body = {"item": item_id, "amount": amount, "currency": currency}
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        status = 0
        for attempt in range(1, self.attempts + 1):
            try:
                response = self._http.post(
                    f"{self.payments_url}/v1/charges", json=body, headers=headers
                )
            except httpx.TimeoutException as exc:
                return CheckoutResult("payments_timeout", attempts=attempt, detail=str(exc))
            except httpx.HTTPError as exc:
                return CheckoutResult("payments_error", attempts=attempt, detail=repr(exc))
            status = response.status_code
            if status == 503:
                continue
            if 200 <= status < 300:
                charge = response.json() if response.content else {}
                return CheckoutResult("paid", charge_id=charge.get("id"), attempts=attempt)
            return CheckoutResult("payment_declined", attempts=attempt, detail=str(status))
        return CheckoutResult("payments_unavailable", attempts=self.attempts, detail=str(status))

    def refund(self, charge_id: str) -> int:
        response = self._http.post(f"{self.payments_url}/v1/charges/{charge_id}/refund")
        return response.status_code
