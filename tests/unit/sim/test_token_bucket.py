"""Token buckets on a hand-driven clock: burst, refill, the headers' numbers, a limit that
changes under a bucket, and the bound on how many keys are kept."""

from __future__ import annotations

from mockbdd.domain.limits import RateLimit
from mockbdd.sim.token_bucket import KeyedBuckets, TokenBucket


def test_a_full_bucket_lets_the_burst_through_then_one_per_interval() -> None:
    limit = RateLimit(requests=10, period_ms=1000)  # one token each 0.1 s
    bucket = TokenBucket(10.0, 0.0)
    decisions = [bucket.take(limit, 0.0) for _ in range(11)]
    assert [d.allowed for d in decisions] == [True] * 10 + [False]
    assert [d.remaining for d in decisions[:10]] == list(range(9, -1, -1))
    refused = decisions[10]
    assert abs(refused.retry_after_s - 0.1) < 1e-9
    assert abs(refused.reset_s - 1.0) < 1e-9
    assert not bucket.take(limit, 0.05).allowed
    assert bucket.take(limit, 0.1).allowed
    assert not bucket.take(limit, 0.1).allowed


def test_burst_caps_what_the_bucket_holds() -> None:
    limit = RateLimit(requests=10, period_ms=1000, burst=2)
    bucket = TokenBucket(2.0, 0.0)
    assert [bucket.take(limit, 5.0).allowed for _ in range(3)] == [True, True, False]


def test_a_limit_that_shrinks_under_a_bucket_caps_it_at_once() -> None:
    bucket = TokenBucket(10.0, 0.0)
    smaller = RateLimit(requests=2, period_ms=1000)
    assert [bucket.take(smaller, 0.0).allowed for _ in range(3)] == [True, True, False]


def test_keys_are_bounded_full_buckets_going_first_then_the_oldest() -> None:
    limit = RateLimit(requests=1, period_ms=1000)
    buckets = KeyedBuckets(max_keys=2)
    assert buckets.take("a", limit, 0.0).allowed
    assert buckets.take("b", limit, 0.0).allowed
    assert buckets.take("c", limit, 0.0).allowed  # none full: the oldest ("a") goes
    assert len(buckets) == 2
    assert buckets.take("a", limit, 0.0).allowed  # a new bucket: "b" went
    assert not buckets.take("a", limit, 0.0).allowed
    assert buckets.take("d", limit, 5.0).allowed  # both full by now: both go
    assert len(buckets) == 1
    buckets.clear()
    assert len(buckets) == 0
