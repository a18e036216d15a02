"""Simulation settings JSON ⇄ the domain's frozen values (``domain/simulation.py``): chaos,
network, bandwidth, degradation, rate and concurrency limits, and timelines of them. The same
shapes in a stub's ``response`` and in ``/__admin/settings``; checks across fields here."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mockbdd.domain.delays import MAX_DELAY_MS
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.simulation import (
    Bandwidth,
    Chaos,
    Degradation,
    Network,
    Phase,
    Simulation,
    Timeline,
    TimelineEntry,
)
from mockbdd.extensions import Extensions
from mockbdd.wire.delay_codec import delay_json, parse_delay
from mockbdd.wire.errors import to_invalid_input
from mockbdd.wire.limits import (
    ConcurrencyJson,
    RateLimitJson,
    concurrency_json,
    parse_concurrency,
    parse_rate_limit,
    rate_limit_json,
)
from mockbdd.wire.refs import DelayDistributionJson
from mockbdd.wire.sim_models import (
    SIMULATION_FIELDS,
    BandwidthModel,
    ChaosModel,
    DegradationModel,
    Ms,
    NetworkModel,
    PositiveMs,
    SimulationModel,
)

MAX_TIMELINE_ENTRIES = 1000


def _validate(model: type[BaseModel], value: Any, pointer: str) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise to_invalid_input(exc, model, pointer) from None


def _rates(pointer: str, **rates: float) -> None:
    if sum(rates.values()) > 1.0 + 1e-9:
        names = " + ".join(rates)
        raise InvalidInput(pointer, f"{names} must not exceed 1, got {sum(rates.values()):g}")


def chaos_of(model: ChaosModel, pointer: str) -> Chaos:
    _rates(pointer, errorRate=model.errorRate, dropRate=model.dropRate)
    body, content_type = b"", None
    if isinstance(model.errorBody, str):
        body = model.errorBody.encode()
    elif model.errorBody is not None:
        body, content_type = json.dumps(model.errorBody).encode(), "application/json"
    return Chaos(
        model.errorRate,
        model.errorStatus,
        body,
        content_type,
        model.dropRate,
        model.dropMode,
        model.seed,
    )


def network_of(model: NetworkModel, pointer: str) -> Network:
    _rates(pointer, packetLossRate=model.packetLossRate, errorRate=model.errorRate)
    return Network(model.latencyMs, model.jitterMs, model.packetLossRate, model.errorRate)


def degradation_of(model: DegradationModel, pointer: str) -> Degradation:
    if model.perInFlightMs is not None:
        if model.model is not None or model.serviceMs is not None:
            raise InvalidInput(
                pointer, "give either perInFlightMs, or model 'mm1' with serviceMs, not both"
            )
        return Degradation(per_in_flight_ms=model.perInFlightMs)
    if model.model is None or model.serviceMs is None:
        missing = "model" if model.model is None else "serviceMs"
        raise InvalidInput(
            f"{pointer}/{missing}",
            "required: give perInFlightMs, or model 'mm1' with serviceMs",
        )
    return Degradation(model=model.model, service_ms=model.serviceMs)


def simulation_of(model: Any, pointer: str) -> Simulation:
    """The simulation keys of a decoded response or settings model (fields named as JSON)."""
    chaos: ChaosModel | None = model.chaos
    network: NetworkModel | None = model.network
    bandwidth: BandwidthModel | None = model.bandwidth
    degradation: DegradationModel | None = model.degradation
    return Simulation(
        None if chaos is None else chaos_of(chaos, f"{pointer}/chaos"),
        None if network is None else network_of(network, f"{pointer}/network"),
        None if bandwidth is None else Bandwidth(bandwidth.bytesPerSecond),
        None if degradation is None else degradation_of(degradation, f"{pointer}/degradation"),
    )


def parse_simulation(body: dict[str, Any], pointer: str = "") -> Simulation:
    """The simulation keys of a settings object (the others are left to the caller)."""
    given = {k: body[k] for k in SIMULATION_FIELDS if body.get(k) is not None}
    return simulation_of(_validate(SimulationModel, given, pointer), pointer)


# -- JSON out -------------------------------------------------------------------------------------


def _drop_defaults(data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and defaults.get(k, object()) != v}


def chaos_json(chaos: Chaos) -> dict[str, Any]:
    data: dict[str, Any] = {
        "errorRate": chaos.error_rate,
        "errorStatus": chaos.error_status,
        "dropRate": chaos.drop_rate,
        "dropMode": chaos.drop_mode,
        "seed": chaos.seed,
    }
    if chaos.error_body:
        text = chaos.error_body.decode("utf-8", errors="replace")
        data["errorBody"] = json.loads(text) if chaos.error_content_type else text
    return data


def simulation_json(sim: Simulation) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if sim.chaos is not None:
        data["chaos"] = {k: v for k, v in chaos_json(sim.chaos).items() if v is not None}
    if sim.network is not None:
        n = sim.network
        data["network"] = {
            "latencyMs": n.latency_ms,
            "jitterMs": n.jitter_ms,
            "packetLossRate": n.packet_loss_rate,
            "errorRate": n.error_rate,
        }
    if sim.bandwidth is not None:
        data["bandwidth"] = {"bytesPerSecond": sim.bandwidth.bytes_per_second}
    if sim.degradation is not None:
        d = sim.degradation
        data["degradation"] = _drop_defaults(
            {"perInFlightMs": d.per_in_flight_ms, "model": d.model, "serviceMs": d.service_ms}, {}
        )
    return data


# -- timelines ------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PhaseModel(SimulationModel):
    """What a timeline entry sets: a namespace delay and simulation settings."""

    fixedDelay: Annotated[int, Field(ge=0, le=MAX_DELAY_MS)] | None = None
    delayDistribution: DelayDistributionJson | None = None
    rateLimit: RateLimitJson | None = None
    concurrency: ConcurrencyJson | None = None


class TimelineEntryModel(_Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [{"required": ["settings"]}, {"required": ["rampMs", "to"]}],
        }
    )

    atMs: Ms
    settings: PhaseModel | None = None
    rampMs: PositiveMs | None = None
    to: PhaseModel | None = None


class TimelineModel(_Strict):
    timeline: Annotated[list[TimelineEntryModel], Field(max_length=MAX_TIMELINE_ENTRIES)]


def _phase(model: PhaseModel, raw: dict[str, Any], pointer: str, extensions: Extensions) -> Phase:
    if model.fixedDelay is not None and model.delayDistribution is not None:
        raise InvalidInput(
            f"{pointer}/delayDistribution", "give either fixedDelay or delayDistribution"
        )
    delay = None
    if model.delayDistribution is not None:
        delay = parse_delay(
            raw["delayDistribution"], f"{pointer}/delayDistribution", extensions=extensions
        )
    rate = (
        None
        if model.rateLimit is None
        else parse_rate_limit(raw["rateLimit"], f"{pointer}/rateLimit")
    )
    concurrency = (
        None
        if model.concurrency is None
        else parse_concurrency(raw["concurrency"], f"{pointer}/concurrency")
    )
    return Phase(delay, model.fixedDelay, simulation_of(model, pointer), rate, concurrency)


def parse_timeline(value: Any, pointer: str, extensions: Extensions) -> Timeline:
    """``[{"atMs", "settings"}, {"atMs", "rampMs", "to"}]``, in time order; a ramp must be over
    before the next entry starts."""
    model: TimelineModel = _validate(
        TimelineModel, {"timeline": value}, pointer[: -len("/timeline")]
    )
    entries: list[TimelineEntry] = []
    free_from = 0.0
    for i, (entry, raw) in enumerate(zip(model.timeline, value, strict=True)):
        at = f"{pointer}/{i}"
        if entry.atMs < free_from:
            raise InvalidInput(
                f"{at}/atMs",
                f"must not be before {free_from:g}: entries are in time order and a ramp ends "
                "before the next entry starts",
            )
        if entry.settings is not None:
            if entry.rampMs is not None or entry.to is not None:
                raise InvalidInput(
                    at, "give either 'settings' (a step) or 'rampMs' and 'to' (a ramp)"
                )
            phase = _phase(entry.settings, raw["settings"], f"{at}/settings", extensions)
            entries.append(TimelineEntry(entry.atMs, phase))
            free_from = entry.atMs
        elif entry.rampMs is not None and entry.to is not None:
            phase = _phase(entry.to, raw["to"], f"{at}/to", extensions)
            entries.append(TimelineEntry(entry.atMs, phase, entry.rampMs))
            free_from = entry.atMs + entry.rampMs
        else:
            missing = "rampMs" if entry.rampMs is None and entry.to is not None else "settings"
            if entry.to is None and entry.rampMs is not None:
                missing = "to"
            raise InvalidInput(
                f"{at}/{missing}",
                "required: give 'settings' (a step) or 'rampMs' and 'to' (a ramp)",
            )
    return tuple(entries)


def phase_json(phase: Phase, extensions: Extensions) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if phase.fixed_delay_ms is not None:
        data["fixedDelay"] = phase.fixed_delay_ms
    if phase.delay is not None:
        data["delayDistribution"] = delay_json(phase.delay, extensions=extensions)
    if phase.rate_limit is not None:
        data["rateLimit"] = rate_limit_json(phase.rate_limit)
    if phase.concurrency is not None:
        data["concurrency"] = concurrency_json(phase.concurrency)
    data.update(simulation_json(phase.simulation))
    return data


def timeline_json(timeline: Timeline, extensions: Extensions) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for entry in timeline:
        if entry.ramp_ms:
            out.append(
                {
                    "atMs": entry.at_ms,
                    "rampMs": entry.ramp_ms,
                    "to": phase_json(entry.phase, extensions),
                }
            )
        else:
            out.append({"atMs": entry.at_ms, "settings": phase_json(entry.phase, extensions)})
    return out
