"""Pydantic models of the simulation settings (DESIGN §11): the same JSON shapes in a stub's
``response`` and in a namespace's settings. ``wire/simulation.py`` turns them into the
domain's frozen values, with the checks across fields."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from mockbdd.domain.delays import MAX_DELAY_MS

Rate = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Ms = Annotated[float, Field(ge=0, le=MAX_DELAY_MS, allow_inf_nan=False)]
PositiveMs = Annotated[float, Field(gt=0, le=MAX_DELAY_MS, allow_inf_nan=False)]
Status = Annotated[int, Field(ge=100, le=599)]
Seed = Annotated[int, Field(ge=0, le=2**63 - 1)]
RATE_LIMIT_KEY = re.compile(r"namespace|ip|header:[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def _rate_limit_key(value: str) -> str:
    if not RATE_LIMIT_KEY.fullmatch(value):
        raise ValueError(f"must be 'namespace', 'ip' or 'header:<Name>', got {value!r}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChaosModel(_Strict):
    errorRate: Rate = 0.0
    errorStatus: Status = 500
    errorBody: Any = None  # text as it is; any other JSON value as a JSON body
    dropRate: Rate = 0.0
    dropMode: Literal["reset", "hang"] = "reset"
    seed: Seed | None = None


class NetworkModel(_Strict):
    latencyMs: Ms = 0.0
    jitterMs: Ms = 0.0
    packetLossRate: Rate = 0.0
    errorRate: Rate = 0.0


class BandwidthModel(_Strict):
    bytesPerSecond: Annotated[float, Field(gt=0, le=1e12, allow_inf_nan=False)]


class DegradationModel(_Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [{"required": ["perInFlightMs"]}, {"required": ["model", "serviceMs"]}]
        }
    )

    perInFlightMs: Ms | None = None
    model: Literal["mm1"] | None = None
    serviceMs: PositiveMs | None = None


class RateLimitModel(_Strict):
    requests: Annotated[int, Field(ge=1, le=10**9)]
    periodMs: PositiveMs
    burst: Annotated[int, Field(ge=1, le=10**9)] | None = None
    key: Annotated[
        str,
        AfterValidator(_rate_limit_key),
        Field(pattern=f"^(?:{RATE_LIMIT_KEY.pattern})$"),
    ] = "namespace"
    status: Status = 429


class ConcurrencyModel(_Strict):
    maxInFlight: Annotated[int, Field(ge=1, le=10**6)]
    queueDepth: Annotated[int, Field(ge=0, le=10**6)] = 0
    queueTimeoutMs: Ms = 0.0
    rejectStatus: Status = 503


SIMULATION_FIELDS = ("chaos", "network", "bandwidth", "degradation", "rateLimit", "concurrency")


class SimulationModel(_Strict):
    """The simulation keys a stub's response or a namespace's settings may carry."""

    chaos: ChaosModel | None = None
    network: NetworkModel | None = None
    bandwidth: BandwidthModel | None = None
    degradation: DegradationModel | None = None
    rateLimit: RateLimitModel | None = None
    concurrency: ConcurrencyModel | None = None
