"""Limits a namespace or a stub may set (DESIGN §11): a token-bucket rate limit and a
concurrency limit with a FIFO queue. Configuration only; the accounting is in ``mockbdd.sim``
and the waiting in the server's admit stage."""

from __future__ import annotations

from mockbdd.records import record

RATE_LIMIT_KEYS = ("namespace", "ip", "header:<Name>")
DEFAULT_QUEUE_TIMEOUT_MS = 30_000


@record
class RateLimit:
    """``requests`` per ``period_ms``, refilled continuously, at most ``burst`` held (default
        ``requests``): a full bucket lets ``burst`` requests through at once, then one more each
        ``period_ms / requests``. ``key`` partitions the budget: one bucket for the namespace (or
        the stub), one per client address, or one per value of a request header. Stubs whose limits
    name the same ``bucket`` share one budget (a whole service's), else each stub has its own."""

    requests: int
    period_ms: int
    burst: int | None = None
    key: str = "namespace"  # "namespace" | "ip" | "header:<name, lower-cased>"
    status: int = 429
    bucket: str | None = None  # stubs naming the same bucket share one budget (a service's)

    @property
    def capacity(self) -> int:
        return self.requests if self.burst is None else self.burst

    @property
    def header(self) -> str | None:
        """The (lower-cased) request header the buckets are keyed by, if any."""
        return self.key[7:] if self.key.startswith("header:") else None


@record
class ConcurrencyLimit:
    """At most ``max_in_flight`` requests answered at once; up to ``queue_depth`` more wait in
    FIFO order, each at most ``queue_timeout_ms``. A full queue or a timed-out wait is answered
    ``reject_status`` at once."""

    max_in_flight: int
    queue_depth: int = 0
    queue_timeout_ms: int = DEFAULT_QUEUE_TIMEOUT_MS
    reject_status: int = 503
    bucket: str | None = None  # stubs naming the same bucket share their slots and queue
