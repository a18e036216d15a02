"""The limits stage (DESIGN §11): ``rateLimit`` (token buckets) and ``concurrency`` (in-flight
slots with a FIFO queue), per namespace (``settings``) and per stub (``response``), applied in
the admit step before the stubs answer.

- A rate limit takes one token per request from the bucket of the request's key; with none
  left the request is answered ``status`` (429) with ``Retry-After``. Every answer of a limited
  route, let through or not, carries ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` (left
  after this request), ``X-RateLimit-Reset`` (seconds until the bucket is full again) and the
  IETF draft's pair, ``RateLimit-Policy: "default";q=<requests>;w=<period s>`` and
  ``RateLimit: "default";r=<remaining>;t=<reset s>``.
- A concurrency limit lets ``maxInFlight`` requests be answered at once; the next
  ``queueDepth`` wait in arrival order, each at most ``queueTimeoutMs``; a full queue is
  answered ``rejectStatus`` (503) at once, a wait that times out likewise. A slot is held
  until the exchange is over (its serve event completed: the stage's ``release``, called by
  the data plane), so a delayed stub holds it too.

Buckets start full and are kept while a timeline changes the limit in force; setting the
settings again (``POST /settings``, a tag map) or resetting the namespace fills them again.
Slots are never forgotten: they stand for requests really in flight. While requests wait for
a namespace slot, the limit in force is looked at every ``WATCH_S``, so a timeline step or new
settings that raise ``maxInFlight`` let the queued requests through at once.

Rate limits are checked before concurrency (a request that would be refused is not queued),
the namespace's before the stub's. Everything runs on the server's loop with nothing awaited
between a check and its effect, so the counts are exact under any number of concurrent
clients (a request decided at once is decided with no coroutine at all). A stub's limits
apply to the stub that would answer when the request arrives (a dry run of the match, handed
to the serve, so the request is matched once), each stub on its own budget unless its limits
name a ``bucket`` that other stubs name too (a whole service's budget); namespaces that set
no limit are not touched (``active``).
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from mockbdd.domain.limits import ConcurrencyLimit, RateLimit
from mockbdd.domain.namespace import Namespace, Settings
from mockbdd.domain.plan import Selection
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition, ResponseSequence
from mockbdd.extensions import Extensions
from mockbdd.server.stages import STAGES, Active, Admission, Admit, AdmitAnswer

if TYPE_CHECKING:
    from mockbdd.sim.token_bucket import KeyedBuckets

Header = tuple[str, str]
Slots = tuple[tuple["ConcurrencyGate", ConcurrencyLimit], ...]
_TEXT = ("Content-Type", "text/plain; charset=utf-8")
NAMESPACE_SCOPE = ""  # the scope of the namespace's own limits; a stub's is its id
WATCH_S = 0.01  # while requests queue, how often the namespace limit in force is looked at


def settings_in_force(ns: Namespace, now: float) -> Settings:
    """:func:`mockbdd.sim.timeline.settings_in_force`, its module imported at the first call
    (a namespace with a timeline; idle RSS). That one then takes this name's place here, so
    every later call goes straight to it, as if imported at the top."""
    from mockbdd.sim import timeline

    globals()["settings_in_force"] = timeline.settings_in_force
    return timeline.settings_in_force(ns, now)


class ConcurrencyGate:
    """In-flight slots and the FIFO queue of one concurrency limit. The limit in force is
    passed to each call, so a timeline may raise or lower it while requests wait."""

    def __init__(self) -> None:
        self.in_flight = 0
        self._waiters: deque[asyncio.Future[bool]] = deque()

    @property
    def queued(self) -> int:
        return len(self._waiters)

    def try_acquire(self, limit: ConcurrencyLimit) -> bool:
        """Take a slot if one is free and no one waits for it (the common case, at once)."""
        if self.in_flight < limit.max_in_flight and not self._waiters:
            self.in_flight += 1
            return True
        return False

    async def acquire(self, limit: ConcurrencyLimit) -> str | None:
        """None once a slot is held; else why not (the queue is full, or the wait timed out)."""
        if self._waiters:  # the limit in force may have been raised since they queued
            self.admit_waiters(limit)
        if self.in_flight < limit.max_in_flight and not self._waiters:
            self.in_flight += 1
            return None
        if len(self._waiters) >= limit.queue_depth:
            return (
                f"{self.in_flight} requests in flight (maxInFlight {limit.max_in_flight}) and"
                f" the queue is full (queueDepth {limit.queue_depth})"
            )
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[bool] = loop.create_future()
        self._waiters.append(waiter)
        expiry = loop.call_later(limit.queue_timeout_ms / 1000, self._expire, waiter)
        try:
            granted = await waiter
        except asyncio.CancelledError:  # the server is stopping: give back a slot handed over
            if waiter.done() and not waiter.cancelled() and waiter.result():
                self.release(limit)
            else:
                self._forget(waiter)
            raise
        finally:
            expiry.cancel()
        if granted:
            return None
        return f"waited {limit.queue_timeout_ms} ms in the queue (queueTimeoutMs) for a slot"

    def release(self, limit: ConcurrencyLimit) -> None:
        """A held slot is free again: it goes to the longest waiter, if any."""
        self.in_flight -= 1
        if self._waiters:
            self.admit_waiters(limit)

    def admit_waiters(self, limit: ConcurrencyLimit) -> None:
        while self._waiters and self.in_flight < limit.max_in_flight:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.in_flight += 1
                waiter.set_result(True)

    def _expire(self, waiter: asyncio.Future[bool]) -> None:
        if not waiter.done():
            self._forget(waiter)
            waiter.set_result(False)

    def _forget(self, waiter: asyncio.Future[bool]) -> None:
        try:
            self._waiters.remove(waiter)
        except ValueError:
            pass


class _Rate:
    """One rate limit in force, with what each request needs of it worked out."""

    __slots__ = (
        "buckets",
        "capacity",
        "last",
        "limit",
        "limit_header",
        "made",
        "per_second",
        "policy_header",
    )

    def __init__(self, buckets: KeyedBuckets, limit: RateLimit, per_second: float) -> None:
        self.buckets = buckets
        self.limit = limit
        self.per_second = per_second
        self.capacity = limit.capacity
        self.limit_header, self.policy_header = _policy(limit)
        self.made: dict[tuple[int, int], tuple[Header, ...]] = {}  # by (remaining, reset)
        # the tokens left by the last request let through, and its headers: a limit that is
        # not reached leaves the same (capacity - 1) request after request
        self.last: tuple[float, tuple[Header, ...]] = (-1.0, ())  # (see :meth:`LimitsStage._admit`)


class _NamespaceLimits:
    """The buckets and gates of one namespace, by scope (the namespace, or a stub's id)."""

    def __init__(self) -> None:
        self.buckets: dict[str, KeyedBuckets] = {}
        self.gates: dict[str, ConcurrencyGate] = {}
        self.revision = -1
        self.since = -1.0  # the namespace's settings_since the buckets were filled for
        self.settings: object = None  # the settings object the compiled limits are for
        self.stub_limits = False
        self.rates: tuple[_Rate, ...] = ()  # the namespace's own, compiled
        self.slots: Slots = ()
        self.release: Callable[[], None] | None = None  # gives back a slot of each of ``slots``
        self.stub_rates: dict[tuple[str, int], _Rate] = {}  # a stub's, by (id, id(limit))
        # the namespace's own limits' last admission, for the same headers again
        self.admitted: tuple[tuple[Header, ...] | None, Admission | None] = (None, None)

    def compile(self, ns: Namespace, settings: Settings) -> None:
        """What the namespace's limits need per request, worked out once per change."""
        if self.revision != ns.revision:
            self.revision = ns.revision
            self.stub_limits = stub_limited(ns)
        self.settings = settings
        self.stub_rates.clear()  # their buckets may have been emptied
        rate, concurrency = settings.rate_limit, settings.concurrency
        self.rates = (
            () if rate is None else (self.rate(_scope(rate.bucket, NAMESPACE_SCOPE), rate),)
        )
        self.slots = (
            ()
            if concurrency is None
            else ((self.gate(_scope(concurrency.bucket, NAMESPACE_SCOPE)), concurrency),)
        )
        self.release = _releaser(self.slots) if self.slots else None
        self.admitted = (None, None)

    def rate(self, scope: str, limit: RateLimit) -> _Rate:
        from mockbdd.sim.token_bucket import rate_of  # with the first rate limit (idle RSS)

        return _Rate(self.bucket(scope), limit, rate_of(limit))

    def stub_rate(self, stub_id: str, limit: RateLimit) -> _Rate:
        """:meth:`rate` for the limit of the stub ``stub_id``, made once per stub and limit
        object (looked up by identity: hashing the limit's fields costs more per request)."""
        found = self.stub_rates.get((stub_id, id(limit)))
        if found is None or found.limit is not limit:
            if len(self.stub_rates) >= 1024:
                self.stub_rates.clear()
            rate = self.rate(_scope(limit.bucket, stub_id), limit)
            found = self.stub_rates[(stub_id, id(limit))] = rate
        return found

    def bucket(self, scope: str) -> KeyedBuckets:
        found = self.buckets.get(scope)
        if found is None:
            from mockbdd.sim.token_bucket import KeyedBuckets

            found = self.buckets[scope] = KeyedBuckets()
        return found

    def gate(self, scope: str) -> ConcurrencyGate:
        found = self.gates.get(scope)
        if found is None:
            found = self.gates[scope] = ConcurrencyGate()
        return found


def _responses(ns: Namespace) -> list[ResponseDefinition]:
    found: list[ResponseDefinition] = []
    for stub in ns.stubs:
        response = stub.response
        if isinstance(response, ResponseSequence):
            found.extend(item.response for item in response.items)
        else:
            found.append(response)
    return found


def stub_limited(ns: Namespace) -> bool:
    """Whether any stub of ``ns`` sets a limit of its own."""
    return any(r.rate_limit is not None or r.concurrency is not None for r in _responses(ns))


def _scope(bucket: str | None, own: str) -> str:
    """Where a limit's buckets or slots live: its named bucket (shared), else its owner's."""
    return own if bucket is None else "bucket:" + bucket


def _key(limit: RateLimit, request: RecordedRequest) -> str:
    if limit.key == "namespace":
        return ""
    if limit.key == "ip":
        return request.client_ip
    values = request.headers.get(limit.header or "")
    return values[0] if values else ""


_POLICIES: dict[RateLimit, tuple[Header, Header]] = {}


def _policy(limit: RateLimit) -> tuple[Header, Header]:
    """The headers that depend on the limit alone, made once per limit."""
    found = _POLICIES.get(limit)
    if found is None:
        if len(_POLICIES) > 1024:
            _POLICIES.clear()
        window = max(1, math.ceil(limit.period_ms / 1000))
        found = _POLICIES[limit] = (
            ("X-RateLimit-Limit", str(limit.requests)),
            ("RateLimit-Policy", f'"default";q={limit.requests};w={window}'),
        )
    return found


def _headers(entry: _Rate, tokens: float, allowed: bool) -> tuple[Header, ...]:
    """The headers of an answer after a draw that left ``tokens``; made once per distinct
    (remaining, reset), so a limit that is not reached builds no strings per request."""
    remaining = math.floor(tokens + 1e-9)
    reset = math.ceil((entry.capacity - tokens) / entry.per_second - 1e-9)
    if not allowed:  # Retry-After depends on the tokens themselves
        return _make_headers(entry, tokens, str(remaining), str(reset), allowed)
    key = (remaining, reset)
    found = entry.made.get(key)
    if found is None:
        if len(entry.made) >= 64:
            entry.made.clear()
        found = entry.made[key] = _make_headers(entry, tokens, str(remaining), str(reset), allowed)
    entry.last = (tokens, found)
    return found


# ``Admission(...)`` without the named tuple's ``__new__`` (a Python function): built in C
_admission: Callable[[tuple[object, ...]], Admission] = partial(tuple.__new__, Admission)


def _releaser(slots: Slots) -> Callable[[], None]:
    """What gives back one slot of each gate of ``slots`` (an admission's ``release``); for
    one gate (the rule) its own ``release``, bound in C, with no Python frame of its own."""
    if len(slots) == 1:
        gate, limit = slots[0]
        return partial(gate.release, limit)

    def release() -> None:
        for gate, limit in slots:
            gate.release(limit)

    return release


def _make_headers(
    entry: _Rate, tokens: float, remaining: str, reset: str, allowed: bool
) -> tuple[Header, ...]:
    headers: tuple[Header, ...] = (
        entry.limit_header,
        ("X-RateLimit-Remaining", remaining),
        ("X-RateLimit-Reset", reset),
        entry.policy_header,
        ("RateLimit", f'"default";r={remaining};t={reset}'),
    )
    if allowed:
        return headers
    retry = max(1, math.ceil((1 - tokens) / entry.per_second - 1e-9))
    return (*headers, ("Retry-After", str(retry)))


class LimitsStage:
    """The admit stage of ``rateLimit`` and ``concurrency``. What a request let through needs
    goes with its :class:`Admission`: the limits' headers, the dry-run match of a stub's
    limits, and the release of the slots it holds (called when its exchange is over)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        # id(ns) -> (a weak reference to ns, its limits): an int lookup (a WeakKeyDictionary
        # makes a weak reference per lookup); the entry goes with the namespace
        self._namespaces: dict[int, tuple[weakref.ref[Namespace], _NamespaceLimits]] = {}
        self._rejections: dict[tuple[int, str], ResponseDefinition] = {}
        self._watched: weakref.WeakSet[Namespace] = weakref.WeakSet()

    # -- the Stage protocol -------------------------------------------------------------
    @property
    def admit(self) -> Admit:
        return self._admit

    @property
    def shape(self) -> None:
        return None

    @property
    def observe(self) -> None:
        return None

    @property
    def active(self) -> Active:
        return self._active

    def queued(self) -> int:
        """Requests waiting in every concurrency queue now (``mockbdd_queue_depth``)."""
        return sum(g.queued for _, state in self._namespaces.values() for g in state.gates.values())

    # -- hooks ----------------------------------------------------------------------------
    def _active(self, ns: Namespace) -> bool:
        settings = ns.settings
        return (
            settings.rate_limit is not None
            or settings.concurrency is not None
            or any(
                e.phase.rate_limit is not None or e.phase.concurrency is not None
                for e in settings.timeline
            )
            or (stub_limited(ns))
        )

    def _state(self, ns: Namespace, settings: Settings) -> _NamespaceLimits:
        key = id(ns)
        found = self._namespaces.get(key)
        if found is not None and found[0]() is ns:
            state = found[1]
        else:
            state = _NamespaceLimits()
            kept = self._namespaces
            ref = weakref.ref(ns, lambda _, key=key: kept.pop(key, None))  # type: ignore[misc]
            kept[key] = (ref, state)
        if state.since != ns.settings_since:  # settings set again, or a reset: full buckets
            state.since = ns.settings_since
            state.buckets.clear()
            state.settings = None
        if state.settings is not settings or state.revision != ns.revision:
            state.compile(ns, settings)
        return state

    def _admit(self, ns: Namespace, request: RecordedRequest) -> AdmitAnswer:
        """Decided at once while a token and a slot are there (no coroutine, nothing
        awaited); only a request that must queue for a slot gets a coroutine to await."""
        # a timeline may change the limits: its settings in force now (without a timeline,
        # the settings object itself, so the compiled limits are kept)
        settings = ns.settings
        if settings.timeline:
            settings = settings_in_force(ns, ns.clock())
        found = self._namespaces.get(id(ns))
        if (  # what was compiled still holds (the common case, checked here without a call;
            # new settings and resets move the revision too, so ``since`` is looked at there)
            found is None
            or found[1].settings is not settings
            or found[1].revision != ns.revision
            or found[0]() is not ns
        ):
            state = self._state(ns, settings)
        else:
            state = found[1]
        rates, slots = state.rates, state.slots
        selection: Selection | None = None
        if state.stub_limits:
            selection = ns.select(request)  # the stub that would answer now (a dry run)
            if selection is not None:
                response = selection.response
                if response.rate_limit is not None:
                    limit = response.rate_limit
                    rates = (*rates, state.stub_rate(selection.stub.id, limit))
                if response.concurrency is not None:
                    own = _scope(response.concurrency.bucket, selection.stub.id)
                    slots = (*slots, (state.gate(own), response.concurrency))
        headers: tuple[Header, ...] = ()
        if rates:
            now = self._clock()
            least = math.inf
            for entry in rates:
                limit = entry.limit
                key_of = "" if limit.key == "namespace" else _key(limit, request)
                bucket = entry.buckets.bucket(key_of, limit, now)
                if not bucket.draw(entry.per_second, entry.capacity, now):
                    refused = _headers(entry, bucket.tokens, False)
                    return Admission(self._rejection(limit.status, _limited(limit)), refused)
                tokens = bucket.tokens
                if tokens < least:  # the headers of the tightest limit
                    least = tokens
                    last = entry.last
                    headers = last[1] if tokens == last[0] else _headers(entry, tokens, True)
        release = None
        if slots:
            for i, (gate, concurrency) in enumerate(slots):
                if not gate.try_acquire(concurrency):  # a slot free, no one waiting: at once
                    if i < len(state.slots):  # the namespace's: watch for its limit rising
                        self._watch_soon(ns)
                    return self._queue(slots, i, headers)
            release = state.release if slots is state.slots else _releaser(slots)
        if selection is None:  # the namespace's own limits: the same admission again, if it can
            kept = state.admitted
            if kept[0] is headers:
                return kept[1]
            admission = (
                None if not headers and release is None else Admission(None, headers, None, release)
            )
            state.admitted = (headers, admission)
            return admission
        return _admission((None, headers, selection, release))  # a new one per request

    async def _queue(self, slots: Slots, first: int, headers: tuple[Header, ...]) -> Admission:
        """The rest of :meth:`_admit` for a request that found no free slot in
        ``slots[first]``: wait in the queues in turn (the slots before ``first`` are held)."""
        for i in range(first, len(slots)):
            gate, concurrency = slots[i]
            try:
                refused = await gate.acquire(concurrency)
            except asyncio.CancelledError:  # the server is stopping: the slots held go back
                _releaser(slots[:i])()
                raise
            if refused is not None:
                _releaser(slots[:i])()
                text = f"mockbdd: concurrency limit reached: {refused}\n"
                return Admission(self._rejection(concurrency.reject_status, text), headers)
        return Admission(None, headers, None, _releaser(slots))

    def _watch_soon(self, ns: Namespace) -> None:
        if ns not in self._watched:
            self._watched.add(ns)
            asyncio.get_running_loop().call_later(WATCH_S, self._watch, ns)

    def _watch(self, ns: Namespace) -> None:
        """While requests wait for a namespace slot, a timeline step or new settings that
        raise ``maxInFlight`` let them through at once, not only as slots are released."""
        state = self._state(ns, settings_in_force(ns, ns.clock()))
        waiting = False
        for gate, limit in state.slots:
            gate.admit_waiters(limit)
            waiting = waiting or gate.queued > 0
        if waiting:
            asyncio.get_running_loop().call_later(WATCH_S, self._watch, ns)
        else:
            self._watched.discard(ns)

    def _rejection(self, status: int, text: str) -> ResponseDefinition:
        """One definition per status and text, so the response cache keeps its head."""
        key = (status, text)
        found = self._rejections.get(key)
        if found is None:
            if len(self._rejections) > 256:
                self._rejections.clear()
            found = self._rejections[key] = ResponseDefinition(
                status=status, headers=(_TEXT,), body=text.encode()
            )
        return found


def _limited(limit: RateLimit) -> str:
    per = "" if limit.key == "namespace" else f" per {limit.key}"
    return (
        f"mockbdd: rate limit reached: {limit.requests} requests per {limit.period_ms} ms"
        f"{per} (burst {limit.capacity})\n"
    )


def register(extensions: Extensions) -> None:
    """The server's built-in stages, in order: limits first (admit), before chaos (shape)."""
    extensions.add(STAGES, "limits", LimitsStage())
