"""Metrics for Prometheus (``GET /__admin/metrics``), live monitoring (``/__admin/metrics.json``)
and StatsD, fed by the observe stage: each completed serve event is counted after its answer
has gone out, so serving never waits for a metric.

One :class:`Metrics` per server, with its own ``CollectorRegistry`` (never the process-global
``REGISTRY``: several embedded servers share a process in tests). Label values are bounded:
a namespace or a stub is labelled by name (a stub without a name by its id, never by a path),
and past :data:`MAX_NAMESPACE_LABELS` namespaces or :data:`MAX_STUB_LABELS` stubs per namespace
the rest count under ``other``. A deleted namespace's series are dropped, and its slot freed.
"""

from __future__ import annotations

import math
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from mockbdd.domain.engine import Engine
from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.namespace import Namespace
from mockbdd.server.stages import Hooks, Observed, Stage

MAX_NAMESPACE_LABELS = 100
MAX_STUB_LABELS = 100  # per namespace
OTHER = "other"
UNMATCHED = "none"  # the stub label of a request no stub answered
# seconds; from a static answer on loopback (~100 µs) to a simulated timeout
DURATION_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)  # fmt: skip
_LE = (*(repr(b) for b in DURATION_BUCKETS), "+Inf")  # the ``le`` labels, as Prometheus writes them
WINDOWS_S = (10, 60)
MAX_ROUTES = 50_000  # served (namespace, stub id, status) remembered with their series
PERCENTILES = (50.0, 90.0, 95.0, 99.0)
HELD_NOISE_MS = 0.5  # beyond the noise of writing an answer: a delay or a queue held it
_PLAIN, _ERROR, _RATE_LIMITED, _NO_STATUS = 0, 1, 2, 3  # what else an answer counts in
_NO_ROUTE = object()  # the route before the first event of a batch: none


def _kind(status: int, stub_id: str | None) -> int:
    """What an answer of ``status`` (``stub_id``: its stub, None for none) counts in besides
    its series: errors (5xx), the namespace's rate-limited refusals (429 from no stub), or,
    for status 0, the fault's count if it is a fault."""
    if status >= 500:
        return _ERROR
    if status == 429 and stub_id is None:
        return _RATE_LIMITED
    return _NO_STATUS if status == 0 else _PLAIN


Sink = Callable[[str, str, str, ServeEvent], None]  # (namespace, stub, status, event)


class LabelCap:
    """Bounded label values: a namespace's name and its stubs' labels, first come first kept,
    the rest ``other``."""

    def __init__(self, max_namespaces: int, max_stubs: int) -> None:
        self.max_namespaces = max_namespaces
        self.max_stubs = max_stubs
        self._stubs: dict[str, dict[str, str]] = {}  # namespace -> stub id -> label

    def namespace(self, name: str) -> str:
        if name in self._stubs:
            return name
        if len(self._stubs) >= self.max_namespaces:
            return OTHER
        self._stubs[name] = {}
        return name

    def stub(self, namespace_label: str, event: ServeEvent) -> str:
        stub_id = event.stub_id
        if stub_id is None:
            return UNMATCHED
        if namespace_label == OTHER:
            return OTHER
        labels = self._stubs[namespace_label]
        label = labels.get(stub_id)
        if label is None:
            if len(labels) >= self.max_stubs:
                return OTHER
            stub = event.stub
            label = stub.name if stub is not None and stub.name else stub_id
            labels[stub_id] = label
        return label

    def forget(self, name: str) -> bool:
        """Free a deleted namespace's slot; True if it had one."""
        return self._stubs.pop(name, None) is not None

    def known(self) -> Iterable[str]:
        return self._stubs.keys()


DURATION_BUCKETS_MS = tuple(b * 1000 for b in DURATION_BUCKETS)


class _Window:
    """Counts and latencies per second over the last ``max(WINDOWS_S)`` seconds, in fixed
    memory: each second holds a log-bucketed latency histogram (about 5 % resolution)."""

    BUCKETS = 400  # 1.05 ** 400 * 0.01 ms covers well past an hour
    BASE_MS = 0.01
    BOUNDS_MS = tuple(0.01 * 1.05**i for i in range(400))  # bucket i: up to BOUNDS_MS[i]

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        span = max(WINDOWS_S)
        self._span = span
        self._second = [-1] * span  # which second each slot holds
        self._count = [0] * span
        self._errors = [0] * span
        self._hist: list[dict[int, int]] = [{} for _ in range(span)]
        self._now = (-1, 0)  # (the second last added to, its slot)

    def _slot(self, second: int) -> int:
        slot = second % self._span
        if self._second[slot] != second:
            self._second[slot] = second
            self._count[slot] = 0
            self._errors[slot] = 0
            self._hist[slot] = {}
        return slot

    def add(self, total_ms: float, error: bool) -> None:
        """Count one answer now."""
        slot, count, errors, hist = self.now()
        count[slot] += 1
        errors[slot] += error
        index = bisect_left(self.BOUNDS_MS, total_ms)  # BUCKETS past the last bound
        hist[index] = hist.get(index, 0) + 1

    def now(self) -> tuple[int, list[int], list[int], dict[int, int]]:
        """The current second's slot in the request and error counts, those counts, and its
        latency histogram (bucket index -> count; a bisection of :attr:`BOUNDS_MS`, not a
        logarithm): what ``Metrics.observe_many`` adds a batch of answers to, the clock read
        once for them, and the slot looked up again only when the second turns."""
        second = int(self._clock())
        current, slot = self._now
        if second != current:
            slot = self._slot(second)
            self._now = (second, slot)
        return slot, self._count, self._errors, self._hist[slot]

    def summary(self, seconds: int) -> dict[str, Any]:
        """Rate, error rate and latency percentiles (ms, upper bucket bounds) over the last
        ``seconds`` complete and current seconds."""
        now = int(self._clock())
        count = errors = 0
        merged: dict[int, int] = {}
        for slot in range(self._span):
            second = self._second[slot]
            if second < 0 or now - second >= seconds:
                continue
            count += self._count[slot]
            errors += self._errors[slot]
            for index, n in self._hist[slot].items():
                merged[index] = merged.get(index, 0) + n
        latency: dict[str, float | None] = {f"p{p:g}": None for p in PERCENTILES}
        latency["max"] = None
        if count:
            ordered = sorted(merged.items())
            for p in PERCENTILES:
                latency[f"p{p:g}"] = self._percentile(ordered, count, p)
            latency["max"] = self._bound(ordered[-1][0])
        return {
            "seconds": seconds,
            "requests": count,
            "ratePerSecond": round(count / seconds, 3),
            "errorsPerSecond": round(errors / seconds, 3),
            "latencyMs": latency,
        }

    def _percentile(self, ordered: list[tuple[int, int]], count: int, p: float) -> float:
        rank = max(1, math.ceil(count * p / 100))
        seen = 0
        for index, n in ordered:
            seen += n
            if seen >= rank:
                return self._bound(index)
        return self._bound(ordered[-1][0])  # pragma: no cover - the loop always reaches rank

    def _bound(self, index: int) -> float:
        return round(self.BASE_MS * 1.05**index, 3)


# the window's latency bounds and the duration buckets' merged, so one bisection per answer
# serves both: for the index ``at`` into these, _WINDOW_INDEX[at] and _DURATION_INDEX[at] are
# what bisecting either's own bounds gives (no bound of either lies between two merged ones)
_MERGED_MS = tuple(sorted({*_Window.BOUNDS_MS, *DURATION_BUCKETS_MS}))
_WINDOW_INDEX = tuple(bisect_left(_Window.BOUNDS_MS, b) for b in (*_MERGED_MS, math.inf))
_DURATION_INDEX = tuple(bisect_left(DURATION_BUCKETS_MS, b) for b in (*_MERGED_MS, math.inf))


class _Histogram:
    """One label set's histogram of :data:`DURATION_BUCKETS`: a count per bucket (not
    cumulative) and the sum, kept in milliseconds (as the journal times answers)."""

    __slots__ = ("counts", "sum_ms")

    def __init__(self) -> None:
        self.counts = [0] * (len(DURATION_BUCKETS) + 1)  # the last one is +Inf
        self.sum_ms = 0.0

    def observe(self, ms: float) -> None:
        self.counts[bisect_left(DURATION_BUCKETS_MS, ms)] += 1  # le: value <= bound
        self.sum_ms += ms

    def buckets(self) -> list[tuple[str, float]]:
        out: list[tuple[str, float]] = []
        seen = 0
        for le, n in zip(_LE, self.counts, strict=True):
            seen += n
            out.append((le, seen))
        return out


class _Series:
    """What one (namespace, stub, status) has counted; its histograms are shared by every
    status of the same (namespace, stub)."""

    __slots__ = ("count", "duration", "held", "matched", "namespace", "status", "stub")

    def __init__(
        self, key: tuple[str, str, str], matched: bool, duration: _Histogram, held: _Histogram
    ) -> None:
        self.namespace, self.stub, self.status = key  # the labels
        self.count = 0
        self.matched = matched
        self.duration = duration
        self.held = held


class Metrics:
    """The server's metrics. :attr:`stage` is what the data plane runs; ``text()`` and
    ``snapshot()`` are what the admin routes answer.

    Serving only adds to plain counters here: prometheus-client's objects (its registry, one
    per server, and the metric families) are built when the metrics are read, so a server that
    is never scraped never imports it, and a request costs no lock."""

    def __init__(
        self,
        engine: Engine,
        in_flight: Callable[[], int],
        *,
        clock: Callable[[], float] = time.time,
        max_namespaces: int = MAX_NAMESPACE_LABELS,
        max_stubs: int = MAX_STUB_LABELS,
    ) -> None:
        self.engine = engine
        self.labels = LabelCap(max_namespaces, max_stubs)
        self.sinks: list[Sink] = []  # StatsD, when configured
        self.in_flight = in_flight
        self.queue_depth: Callable[[], int] = lambda: 0  # the limits stage's admission queues
        self._series: dict[tuple[str, str, str], _Series] = {}  # (namespace, stub, status)
        # (namespace name, stub id, status) as served -> its series: the labels are worked out
        # once per route, not per request (many routes may share an ``other`` series)
        self._routes: dict[tuple[Namespace, str | None, int], _Series] = {}
        self._histograms: dict[tuple[str, str], tuple[_Histogram, _Histogram]] = {}
        self._faults: dict[tuple[str, str], int] = {}  # (namespace, fault)
        self._rate_limited: dict[str, int] = {}  # namespace
        self._registry: Any = None  # prometheus-client's, made at the first scrape
        self._window = _Window(clock)
        self.stage: Stage = Hooks(observe_many=self.observe_many)

    # -- feeding ------------------------------------------------------------------------------
    def observe_many(self, batch: Sequence[Observed]) -> None:
        """Count the events the data plane completed since the last loop turn: one call per
        turn, its lookups made once for the batch, the window's clock read once (they all
        completed within the turn). Under load most of a turn's events are answers of the
        route (namespace, stub, status) of the event before: its series is looked up again
        only when the route changes."""
        routes = self._routes
        merged, in_window, in_duration = _MERGED_MS, _WINDOW_INDEX, _DURATION_INDEX
        slot, count, errors, hist = self._window.now()
        count[slot] += len(batch)
        sinks = self.sinks
        last_ns: object = _NO_ROUTE
        last_stub: object = _NO_ROUTE
        last_status = -1
        series: _Series  # the route's, set at the first event (no route is _NO_ROUTE's)
        duration: _Histogram
        counts: list[int]
        kind: int
        for ns, event in batch:
            response = event.response
            status = response.status
            stub_id = event.stub_id
            if stub_id is not last_stub or ns is not last_ns or status != last_status:
                route = (ns, stub_id, status)
                found = routes.get(route)
                series = self._series_of(route, event) if found is None else found
                last_ns, last_stub, last_status = route
                duration = series.duration
                counts = duration.counts
                kind = _kind(status, stub_id)
            series.count += 1
            total_ms = event.total_ms
            at = bisect_left(merged, total_ms)  # one bisection for both histograms
            counts[in_duration[at]] += 1
            duration.sum_ms += total_ms
            held = total_ms - event.processing_ms
            if held > HELD_NOISE_MS:
                series.held.observe(held)
            index = in_window[at]
            hist[index] = hist.get(index, 0) + 1
            if kind:  # not a plain answer: an error, a fault or a limit's refusal
                if kind == _ERROR:
                    errors[slot] += 1
                elif kind == _RATE_LIMITED:
                    self._rate_limited[series.namespace] = (
                        self._rate_limited.get(series.namespace, 0) + 1
                    )
                elif response.fault is not None:  # status 0: a fault's (it has no status)
                    self._fault(series.namespace, response.fault)
                    errors[slot] += 1
            if sinks:
                for sink in sinks:
                    sink(series.namespace, series.stub, series.status, event)

    def _fault(self, namespace: str, fault: str) -> None:
        key = (namespace, fault)
        self._faults[key] = self._faults.get(key, 0) + 1

    def _series_of(self, route: tuple[Namespace, str | None, int], event: ServeEvent) -> _Series:
        """The series a route counts in, its labels capped (first come, first kept). The route
        cache is keyed by the namespace itself (no name looked up per request); only a
        namespace the engine still holds is kept in it."""
        namespace = self.labels.namespace(route[0].name)
        stub = self.labels.stub(namespace, event)
        status = str(route[2]) if route[2] else "fault"
        key = (namespace, stub, status)
        series = self._series.get(key)
        if series is None:
            pair = (namespace, stub)
            histograms = self._histograms.get(pair)
            if histograms is None:
                histograms = self._histograms[pair] = (_Histogram(), _Histogram())
            series = self._series[key] = _Series(key, event.stub_id is not None, *histograms)
        if self.engine.get(route[0].name) is not route[0]:
            return series  # deleted before its last events were counted: not kept as a key
        if len(self._routes) >= MAX_ROUTES:
            self._routes.clear()  # a cache: the series stay
        self._routes[route] = series
        return series

    def forget_namespace(self, name: str) -> None:
        """A namespace was deleted: drop its series and free its label slot."""
        self._routes = {k: v for k, v in self._routes.items() if k[0].name != name}
        if not self.labels.forget(name):
            return
        self._series = {k: v for k, v in self._series.items() if k[0] != name}
        self._histograms = {k: v for k, v in self._histograms.items() if k[0] != name}
        self._faults = {k: v for k, v in self._faults.items() if k[0] != name}
        self._rate_limited.pop(name, None)

    # -- answering ----------------------------------------------------------------------------
    def registry(self) -> Any:
        """This server's own ``CollectorRegistry`` (never the process-global one)."""
        if self._registry is None:
            from prometheus_client import CollectorRegistry

            self._registry = CollectorRegistry(auto_describe=False)
            self._registry.register(_Collector(self))
        return self._registry

    def text(self) -> str:
        from prometheus_client.exposition import generate_latest

        return generate_latest(self.registry()).decode()

    def snapshot(self) -> dict[str, Any]:
        """The metrics as JSON, plus rates and latency percentiles over the last 10 and 60 s."""
        return {
            "windows": {f"{s}s": self._window.summary(s) for s in WINDOWS_S},
            "metrics": [_family_json(f) for f in self.registry().collect()],
        }

    def families(self) -> Iterator[Any]:
        """The metric families as prometheus-client's collectors yield them."""
        from prometheus_client.core import (
            CounterMetricFamily,
            GaugeMetricFamily,
            HistogramMetricFamily,
        )

        requests = CounterMetricFamily(
            "mockbdd_requests",
            "Requests served, by namespace, stub (name or id; 'none' unmatched), status, matched",
            labels=("namespace", "stub", "status", "matched"),
        )
        for (namespace, stub, status), series in self._series.items():
            matched = "true" if series.matched else "false"
            requests.add_metric((namespace, stub, status, matched), series.count)
        yield requests
        duration = HistogramMetricFamily(
            "mockbdd_request_duration_seconds",
            "Time from the request's arrival to its answer's end, delays included",
            labels=("namespace", "stub"),
        )
        added = HistogramMetricFamily(
            "mockbdd_added_delay_seconds",
            "Time an answer was held back on purpose (delays, admission queues)",
            labels=("namespace", "stub"),
        )
        for labels, (total, held) in self._histograms.items():
            duration.add_metric(labels, total.buckets(), total.sum_ms / 1000)
            added.add_metric(labels, held.buckets(), held.sum_ms / 1000)
        yield duration
        yield added
        limited = CounterMetricFamily(
            "mockbdd_rate_limited",
            "Requests refused with 429 before matching (limits)",
            labels=("namespace",),
        )
        for namespace, n in self._rate_limited.items():
            limited.add_metric((namespace,), n)
        yield limited
        faults = CounterMetricFamily(
            "mockbdd_faults", "Answers replaced by a fault", labels=("namespace", "fault")
        )
        for labels, n in self._faults.items():
            faults.add_metric(labels, n)
        yield faults
        in_flight = GaugeMetricFamily("mockbdd_in_flight", "Requests received and not yet answered")
        in_flight.add_metric((), float(self.in_flight()))
        yield in_flight
        namespaces = GaugeMetricFamily("mockbdd_namespaces", "Namespaces, default included")
        namespaces.add_metric((), len(self.engine))
        yield namespaces
        entries = GaugeMetricFamily(
            "mockbdd_journal_entries", "Serve events in the journal", labels=["namespace"]
        )
        evicted = CounterMetricFamily(
            "mockbdd_journal_evicted",
            "Serve events evicted from the journal (its caps) since it was last cleared",
            labels=["namespace"],
        )
        totals: dict[str, tuple[int, int]] = {}
        for ns in self.engine:
            label = self.labels.namespace(ns.name)
            kept, gone = totals.get(label, (0, 0))
            totals[label] = (kept + len(ns.journal), gone + ns.journal.evicted)
        for label, (kept, gone) in totals.items():
            entries.add_metric([label], kept)
            evicted.add_metric([label], gone)
        yield entries
        yield evicted
        depth = GaugeMetricFamily("mockbdd_queue_depth", "Requests waiting in admission queues")
        depth.add_metric((), self.queue_depth())
        yield depth


class _Collector:
    """The server's metrics as a prometheus-client collector (``collect()``)."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Any]:
        return self._metrics.families()


def _family_json(family: Any) -> dict[str, Any]:
    return {
        "name": family.name,
        "type": family.type,
        "help": family.documentation,
        "samples": [
            {"name": s.name, "labels": dict(s.labels), "value": _number(s.value)}
            for s in family.samples
        ],
    }


def _number(value: float) -> float | str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return value
