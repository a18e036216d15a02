"""Token buckets for ``rateLimit`` (DESIGN §11), pure: the caller passes the time and the limit
in force, so a timeline may change a limit without emptying or refilling anyone's bucket."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mockbdd.domain.limits import RateLimit

MAX_KEYS = 10_000  # buckets kept per limit; past it, full ones (and then the oldest) go


@dataclass(frozen=True, slots=True)
class Decision:
    """What one request got: let through or not, what is left after it, and in seconds when
    the bucket is full again (``reset_s``) and when the next token comes (``retry_after_s``,
    0 when one is there now)."""

    allowed: bool
    limit: int
    remaining: int
    reset_s: float
    retry_after_s: float


class TokenBucket:
    """One bucket: ``tokens`` held at time ``at`` (seconds, any monotonic clock)."""

    __slots__ = ("at", "tokens")

    def __init__(self, tokens: float, at: float) -> None:
        self.tokens = tokens
        self.at = at

    def take(self, limit: RateLimit, now: float) -> Decision:
        """Refill for the time gone by, then take one token if there is one."""
        capacity = limit.capacity
        rate = limit.requests * 1000 / limit.period_ms  # tokens per second
        elapsed = now - self.at
        if elapsed > 0:
            self.tokens = min(capacity, self.tokens + elapsed * rate)
            self.at = now
        elif self.tokens > capacity:  # the limit in force shrank
            self.tokens = float(capacity)
        allowed = self.tokens >= 1
        if allowed:
            self.tokens -= 1
        retry = 0.0 if self.tokens >= 1 else (1 - self.tokens) / rate
        return Decision(
            allowed,
            limit.requests,
            math.floor(self.tokens + 1e-9),
            (capacity - self.tokens) / rate,
            retry,
        )

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
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self._evict(limit, now)
            bucket = self._buckets[key] = TokenBucket(float(limit.capacity), now)
        return bucket.take(limit, now)

    def clear(self) -> None:
        self._buckets.clear()

    def _evict(self, limit: RateLimit, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.full(limit, now)]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self._max_keys:  # none full: the oldest goes (it refills)
            del self._buckets[next(iter(self._buckets))]
