"""What the namespace decides for one request: the selection, the complete serve plan, and the
near-miss search an unmatched request's report is built from (later, and a slice at a time)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.near_miss import MAX_NEAR_MISSES, NearMiss, closest_stubs
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.domain.scenarios import ScenarioStates
from mockbdd.domain.stubs import StubMapping

SLICE_STUBS = 32  # stubs evaluated per near-miss step: well under a millisecond


class Selection(NamedTuple):
    """What :meth:`Namespace.select` chose: the stub, its response now, and for a sequence the
    position served (-1 for a single response)."""

    stub: StubMapping
    response: ResponseDefinition
    position: int


class ServePlan(NamedTuple):  # a tuple: built once per request, cheaper than a frozen dataclass
    """Everything the transport needs to answer one request, decided in one domain call.

    ``response`` None means no stub matched: answer 404 with the report of ``near_misses``.
    ``stub`` None with a response means something other than a stub answers (an admit stage).
    ``delay_ms`` is sampled (and capped) already; ``fault`` names a fault registered under
    ``FAULTS``. ``headers`` are added to this one answer (a limit's ``X-RateLimit-*``), after
    the response's own, without making a new response definition per request. A shape stage
    may return a changed plan (``plan._replace(...)``).
    """

    event: ServeEvent
    stub: StubMapping | None
    response: ResponseDefinition | None
    delay_ms: float
    fault: str | None
    near_misses: NearMissSearch | None
    headers: tuple[tuple[str, str], ...] = ()


class NearMissSearch:
    """The stubs closest to an unmatched request, over a snapshot taken when it was served (the
    stubs, scenario states and sequence cursors then), worked out one slice per :meth:`step`
    so that a caller on an event loop can let other traffic through between slices.

    Each round keeps the best of every slice and ranks the survivors again until one slice
    holds them all; ranking is :func:`closest_stubs`'s, so the result is the one it gives over
    every stub (the best of a list are among the best of the slices they are in).
    """

    def __init__(
        self,
        request: RecordedRequest,
        stubs: tuple[StubMapping, ...],
        scenarios: ScenarioStates | None = None,
        cursors: Mapping[str, int] | None = None,
        *,
        limit: int = MAX_NEAR_MISSES,
        slice_size: int = SLICE_STUBS,
    ) -> None:
        self.request = request
        self._pool = stubs
        self._at = 0
        self._winners: list[StubMapping] = []
        self._scenarios = scenarios
        self._cursors = cursors
        self._limit = limit
        self._size = max(slice_size, 4 * limit, 1)  # so that every round shrinks the pool
        self._result: list[NearMiss] | None = None

    def step(self) -> bool:
        """Evaluate one slice of stubs; True once the result is known."""
        if self._result is not None:
            return True
        if len(self._pool) <= self._size:
            self._result = self._closest(self._pool)
            return True
        end = self._at + self._size
        best = self._closest(self._pool[self._at : end])
        self._winners.extend(m.stub for m in best if m.stub is not None)
        self._at = end
        if end >= len(self._pool):
            self._pool, self._winners, self._at = tuple(self._winners), [], 0
        return False

    def result(self) -> list[NearMiss]:
        """The closest stubs, running whatever steps are left at once."""
        while self._result is None:
            self.step()
        return self._result

    def _closest(self, stubs: tuple[StubMapping, ...]) -> list[NearMiss]:
        return closest_stubs(
            self.request, stubs, self._limit, scenarios=self._scenarios, cursors=self._cursors
        )
