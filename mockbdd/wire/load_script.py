"""The load script's shape (DESIGN §11) as pydantic models, for its JSON Schema
(``mockbdd schema loadScript``). ``mockbdd.load.script.parse_script`` decodes scripts and names
every mistake by its field; these models say the same shape to an editor, and
``tests/integration/test_load_script_schema.py`` checks that the two agree."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DURATION_PATTERN = r"^\s*\d+(\.\d+)?\s*(ms|s|m|h)?\s*$"
Duration = Annotated[
    float | Annotated[str, Field(pattern=DURATION_PATTERN)],
    Field(description="a duration such as 500ms, 30s, 1.5m or 1h (a bare number is seconds)"),
]
LatencyLimit = Annotated[
    float | Annotated[str, Field(pattern=DURATION_PATTERN)],
    Field(description="a duration such as 250ms (a bare number is milliseconds)"),
]
Rate = Annotated[float, Field(ge=0, le=1_000_000, description="requests per second")]
Positive = Annotated[float, Field(gt=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LoadRequestModel(_Strict):
    name: str | None = Field(None, min_length=1)
    method: str = Field("GET", pattern=r"^[A-Z][A-Z-]*$")
    path: str = Field(pattern=r"^/[^ \r\n]*$")
    headers: dict[str, str | float] = Field(default_factory=dict)
    body: str | None = None
    json_: Any = Field(None, alias="json", description="a JSON body (not with body)")
    weight: Positive = 1


class ConstantStageModel(_Strict):
    kind: Literal["constant"]
    rate: Rate
    duration: Duration


class RampStageModel(_Strict):
    kind: Literal["ramp"]
    from_: Rate = Field(alias="from")
    to: Rate
    duration: Duration


class SpikeStageModel(_Strict):
    kind: Literal["spike"]
    base: Rate
    peak: Rate
    at: Duration
    hold: Duration
    duration: Duration


class CycleStageModel(_Strict):
    kind: Literal["cycle"]
    min: Rate
    max: Rate
    period: Duration
    duration: Duration


Stage = Annotated[
    ConstantStageModel | RampStageModel | SpikeStageModel | CycleStageModel,
    Field(discriminator="kind"),
]


class ThresholdsModel(_Strict):
    mean: LatencyLimit | None = None
    p50: LatencyLimit | None = None
    p90: LatencyLimit | None = None
    p95: LatencyLimit | None = None
    p99: LatencyLimit | None = None
    p99_9: LatencyLimit | None = Field(None, alias="p99.9")
    max: LatencyLimit | None = None
    errorRate: float | None = Field(None, ge=0, le=1)
    droppedRate: float | None = Field(None, ge=0, le=1)


class LoadScriptModel(_Strict):
    """A ``mockbdd load`` script (YAML or JSON)."""

    target: str | None = Field(
        None,
        pattern=r"^http://[^/?#]+(/[^?#]*)?$",
        description="http://host:port with an optional base path; --target overrides it",
    )
    seed: int | None = None
    arrivals: Literal["poisson", "uniform"] = "poisson"
    maxInFlight: int = Field(1000, ge=1)
    timeout: Duration = "5s"
    requests: list[LoadRequestModel] = Field(min_length=1)
    stages: list[Stage] = Field(min_length=1)
    thresholds: ThresholdsModel = Field(default_factory=ThresholdsModel)
