"""One mounted exchange's state, whatever its wire format: the seeded candle series of its
trading pairs, its clock (optionally accelerated) and the limits it applies (request weight per
window with a ban after repeated refusals, WebSocket messages per connection, WebSocket
connection attempts per client IP). The plugin decides how a refusal reads on its wire."""

from __future__ import annotations

import itertools
import random
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from mockbdd.exchanges.candles import Series
from mockbdd.records import record

# the common config keys every exchange plugin takes (DESIGN §14), and their limits
COMMON_KEYS = (
    "tradingPairs", "seed", "timeScale", "weightLimit", "weightPeriodMs", "banAfter",
    "wsLimit", "wsBurst", "connectionLimit", "connectionPeriodMs",
)  # fmt: skip
LIMIT_KEYS = COMMON_KEYS[3:]


@record
class Limits:
    """What a market allows: ``weight_limit`` per ``weight_period_ms`` (then refusals, and after
    ``ban_after`` refusals in a window, a ban until it ends); ``ws_limit`` incoming messages a
    second per connection with bursts up to ``ws_burst``; ``connection_limit`` WebSocket
    connection attempts per client IP per ``connection_period_ms``."""

    weight_limit: int = 6000
    weight_period_ms: int = 60_000
    ban_after: int = 3
    ws_limit: float = 5.0
    ws_burst: int = 5
    connection_limit: int = 300
    connection_period_ms: int = 300_000

    @classmethod
    def of(cls, config: Mapping[str, Any], defaults: Limits) -> Limits:
        return cls(
            int(config.get("weightLimit", defaults.weight_limit)),
            int(config.get("weightPeriodMs", defaults.weight_period_ms)),
            int(config.get("banAfter", defaults.ban_after)),
            float(config.get("wsLimit", defaults.ws_limit)),
            int(config.get("wsBurst", defaults.ws_burst)),
            int(config.get("connectionLimit", defaults.connection_limit)),
            int(config.get("connectionPeriodMs", defaults.connection_period_ms)),
        )


def check_common(
    config: Mapping[str, Any], intervals: Mapping[str, int], extra: tuple[str, ...], title: str
) -> None:
    """Raise ``ValueError`` (the reason, naming the key) for a config no exchange can serve."""
    known = (*COMMON_KEYS, *extra)
    unknown = sorted(set(config) - set(known))
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (known: {', '.join(known)})")
    pairs = config.get("tradingPairs")
    if not isinstance(pairs, tuple) or not pairs:
        raise ValueError("'tradingPairs' must list at least one {symbol, interval, initialPrice}")
    for i, pair in enumerate(pairs):
        if not isinstance(pair, Mapping) or not isinstance(pair.get("symbol"), str):
            raise ValueError(f"tradingPairs[{i}] needs 'symbol', such as 'BTCUSDT'")
        interval = pair.get("interval", next(iter(intervals)))
        if interval not in intervals:
            raise ValueError(
                f"tradingPairs[{i}].interval {interval!r} is not a {title} interval "
                f"({', '.join(intervals)})"
            )
        price = pair.get("initialPrice", 100.0)
        if not _number(price) or price <= 0:
            raise ValueError(f"tradingPairs[{i}].initialPrice must be a number above 0")
    scale = config.get("timeScale", 1.0)
    if not _number(scale) or not 0 < scale <= 1e6:
        raise ValueError("'timeScale' must be a number in (0, 1000000]")
    for key in LIMIT_KEYS:
        value = config.get(key, 1)
        whole = isinstance(value, int) and not isinstance(value, bool)
        if key == "wsLimit" and (not _number(value) or value <= 0):
            raise ValueError("'wsLimit' must be a number of messages a second above 0")
        if key != "wsLimit" and (not whole or value < 1):
            raise ValueError(f"{key!r} must be a whole number of at least 1")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Market:
    """The candles, the clock and the limits of one mount. ``intervals`` maps the exchange's
    interval names to milliseconds; every symbol (as ``normalize`` spells it) gets one series
    per interval."""

    def __init__(
        self,
        config: Mapping[str, Any],
        rng: random.Random,
        intervals: Mapping[str, int],
        defaults: Limits,
        clock: Callable[[], float] = time.time,
        normalize: Callable[[str], str] = str.upper,
    ) -> None:
        self._clock = clock
        self._started = clock()
        self._scale = float(config.get("timeScale", 1.0))
        seed = config.get("seed")
        base = str(seed) if seed is not None else str(rng.getrandbits(64))
        now_ms = self.now_ms()
        self.intervals = dict(intervals)
        self.series: dict[tuple[str, str], Series] = {}
        self.symbols: dict[str, float] = {}
        for pair in config["tradingPairs"]:
            symbol = normalize(pair["symbol"])
            price = float(pair.get("initialPrice", 100.0))
            self.symbols.setdefault(symbol, price)
            for name, ms in intervals.items():  # one walk per symbol and interval
                if (symbol, name) not in self.series:
                    self.series[(symbol, name)] = Series(f"{base}:{symbol}", ms, now_ms, price)
        self._defaults = defaults
        self.limits = Limits.of(config, defaults)
        self.used = 0  # request weight used in the current window
        self._window = -1
        self._refused = 0
        self._attempts: dict[str, deque[float]] = {}
        self.connection_ids = itertools.count(1)

    def reconfigure(self, config: Mapping[str, Any]) -> None:
        """New limits in place: the candles, the clock and the weight used stay."""
        self.limits = Limits.of(config, self._defaults)

    def now_ms(self) -> int:
        real = self._clock()
        return int((self._started + (real - self._started) * self._scale) * 1000)

    def now_s(self) -> float:
        return self.now_ms() / 1000

    # -- request weight ---------------------------------------------------------------------
    def spend(self, weight: int) -> tuple[str, int] | None:
        """Spend ``weight`` in the current window; or why not: ("limited" | "banned", the
        seconds until the window ends)."""
        period = self.limits.weight_period_ms / 1000
        now = self._clock()
        window = int(now // period)
        if window != self._window:
            self._window, self.used, self._refused = window, 0, 0
        retry = max(1, int(-(-((window + 1) * period - now) // 1)))
        if self._refused >= self.limits.ban_after:
            return "banned", retry
        if self.used + weight > self.limits.weight_limit:
            self._refused += 1
            return "limited", retry
        self.used += weight
        return None

    def window_end_ms(self) -> int:
        period = self.limits.weight_period_ms
        return (int(self._clock() * 1000) // period + 1) * period

    # -- WebSocket connection attempts --------------------------------------------------------
    def attempt_connection(self, client_ip: str) -> int | None:
        """Count one connection attempt from ``client_ip``; None when within the limit, else the
        seconds until the oldest attempt in the window leaves it."""
        now = time.monotonic()
        period = self.limits.connection_period_ms / 1000
        attempts = self._attempts.setdefault(client_ip, deque())
        while attempts and attempts[0] <= now - period:
            attempts.popleft()
        if len(attempts) >= self.limits.connection_limit:
            return max(1, int(-(-(attempts[0] + period - now) // 1)))
        attempts.append(now)
        return None


class MessageBudget:
    """One connection's incoming messages: a token bucket of ``burst`` refilled at ``rate`` a
    second (Binance: 5 a second; more disconnects)."""

    def __init__(self, rate: float, burst: int) -> None:
        self._rate, self._burst = rate, float(burst)
        self._tokens = float(burst)
        self._at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
