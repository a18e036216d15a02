"""Latency that grows with load (DESIGN §11 ``degradation``), pure: the caller passes the time.

- ``perInFlightMs``: each request waits that long for every other request in flight when it
  arrives (a server whose answers slow down linearly with concurrency).
- ``mm1``: the mean sojourn time of an M/M/1 queue, ``serviceMs / (1 - rho)`` with
  ``rho = arrival rate * serviceMs``, the arrival rate measured over the last second; rho is
  held below :data:`MAX_RHO`, so an overloaded route answers ``100 * serviceMs`` late, never
  never.
"""

from __future__ import annotations

import collections

from mockbdd.domain.simulation import Degradation

WINDOW_S = 1.0  # the arrival rate is measured over this long
MAX_RHO = 0.99


class LoadMeter:
    """In-flight requests and recent arrivals of one scope (a namespace, or a stub)."""

    def __init__(self) -> None:
        self.in_flight = 0
        self._arrivals: collections.deque[float] = collections.deque()

    def arrive(self, now: float, degradation: Degradation) -> float:
        """Count one arrival at ``now`` (seconds); the delay it adds, in milliseconds."""
        others = self.in_flight
        self.in_flight += 1
        if degradation.per_in_flight_ms is not None:
            return degradation.per_in_flight_ms * others
        arrivals = self._arrivals
        arrivals.append(now)
        while arrivals and arrivals[0] <= now - WINDOW_S:
            arrivals.popleft()
        service_ms = degradation.service_ms or 0.0
        rho = min(len(arrivals) / (WINDOW_S * 1000) * service_ms, MAX_RHO)
        return mm1_sojourn_ms(service_ms, rho)

    def leave(self) -> None:
        self.in_flight = max(self.in_flight - 1, 0)


def mm1_sojourn_ms(service_ms: float, rho: float) -> float:
    """The mean time in an M/M/1 system (waiting and service) at utilisation ``rho``."""
    return service_ms / (1.0 - min(max(rho, 0.0), MAX_RHO))
