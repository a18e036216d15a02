"""Pydantic models of the simulation settings (DESIGN §11): the same JSON shapes in a stub's
``response`` and in a namespace's settings. ``wire/simulation.py`` turns them into the
domain's frozen values, with the checks across fields."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mockbdd.domain.delays import MAX_DELAY_MS

Rate = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Ms = Annotated[float, Field(ge=0, le=MAX_DELAY_MS, allow_inf_nan=False)]
PositiveMs = Annotated[float, Field(gt=0, le=MAX_DELAY_MS, allow_inf_nan=False)]
Status = Annotated[int, Field(ge=100, le=599)]
Seed = Annotated[int, Field(ge=0, le=2**63 - 1)]


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


SIMULATION_FIELDS = ("chaos", "network", "bandwidth", "degradation")


class SimulationModel(_Strict):
    """The simulation keys a stub's response or a namespace's settings may carry."""

    chaos: ChaosModel | None = None
    network: NetworkModel | None = None
    bandwidth: BandwidthModel | None = None
    degradation: DegradationModel | None = None
