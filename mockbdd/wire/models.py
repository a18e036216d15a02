"""Pydantic models of WireMock's StubMapping JSON: the shape check at the wire edge, and the
source of the JSON Schema ``mockbdd schema`` prints (``tagmaps/schema.py``).

What the registry decides (content operators, delay types, faults, transformers, custom
matchers) is typed loosely here and checked by the codecs against the server's extensions; in
the schema those fields are marked (``DEF_REF``) and become ``$ref``s to definitions
that ``tagmaps/schema.py`` generates from the registry. Rules across
fields that the builders check (one URL field, one body field) are in ``json_schema_extra``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from mockbdd.domain.delays import MAX_DELAY_MS
from mockbdd.wire.limits import ConcurrencyJson, RateLimitJson
from mockbdd.wire.refs import (
    DelayDistributionJson,
    FaultName,
    MultiValuePatternJson,
    PatternJson,
    TransformerName,
)
from mockbdd.wire.refs import ref as _ref
from mockbdd.wire.sim_models import BandwidthModel, ChaosModel, DegradationModel, NetworkModel

URL_FIELDS = ("url", "urlPattern", "urlPath", "urlPathPattern", "urlPathTemplate")
BODY_FIELDS = ("body", "jsonBody", "base64Body", "bodyFileName", "sse", "jsonBodyFromSchema")


def at_most_one(*groups: tuple[str, ...]) -> dict[str, Any]:
    """JSON Schema: no two fields of any group together."""
    pairs = [[a, b] for fields in groups for i, a in enumerate(fields) for b in fields[i + 1 :]]
    return {"not": {"anyOf": [{"required": pair} for pair in pairs]}}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BasicAuthModel(_Strict):
    username: str
    password: str


class CustomMatcherModel(_Strict):
    """WireMock's ``customMatcher``: a matcher registered by a plugin, and its parameters."""

    name: Annotated[str, _ref("CustomMatcherName")]
    parameters: dict[str, Any] = {}


class RequestPatternModel(_Strict):
    model_config = ConfigDict(
        json_schema_extra={
            **at_most_one(URL_FIELDS, ("basicAuth", "basicAuthCredentials")),
            "dependentRequired": {"pathParameters": ["urlPathTemplate"]},
        }
    )

    method: str = "ANY"
    url: str | None = None
    urlPattern: str | None = None
    urlPath: str | None = None
    urlPathPattern: str | None = None
    urlPathTemplate: str | None = None
    pathParameters: dict[str, PatternJson] | None = None
    queryParameters: dict[str, MultiValuePatternJson] | None = None
    headers: dict[str, MultiValuePatternJson] | None = None
    cookies: dict[str, MultiValuePatternJson] | None = None
    formParameters: dict[str, MultiValuePatternJson] | None = None
    basicAuthCredentials: BasicAuthModel | None = None
    basicAuth: BasicAuthModel | None = None  # the name WireMock's JSON reader takes
    bodyPatterns: list[PatternJson] | None = None
    host: PatternJson | str | None = None
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    scheme: Literal["http", "https"] | None = None
    clientIp: PatternJson | None = None
    customMatcher: CustomMatcherModel | None = None


WholeMilliseconds = Annotated[int, Field(ge=0, le=MAX_DELAY_MS)]


class ChunkedDribbleModel(_Strict):
    numberOfChunks: Annotated[int, Field(ge=1, le=10_000)]
    totalDuration: WholeMilliseconds


class SseEventModel(_Strict):
    data: Any  # text as it is; any other JSON value is written as compact JSON
    event: str | None = None
    id: str | None = None
    delayMs: WholeMilliseconds | None = None


class SseModel(_Strict):
    events: list[SseEventModel]
    retry: Annotated[int, Field(ge=0)] | None = None


class ResponseDefinitionModel(_Strict):
    model_config = ConfigDict(
        json_schema_extra=at_most_one(BODY_FIELDS, ("fixedDelayMilliseconds", "delayDistribution"))
    )

    status: Annotated[int, Field(ge=100, le=599)] = 200
    statusMessage: str | None = None
    headers: dict[str, str | list[str]] | None = None
    body: str | None = None
    jsonBody: Any = None
    # answered with valid data made with Faker (the same for the same --seed)
    jsonBodyFromSchema: dict[str, Any] | None = None
    base64Body: str | None = None
    bodyFileName: str | None = None
    fixedDelayMilliseconds: WholeMilliseconds | None = None
    delayDistribution: DelayDistributionJson | None = None
    chunkedDribbleDelay: ChunkedDribbleModel | None = None
    fault: FaultName | None = None
    proxyBaseUrl: str | None = None
    proxyUrlPrefixToRemove: str | None = None
    additionalProxyRequestHeaders: dict[str, str] | None = None
    removeProxyRequestHeaders: list[str] | None = None
    transformers: list[TransformerName] | None = None
    transformerParameters: dict[str, Any] | None = None
    sse: SseModel | None = None
    rateLimit: RateLimitJson | None = None  # DESIGN §11 limits of this stub
    concurrency: ConcurrencyJson | None = None
    # the stub's own simulation settings (DESIGN §11), as a namespace's settings take them
    chaos: ChaosModel | None = None
    network: NetworkModel | None = None
    bandwidth: BandwidthModel | None = None
    degradation: DegradationModel | None = None


class SequenceItemModel(ResponseDefinitionModel):
    times: Annotated[int, Field(ge=1)] = 1


STUB_SCHEMA_EXTRA: dict[str, Any] = {
    "oneOf": [
        {"required": ["response"]},
        {"required": ["responses"]},
        {"required": ["webSocket"]},
    ],
    "dependentRequired": {
        "whenExhausted": ["responses"],
        "requiredScenarioState": ["scenarioName"],
        "newScenarioState": ["scenarioName"],
    },
}


class ServeEventListenerModel(_Strict):
    """One of a stub's ``serveEventListeners`` (WireMock's ServeEventListenerDefinition)."""

    name: str
    parameters: dict[str, Any] | None = None
    requestPhases: (
        list[Literal["BEFORE_MATCH", "AFTER_MATCH", "BEFORE_RESPONSE_SENT", "AFTER_COMPLETE"]]
        | None
    ) = None


# checked by wire/mappings.py (mockbdd's message, not pydantic's); the schema says it too
StubId = Annotated[str, Field(json_schema_extra={"format": "uuid"})]


class WsSendModel(_Strict):
    """One WebSocket message to send: ``text``, ``json`` (sent as compact JSON text) or
    ``base64`` (a binary frame), after ``delayMs``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    text: str | None = None
    json_: Any = Field(None, alias="json")
    base64: str | None = None
    delayMs: Annotated[int, Field(ge=0, le=MAX_DELAY_MS)] | None = None


class WsCloseModel(_Strict):
    code: Annotated[int, Field(ge=1000, le=4999)] = 1000
    reason: Annotated[str, Field(max_length=123)] = ""  # a close frame holds 125 bytes
    afterMs: Annotated[int, Field(ge=0, le=MAX_DELAY_MS)] = 0


class WsOnMessageModel(_Strict):
    match: dict[str, Any]  # a content pattern over the message text: {"contains": "ping"}
    reply: list[WsSendModel] = []
    close: WsCloseModel | None = None


class WsPeriodicModel(_Strict):
    everyMs: Annotated[int, Field(ge=1, le=MAX_DELAY_MS)]
    send: WsSendModel
    count: Annotated[int, Field(ge=1)] | None = None


class WsRateLimitModel(_Strict):
    """``rateLimit`` of a ``webSocket`` stub: ``messages`` from the client per ``periodMs``
    on each connection (``burst`` at once); past it the connection is closed (1008) or the
    message is ignored (``onExceed: drop``)."""

    messages: Annotated[int, Field(ge=1, le=1_000_000_000)]
    periodMs: Annotated[int, Field(ge=1, le=86_400_000)]
    burst: Annotated[int, Field(ge=1, le=1_000_000_000)] | None = None
    onExceed: Literal["close", "drop"] = "close"


class WebSocketModel(_Strict):
    """A ``webSocket`` stub's script (DESIGN §14), instead of a ``response``; ``transformers``
    (``response-template`` or ``jinja``) render what it sends, and the delay, chaos, network
    and rate limit apply to its messages."""

    onConnect: list[WsSendModel] = []
    onMessage: list[WsOnMessageModel] = []
    periodic: list[WsPeriodicModel] = []
    close: WsCloseModel | None = None
    transformers: list[TransformerName] | None = None
    transformerParameters: dict[str, Any] | None = None
    fixedDelayMilliseconds: Annotated[int, Field(ge=0, le=MAX_DELAY_MS)] | None = None
    delayDistribution: DelayDistributionJson | None = None
    chaos: ChaosModel | None = None
    network: NetworkModel | None = None
    rateLimit: WsRateLimitModel | None = None


class StubMappingModel(_Strict):
    model_config = ConfigDict(json_schema_extra=STUB_SCHEMA_EXTRA)

    id: StubId | None = None
    uuid: StubId | None = None
    name: str | None = None
    priority: int | None = None  # any integer: real WireMock 3.13.2 takes 0 and negatives
    request: RequestPatternModel = RequestPatternModel()
    response: ResponseDefinitionModel | None = None
    responses: Annotated[list[SequenceItemModel], Field(min_length=1)] | None = None
    webSocket: WebSocketModel | None = None
    whenExhausted: Literal["repeatLast", "loop", "notFound"] | None = None
    scenarioName: str | None = None
    requiredScenarioState: str | None = None
    newScenarioState: str | None = None
    metadata: dict[str, Any] | None = None
    persistent: bool | None = None
    insertionIndex: int | None = None
    # WireMock 3's list form; WireMock 2's object form ({"webhook": {...}}) for postServeActions
    postServeActions: list[ServeEventListenerModel] | dict[str, dict[str, Any]] | None = None
    serveEventListeners: list[ServeEventListenerModel] | None = None


class ImportOptionsModel(_Strict):
    """``importOptions`` of ``POST /mappings/import``."""

    duplicatePolicy: Literal["OVERWRITE", "IGNORE"] = "OVERWRITE"
    deleteAllNotInImport: StrictBool = False
