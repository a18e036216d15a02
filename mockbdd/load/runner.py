"""One load run: the schedule fires requests at their intended times, the pool sends them, and
each answer's latency is taken from its intended send time (free of coordinated omission: a
slow answer delays nothing, and a request the generator sends late counts its lateness)."""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from typing import Any, Literal

from mockbdd.load.client import Connection, Pool
from mockbdd.load.schedule import Arrival, arrivals, stage_starts
from mockbdd.load.script import LoadScript
from mockbdd.load.stats import StageStats, Timeline, new_histogram
from mockbdd.load.stats import record as record_seconds
from mockbdd.records import record
from mockbdd.sim.timerfd import timerfd

State = Literal["pending", "running", "done", "cancelled"]
HOUSEKEEPING_S = 0.05  # timeouts are enforced, and timeline intervals closed, this often
START_LEAD_S = 0.01
# uvloop's loop.time() is libuv's cached millisecond clock: measure with a fine clock instead
_now = time.perf_counter


@record
class Progress:
    state: State
    elapsed: float
    duration: float
    stage: int
    sent: int
    completed: int
    failed: int
    dropped: int
    in_flight: int

    def json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "elapsedS": round(self.elapsed, 3),
            "durationS": self.duration,
            "stage": self.stage,
            "sent": self.sent,
            "completed": self.completed,
            "failed": self.failed,
            "dropped": self.dropped,
            "inFlight": self.in_flight,
        }


class LoadRun:
    """Run with ``await run.run()``; ``progress()`` may be read at any time, ``cancel()`` stops it."""

    def __init__(self, script: LoadScript) -> None:
        self.script = script
        self.seed = (
            script.seed if script.seed is not None else random.SystemRandom().randrange(2**31)
        )
        self.stages = [StageStats() for _ in script.stages]
        self.timeline = Timeline(script.duration)
        self.send_lag = new_histogram(2)
        self.sent_by_request = [0] * len(script.requests)
        self.state: State = "pending"
        self.started_at = 0.0  # wall clock, for the report
        self.elapsed = 0.0
        self._ends = stage_starts(script)[1:]
        self._payloads = [script.payload(r) for r in script.requests]
        self._head_only = [r.method == "HEAD" for r in script.requests]
        self._deadlines: deque[tuple[float, Connection, int]] = deque()
        self._t0 = 0.0
        self._stage = 0
        self._pool: Pool | None = None
        self._task: asyncio.Task[None] | None = None

    # -- control ---------------------------------------------------------------------------
    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._pool = Pool(self.script.host, self.script.port, self.script.max_in_flight, self._done)
        self.state = "running"
        self.started_at = time.time()
        self._t0 = _now() + START_LEAD_S
        self._task = loop.create_task(self._schedule())
        keeper = loop.create_task(self._housekeeping())
        try:
            await self._task
            await self._drain()
        except asyncio.CancelledError:
            self.state = "cancelled"
        finally:
            keeper.cancel()
            self._pool.close()
            self.elapsed = _now() - self._t0
            self.timeline.finish()
        if self.state == "running":
            self.state = "done"

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self.state = "cancelled" if self.state in ("running", "pending") else self.state

    def progress(self) -> Progress:
        elapsed = self.elapsed
        if self.state == "running":
            elapsed = max(_now() - self._t0, 0.0)
        pool = self._pool
        return Progress(
            self.state,
            elapsed,
            self.script.duration,
            self._stage,
            sum(s.sent for s in self.stages),
            sum(s.completed for s in self.stages),
            sum(s.failed for s in self.stages),
            sum(s.dropped for s in self.stages),
            pool.in_flight if pool is not None else 0,
        )

    # -- the schedule ----------------------------------------------------------------------
    async def _schedule(self) -> None:
        """Fire the arrivals from callbacks: each tick sends every arrival due by now, then
        sets one wake-up for the next, on a timerfd (the kernel wakes the loop to the tens of
        microseconds: ``mockbdd.sim.timerfd``) where there is one, else on a loop timer. An
        arrival costs no task wake-up, future or sleep of its own, the loop does not spin
        between arrivals, and when it falls behind the arrivals due go out together."""
        loop = self._loop
        finished: asyncio.Future[None] = loop.create_future()
        upcoming = arrivals(self.script, self.seed)
        t0 = self._t0
        fire = self._fire
        pending = next(upcoming, None)
        wake = timerfd()
        timer: asyncio.Handle | None = None

        def tick() -> None:
            nonlocal pending, timer
            try:
                if wake is not None:
                    wake.consume()
                arrival = pending
                now = _now()
                while arrival is not None:
                    when = t0 + arrival.at
                    if when > now:
                        if wake is not None:
                            wake.arm(when)
                        else:  # a loop timer may end early (uvloop rounds to milliseconds)
                            timer = loop.call_later(when - now, tick)
                        break
                    fire(arrival, now)
                    arrival = next(upcoming, None)
                    now = _now()
                pending = arrival
                if arrival is None and not finished.done():
                    finished.set_result(None)
            except BaseException as exc:  # not lost in a callback: the run ends with it
                if not finished.done():
                    finished.set_exception(exc)

        if wake is not None:
            loop.add_reader(wake.fd, tick)
        timer = loop.call_soon(tick)
        try:
            await finished
        finally:
            timer.cancel()
            if wake is not None:
                loop.remove_reader(wake.fd)
                wake.close()

    def _fire(self, arrival: Arrival, now: float) -> None:
        stage = self.stages[arrival.stage]
        self._stage = arrival.stage
        stage.scheduled += 1
        self.timeline.arrival(arrival.at)
        intended = self._t0 + arrival.at
        index = arrival.request
        assert self._pool is not None
        conn = self._pool.send(
            self._payloads[index], self._head_only[index], intended, arrival.stage
        )
        if conn is None:
            stage.dropped += 1
            return
        stage.sent += 1
        if now < self._t0 + self._ends[arrival.stage]:
            stage.sent_on_time += 1
        self.sent_by_request[index] += 1
        record_seconds(self.send_lag, now - intended)
        self._deadlines.append((now + self.script.timeout, conn, conn.seq))

    def _done(self, conn: Connection, outcome: int | str) -> None:
        now = _now()
        stage = self.stages[conn.stage]
        if isinstance(outcome, int):
            failed = outcome >= 400
            stage.completed += 1
            stage.statuses[outcome] += 1
            if failed:
                stage.errors[f"status_{outcome}"] += 1
            latency = now - conn.started
            record_seconds(stage.latency, latency)
            self.timeline.ended(now - self._t0, latency, failed)
        else:
            failed = True
            stage.errors[outcome] += 1
            self.timeline.failed(now - self._t0)
        if failed:
            stage.failed += 1

    async def _housekeeping(self) -> None:
        while True:
            await asyncio.sleep(HOUSEKEEPING_S)
            self._sweep()

    def _sweep(self) -> None:
        now = _now()
        deadlines = self._deadlines
        while deadlines:
            deadline, conn, seq = deadlines[0]
            live = conn.busy and conn.seq == seq
            if live and deadline > now:
                break
            deadlines.popleft()
            if live:
                conn.abort("timeout")
        self.timeline.close_until(int((now - self._t0) / self.timeline.interval))

    async def _drain(self) -> None:
        """Wait for the answers still in flight (each ends by its timeout at the latest)."""
        assert self._pool is not None
        while self._pool.in_flight > 0:
            await asyncio.sleep(0.005)
            self._sweep()
