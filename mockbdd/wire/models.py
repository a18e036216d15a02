"""Pydantic models of WireMock's StubMapping JSON: the shape check at the wire edge."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from mockbdd.domain.delays import MAX_DELAY_MS

PatternJson = dict[str, Any]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BasicAuthModel(_Strict):
    username: str
    password: str


class RequestPatternModel(_Strict):
    method: str = "ANY"
    url: str | None = None
    urlPattern: str | None = None
    urlPath: str | None = None
    urlPathPattern: str | None = None
    urlPathTemplate: str | None = None
    pathParameters: dict[str, PatternJson] | None = None
    queryParameters: dict[str, PatternJson] | None = None
    headers: dict[str, PatternJson] | None = None
    cookies: dict[str, PatternJson] | None = None
    formParameters: dict[str, PatternJson] | None = None
    basicAuthCredentials: BasicAuthModel | None = None
    basicAuth: BasicAuthModel | None = None  # the name WireMock's JSON reader takes
    bodyPatterns: list[PatternJson] | None = None
    host: PatternJson | str | None = None
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    scheme: Literal["http", "https"] | None = None
    clientIp: PatternJson | None = None


MAX_SIGMA = 20.0  # lognormal spread; e**20 ≈ 5e8 already dwarfs any useful ratio

# finite (JSON ``1e400``, ``Infinity`` and ``NaN`` are refused) and bounded
Milliseconds = Annotated[float, Field(ge=0, le=MAX_DELAY_MS, allow_inf_nan=False)]
WholeMilliseconds = Annotated[int, Field(ge=0, le=MAX_DELAY_MS)]


class FixedDistribution(_Strict):
    type: Literal["fixed"]
    milliseconds: Milliseconds


class UniformDistribution(_Strict):
    type: Literal["uniform"]
    lower: Milliseconds
    upper: Milliseconds


class LogNormalDistribution(_Strict):
    type: Literal["lognormal"]
    median: Milliseconds
    sigma: Annotated[float, Field(ge=0, le=MAX_SIGMA, allow_inf_nan=False)]
    maxValue: Milliseconds | None = None


DelayDistributionModel = Annotated[
    FixedDistribution | UniformDistribution | LogNormalDistribution, Field(discriminator="type")
]


class ChunkedDribbleModel(_Strict):
    numberOfChunks: Annotated[int, Field(ge=1, le=10_000)]
    totalDuration: WholeMilliseconds


FaultName = Literal[
    "CONNECTION_RESET_BY_PEER",
    "EMPTY_RESPONSE",
    "MALFORMED_RESPONSE_CHUNK",
    "RANDOM_DATA_THEN_CLOSE",
]


class ResponseDefinitionModel(_Strict):
    status: Annotated[int, Field(ge=100, le=599)] = 200
    statusMessage: str | None = None
    headers: dict[str, str | list[str]] | None = None
    body: str | None = None
    jsonBody: Any = None
    base64Body: str | None = None
    bodyFileName: str | None = None
    fixedDelayMilliseconds: WholeMilliseconds | None = None
    delayDistribution: DelayDistributionModel | None = None
    chunkedDribbleDelay: ChunkedDribbleModel | None = None
    fault: FaultName | None = None
    proxyBaseUrl: str | None = None
    proxyUrlPrefixToRemove: str | None = None
    additionalProxyRequestHeaders: dict[str, str] | None = None
    removeProxyRequestHeaders: list[str] | None = None
    transformers: list[str] | None = None
    transformerParameters: dict[str, Any] | None = None


class SequenceItemModel(ResponseDefinitionModel):
    times: Annotated[int, Field(ge=1)] = 1


class StubMappingModel(_Strict):
    id: str | None = None
    uuid: str | None = None
    name: str | None = None
    priority: int | None = None  # any integer: real WireMock 3.13.2 takes 0 and negatives
    request: RequestPatternModel = RequestPatternModel()
    response: ResponseDefinitionModel | None = None
    responses: Annotated[list[SequenceItemModel], Field(min_length=1)] | None = None
    whenExhausted: Literal["repeatLast", "loop", "notFound"] | None = None
    scenarioName: str | None = None
    requiredScenarioState: str | None = None
    newScenarioState: str | None = None
    metadata: dict[str, Any] | None = None
    persistent: bool | None = None
    insertionIndex: int | None = None
    postServeActions: Any = None
    serveEventListeners: Any = None


class ImportOptionsModel(_Strict):
    """``importOptions`` of ``POST /mappings/import``."""

    duplicatePolicy: Literal["OVERWRITE", "IGNORE"] = "OVERWRITE"
    deleteAllNotInImport: StrictBool = False
