"""Phrases 28-32: simulation on a route or a service (DESIGN §11): a latency distribution, an
error rate, a drop rate, network conditions, and an assertion on the latency the service's
answers were observed with.

A route's setting goes on the stub that answers the route now, as phrase 7's delay and the
limits' phrases do: a stub for exactly this method and path is edited in place; any other (a
URL pattern, other conditions) keeps answering the rest, and a step stub for exactly this
route answers as it does, with the setting. A route with no stub answers 200, empty, with it.
The server checks the values: a bad one fails the step with the field and the reason.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from typing import Any

from mockbdd.bdd.limit_steps import POLL_S, _of_service
from mockbdd.bdd.route_edit import on_route, with_fields
from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepTable, StepUsageError, route_path
from mockbdd.bdd.step_checks import MockAssertionError

_DURATION = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*(ms|s)?\s*\Z")
NETWORK_FIELDS = ("latencyMs", "jitterMs", "packetLossRate", "errorRate")


def _number(text: str, what: str) -> float | int:
    """A table value: a number, or a duration (``250 ms``, ``2 s``) in milliseconds."""
    match = _DURATION.match(text)
    if match is None:
        raise StepUsageError(f"{what}: {text!r} is not a number or a duration (250 ms, 2 s)")
    value = float(match.group(1)) * (1000 if match.group(2) == "s" else 1)
    return int(value) if value.is_integer() else value


def _percent(text: str) -> float:
    """``10%`` or ``10 %`` → 0.1."""
    value = float(text.strip().rstrip("%"))
    if not 0 <= value <= 100:
        raise StepUsageError(f"a rate is between 0% and 100%, got {text}")
    return value / 100


def latency_distribution(
    mocks: ScenarioMocks, service: str, method: str, path: str, kind: str, table: StepTable
) -> str:
    """28: ``| parameter | value |`` rows are the distribution's fields (DESIGN §11: median,
    sigma, mean, stddev, p50, p99...); durations are taken in milliseconds."""
    distribution: dict[str, Any] = {"type": kind}
    for row in table.dicts(["parameter", "value"]):
        name = row["parameter"].strip()
        if name in distribution:
            raise StepUsageError(f"parameter {name!r} is given twice")
        distribution[name] = _number(row["value"], name)
    fields = {"delayDistribution": distribution}
    return on_route(mocks, service, method, path, fields, drop=("fixedDelayMilliseconds",))


def _chaos_of(mocks: ScenarioMocks, service: str, method: str, path: str) -> dict[str, Any]:
    found = mocks.handle.match(method, path, service).route_matches
    if not found:
        return {}
    response = found[0].stub.raw.get("response")
    chaos = response.get("chaos") if isinstance(response, Mapping) else None
    return dict(chaos) if isinstance(chaos, Mapping) else {}


def error_rate(
    mocks: ScenarioMocks, service: str, percent: str, method: str, path: str, status: int
) -> str:
    """29: that share of the route's requests is answered ``status`` (chaos, seeded by the
    namespace seed); a drop rate set before is kept."""
    route_path(service, path)
    chaos = {**_chaos_of(mocks, service, method, path), "errorRate": _percent(percent)}
    chaos["errorStatus"] = status
    return on_route(mocks, service, method, path, {"chaos": chaos})


def drop_rate(mocks: ScenarioMocks, service: str, percent: str, method: str, path: str) -> str:
    """30: that share of the route's connections is reset; an error rate set before is kept."""
    route_path(service, path)
    chaos = {**_chaos_of(mocks, service, method, path), "dropRate": _percent(percent)}
    return on_route(mocks, service, method, path, {"chaos": chaos})


def network_conditions(mocks: ScenarioMocks, service: str, table: StepTable) -> int:
    """31: ``| parameter | value |`` with latencyMs, jitterMs, packetLossRate, errorRate (rates
    as 0.01 or 1%), on every stub of the service written so far."""
    route_path(service, "/")
    network: dict[str, Any] = {}
    for row in table.dicts(["parameter", "value"]):
        name, text = row["parameter"].strip(), row["value"].strip()
        if name not in NETWORK_FIELDS:
            raise StepUsageError(
                f"network parameter {name!r} is not one of {', '.join(NETWORK_FIELDS)}"
            )
        network[name] = _percent(text) if text.endswith("%") else _number(text, name)
    stubs = [s for s in mocks.admin.list_stubs() if _of_service(s, service)]
    if not stubs:
        raise StepUsageError(
            f'"{service}" has no stub yet: stub its routes first, then give its network conditions'
        )
    for stub in stubs:
        mocks.admin.update_stub(stub.id, with_fields(stub.raw, {"network": network}, ()))
    return len(stubs)


def _latencies(mocks: ScenarioMocks, service: str) -> list[float]:
    prefix = f"/{service}"
    found = []
    for event in mocks.admin.requests():
        url = event.request.url
        if not (url == prefix or url.startswith((prefix + "/", prefix + "?"))):
            continue
        timing = event.raw.get("timing")
        if event.response.status and isinstance(timing, Mapping):
            found.append(float(timing.get("totalTime", 0)))
    return found


def observed_latency(mocks: ScenarioMocks, service: str, q: int, low_ms: int, high_ms: int) -> None:
    """32: the ``q``th percentile of the time the service took to answer (the server's
    ``timing.totalTime``, delays included) lies in ``[low, high]``. Waits up to the assertion
    timeout for answers still in flight."""
    if not 0 < q <= 100:
        raise StepUsageError(f"a percentile is between 1 and 100, got p{q}")
    deadline = time.monotonic() + mocks.settings.timeout
    value = math.nan
    while True:
        latencies = sorted(_latencies(mocks, service))
        if latencies:
            value = latencies[min(len(latencies) - 1, math.ceil(q / 100 * len(latencies)) - 1)]
            if low_ms <= value <= high_ms:
                return
        if time.monotonic() >= deadline:
            break
        time.sleep(POLL_S)
    if not latencies:
        raise MockAssertionError(f'"{service}" has answered no request yet')
    raise MockAssertionError(
        f'the p{q} latency of "{service}" was {value:g} ms over {len(latencies)} answers, '
        f"expected between {low_ms} and {high_ms} ms (fastest {latencies[0]:g} ms, "
        f"slowest {latencies[-1]:g} ms)"
    )
