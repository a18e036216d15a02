"""Waiting until an absolute moment, finer than the event loop's millisecond timers.

uvloop's timers (libuv's) count whole milliseconds, and asyncio's own loop rounds its poll
timeout up to one: an ``asyncio.sleep(0.05)`` ends anywhere from about 1 ms early to 1 ms late,
depending on what else woke the loop meanwhile, and a sleep under a millisecond returns at once.
On Linux, :class:`Deadlines` keeps one ``timerfd`` per loop (CLOCK_MONOTONIC, absolute,
nanoseconds: ``time.perf_counter``'s clock), armed for the earliest pending deadline and watched
by the loop like any socket, so a wait ends when the kernel wakes the loop: with a core free,
0.06 ms after the deadline at the median and 0.24 ms at p99 (``bench/delay_precision.py``).
Elsewhere, or when the timerfd cannot be made, it falls back to the loop's own timers.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import heapq
import itertools
import logging
import os
import sys
import time

log = logging.getLogger("mockbdd.server")
CLOCK_MONOTONIC = 1
TFD_TIMER_ABSTIME = 1
TFD_NONBLOCK = os.O_NONBLOCK
TFD_CLOEXEC = os.O_CLOEXEC
SOONER_S = 0.00002  # a deadline this close is as good as now: no timer is that fine
MAX_ABANDONED = 1024  # cancelled waits kept in the heap before it is swept of them


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _Itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


class _TimerFd:
    """A non-blocking CLOCK_MONOTONIC timerfd, set to absolute deadlines (perf_counter s)."""

    def __init__(self) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self._settime = libc.timerfd_settime
        self._settime.argtypes = [
            ctypes.c_int,
            ctypes.c_int,
            ctypes.POINTER(_Itimerspec),
            ctypes.c_void_p,
        ]
        fd = libc.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "timerfd_create")
        self.fd: int = fd
        self._spec = _Itimerspec()

    def arm(self, deadline: float) -> None:
        sec = int(deadline)
        value = self._spec.it_value
        value.tv_sec, value.tv_nsec = sec, max(1, int((deadline - sec) * 1e9))
        if self._settime(self.fd, TFD_TIMER_ABSTIME, ctypes.byref(self._spec), None) < 0:
            raise OSError(ctypes.get_errno(), "timerfd_settime")

    def consume(self) -> None:
        try:
            os.read(self.fd, 8)
        except BlockingIOError:  # woken by a re-arm that moved the deadline
            pass

    def close(self) -> None:
        os.close(self.fd)


def _timerfd() -> _TimerFd | None:
    clock = time.get_clock_info("perf_counter").implementation
    if not sys.platform.startswith("linux") or clock != "clock_gettime(CLOCK_MONOTONIC)":
        return None
    try:
        return _TimerFd()
    except (OSError, AttributeError, TypeError) as exc:  # no libc, no timerfd: loop timers
        log.debug("mockbdd: no timerfd (%s); delays use the loop's timers", exc)
        return None


class Deadlines:
    """Futures resolved at absolute ``perf_counter`` deadlines, on one loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._due: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()  # ties in arrival order; futures are not ordered
        self._armed = float("inf")
        self._abandoned = 0  # cancelled waits still in the heap (about: some may have gone)
        self._timer = _timerfd()
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
