"""Waiting until an absolute moment, finer than the event loop's millisecond timers.

uvloop's timers (libuv's) count whole milliseconds, and asyncio's own loop rounds its poll
timeout up to one: an ``asyncio.sleep(0.05)`` ends anywhere from about 1 ms early to 1 ms late,
depending on what else woke the loop meanwhile, and a sleep under a millisecond returns at once.
On Linux, :class:`Deadlines` keeps one ``timerfd`` (``mockbdd.sim.timerfd``) per loop (CLOCK_MONOTONIC, absolute,
nanoseconds: ``time.perf_counter``'s clock), armed for the earliest pending deadline and watched
by the loop like any socket, so a wait ends when the kernel wakes the loop: with a core free,
0.06 ms after the deadline at the median and 0.24 ms at p99 (``bench/delay_precision.py``).
Elsewhere, or when the timerfd cannot be made, it falls back to the loop's own timers.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time

from mockbdd.sim.timerfd import timerfd

SOONER_S = 0.00002  # a deadline this close is as good as now: no timer is that fine
MAX_ABANDONED = 1024  # cancelled waits kept in the heap before it is swept of them


class Deadlines:
    """Futures resolved at absolute ``perf_counter`` deadlines, on one loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._due: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()  # ties in arrival order; futures are not ordered
        self._armed = float("inf")
        self._abandoned = 0  # cancelled waits still in the heap (about: some may have gone)
        self._timer = timerfd()
        if self._timer is not None:
            loop.add_reader(self._timer.fd, self._fire)

    @property
    def precise(self) -> bool:
        """Whether the waits end on the timerfd (else on the loop's millisecond timers)."""
        return self._timer is not None

    async def sleep_until(self, deadline: float) -> None:
        """Return at ``deadline`` (``perf_counter`` seconds); at once if it has passed."""
        if deadline - time.perf_counter() < SOONER_S:
            return
        woken: asyncio.Future[None] = self._loop.create_future()
        if self._timer is None:
            handle = self._loop.call_later(deadline - time.perf_counter(), _wake, woken)
            try:
                await woken
            finally:
                handle.cancel()
            return
        heapq.heappush(self._due, (deadline, next(self._order), woken))
        if deadline < self._armed:
            self._armed = deadline
            self._timer.arm(deadline)
        try:
            await woken
        except asyncio.CancelledError:  # the client went away: its entry goes at its deadline,
            self._abandoned += 1  # or sooner when they pile up (a long delay, short timeouts)
            if self._abandoned > MAX_ABANDONED and self._abandoned * 2 > len(self._due):
                self._compact()
            raise

    @property
    def pending(self) -> int:
        """Waits in the heap, abandoned ones not yet dropped included."""
        return len(self._due)

    def _compact(self) -> None:
        self._due = [entry for entry in self._due if not entry[2].done()]
        heapq.heapify(self._due)
        self._abandoned = 0

    def _fire(self) -> None:
        assert self._timer is not None
        self._timer.consume()
        due = self._due
        now = time.perf_counter() + SOONER_S
        while due and due[0][0] <= now:
            _wake(heapq.heappop(due)[2])
        self._armed = due[0][0] if due else float("inf")
        if due:
            self._timer.arm(self._armed)

    def close(self) -> None:
        """Stop watching the timerfd and close it; pending waits end now."""
        if self._timer is not None:
            self._loop.remove_reader(self._timer.fd)
            self._timer.close()
            self._timer = None
        for _, _, woken in self._due:
            _wake(woken)
        self._due.clear()


def _wake(woken: asyncio.Future[None]) -> None:
    if not woken.done():
        woken.set_result(None)
