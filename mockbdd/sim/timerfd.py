"""A timerfd: the kernel wakes the event loop at an absolute ``time.perf_counter`` moment, to
the tens of microseconds, where the loop's own timers count whole milliseconds (uvloop's,
libuv's) or round the poll timeout up to one (asyncio's). Watched like a socket
(``loop.add_reader(timer.fd, ...)``); used by the server's delays (``server.deadline``) and the
load generator's schedule (``load.runner``). Linux only: :func:`timerfd` is None elsewhere.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
import time

log = logging.getLogger("mockbdd")
CLOCK_MONOTONIC = 1
TFD_TIMER_ABSTIME = 1
TFD_NONBLOCK = os.O_NONBLOCK
TFD_CLOEXEC = os.O_CLOEXEC


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _Itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


class TimerFd:
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


def timerfd() -> TimerFd | None:
    """A new timerfd on ``perf_counter``'s clock, or None where there is none."""
    clock = time.get_clock_info("perf_counter").implementation
    if not sys.platform.startswith("linux") or clock != "clock_gettime(CLOCK_MONOTONIC)":
        return None
    try:
        return TimerFd()
    except (OSError, AttributeError, TypeError) as exc:  # no libc, no timerfd: loop timers
        log.debug("mockbdd: no timerfd (%s); the loop's timers are used", exc)
        return None
