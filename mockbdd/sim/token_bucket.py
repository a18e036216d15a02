"""Token buckets for ``rateLimit`` (DESIGN §11), pure: the caller passes the time and the limit
in force, so a timeline may change a limit without emptying or refilling anyone's bucket."""

from __future__ import annotations

import math
from typing import NamedTuple

from mockbdd.domain.limits import RateLimit

MAX_KEYS = 10_000  # buckets kept per limit; past it, full ones (and then the oldest) go


class Decision(NamedTuple):  # a tuple: one per request, cheaper than a frozen dataclass
    """What one request got: let through or not, what is left after it, and in seconds when
    the bucket is full again (``reset_s``) and when the next token comes (``retry_after_s``,
    0 when one is there now)."""

    allowed: bool
    limit: int
    remaining: int
    reset_s: float
    retry_after_s: float


def rate_of(limit: RateLimit) -> float:
    """Tokens per second."""
    return limit.requests * 1000 / limit.period_ms


def decision(allowed: bool, requests: int, tokens: float, rate: float, capacity: int) -> Decision:
    """What a draw that left ``tokens`` means for the headers."""
    retry = 0.0 if tokens >= 1 else (1 - tokens) / rate
    return Decision(allowed, requests, math.floor(tokens + 1e-9), (capacity - tokens) / rate, retry)


class TokenBucket:
    """One bucket: ``tokens`` held at time ``at`` (seconds, any monotonic clock)."""

    __slots__ = ("at", "tokens")

    def __init__(self, tokens: float, at: float) -> None:
        self.tokens = tokens
        self.at = at

    def take(self, limit: RateLimit, now: float) -> Decision:
        """Refill for the time gone by, then take one token if there is one."""
        rate = rate_of(limit)
        allowed = self.draw(rate, limit.capacity, now)
        return decision(allowed, limit.requests, self.tokens, rate, limit.capacity)

    def draw(self, rate: float, capacity: int, now: float) -> bool:
        """:meth:`take` with the limit's figures worked out (``rate`` tokens per second): the
        data plane's path. ``tokens`` is what is left after."""
        tokens = self.tokens
        elapsed = now - self.at
        if elapsed > 0:
            tokens = tokens + elapsed * rate
            if tokens > capacity:
                tokens = capacity
            self.at = now
        elif tokens > capacity:  # the limit in force shrank
            tokens = capacity
        if tokens >= 1:
            self.tokens = tokens - 1
            return True
        self.tokens = tokens
        return False

    def full(self, limit: RateLimit, now: float) -> bool:
        rate = limit.requests * 1000 / limit.period_ms
        return self.tokens + (now - self.at) * rate >= limit.capacity


class KeyedBuckets:
    """The buckets of one limit, one per key (the namespace, a client address, a header value),
    at most ``max_keys``: a full bucket is the same as a new one, so those go first."""

    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self._buckets: dict[str, TokenBucket] = {}
        self._max_keys = max_keys

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str, limit: RateLimit, now: float) -> Decision:
        return self.bucket(key, limit, now).take(limit, now)

    def bucket(self, key: str, limit: RateLimit, now: float) -> TokenBucket:
        """The bucket of ``key``, a full one if it had none."""
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self._evict(limit, now)
            bucket = self._buckets[key] = TokenBucket(float(limit.capacity), now)
        return bucket

    def clear(self) -> None:
        self._buckets.clear()

    def _evict(self, limit: RateLimit, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.full(limit, now)]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self._max_keys:  # none full: the oldest goes (it refills)
            del self._buckets[next(iter(self._buckets))]
