"""``rateLimit`` and ``concurrency`` JSON (settings and response fields, DESIGN §11) ⇄ domain
limits. Checked here, field by field, so a bad value is refused whole with its pointer, the
reason and the valid values; the pydantic models are the schema ``mockbdd schema`` shows."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from mockbdd.domain.delays import MAX_DELAY_MS
from mockbdd.domain.errors import InvalidInput, unknown_field
from mockbdd.domain.limits import (
    DEFAULT_QUEUE_TIMEOUT_MS,
    RATE_LIMIT_KEYS,
    ConcurrencyLimit,
    RateLimit,
)

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
MAX_PERIOD_MS = 86_400_000  # a day
MAX_COUNT = 1_000_000_000
MAX_QUEUE_DEPTH = 100_000
BUCKET_PATTERN = r"^[A-Za-z0-9_.:/-]{1,128}$"
_BUCKET = re.compile(BUCKET_PATTERN)


# The two models only describe (the schema, the field names): the checks are the functions
# below. defer_build: pydantic never builds their validators (compiling each ``pattern`` costs
# pydantic-core 0.5 MiB of RSS), and their schemas are made when a schema is (_SchemaOf).
class RateLimitModel(BaseModel):
    """``rateLimit``: a token bucket of ``burst`` (default ``requests``) tokens, refilled at
    ``requests`` per ``periodMs``."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    requests: Annotated[int, Field(ge=1, le=MAX_COUNT)]
    periodMs: Annotated[int, Field(ge=1, le=MAX_PERIOD_MS)]
    burst: Annotated[int, Field(ge=1, le=MAX_COUNT)] | None = None
    key: Annotated[
        str,
        Field(
            pattern=r"^(namespace|ip|header:[!#$%&'*+\-.^_`|~0-9A-Za-z]+)$",
            description="namespace, ip or header:<Name>",
        ),
    ] = "namespace"
    status: Annotated[int, Field(ge=400, le=599)] = 429
    bucket: Annotated[str, Field(pattern=BUCKET_PATTERN)] | None = None


class ConcurrencyModel(BaseModel):
    """``concurrency``: ``maxInFlight`` answered at once, ``queueDepth`` more waiting (FIFO)
    up to ``queueTimeoutMs`` each; the rest answered ``rejectStatus``."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    maxInFlight: Annotated[int, Field(ge=1, le=MAX_COUNT)]
    queueDepth: Annotated[int, Field(ge=0, le=MAX_QUEUE_DEPTH)] = 0
    queueTimeoutMs: Annotated[int, Field(ge=0, le=MAX_DELAY_MS)] = DEFAULT_QUEUE_TIMEOUT_MS
    rejectStatus: Annotated[int, Field(ge=400, le=599)] = 503
    bucket: Annotated[str, Field(pattern=BUCKET_PATTERN)] | None = None


class _SchemaOf:
    """JSON Schema metadata, as ``WithJsonSchema(model.model_json_schema())`` but generated
    when a schema is (``mockbdd schema``), not when the models using it are built."""

    __slots__ = ("model",)

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return self.model.model_json_schema()


RateLimitJson = Annotated[dict[str, Any], _SchemaOf(RateLimitModel)]
ConcurrencyJson = Annotated[dict[str, Any], _SchemaOf(ConcurrencyModel)]


def _object(obj: Any, pointer: str, fields: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise InvalidInput(pointer, f"must be an object with {', '.join(fields)}")
    unknown = sorted(set(obj) - set(fields))
    if unknown:
        raise InvalidInput(f"{pointer}/{unknown[0]}", unknown_field(unknown[0], fields))
    return obj


def _optional(obj: dict[str, Any], name: str, pointer: str, low: int, high: int) -> int | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(
            f"{pointer}/{name}", f"must be a whole number in {low}..{high}, got {value!r}"
        )
    return value


def _whole(obj: dict[str, Any], name: str, pointer: str, low: int, high: int, default: int) -> int:
    value = _optional(obj, name, pointer, low, high)
    return default if value is None else value


def _required(obj: dict[str, Any], name: str, pointer: str, low: int, high: int, what: str) -> int:
    value = _optional(obj, name, pointer, low, high)
    if value is None:
        raise InvalidInput(f"{pointer}/{name}", f"is required: {what}")
    return value


def _bucket(obj: dict[str, Any], pointer: str) -> str | None:
    value = obj.get("bucket")
    if value is None:
        return None
    if not isinstance(value, str) or _BUCKET.match(value) is None:
        raise InvalidInput(
            f"{pointer}/bucket",
            f"must be 1 to 128 letters, digits or _.:/- (stubs naming the same bucket share it),"
            f" got {value!r}",
        )
    return value


def parse_rate_limit(obj: Any, pointer: str) -> RateLimit:
    fields = tuple(RateLimitModel.model_fields)
    data = _object(obj, pointer, fields)
    requests = _required(
        data, "requests", pointer, 1, MAX_COUNT, "how many requests each period lets through"
    )
    period = _required(data, "periodMs", pointer, 1, MAX_PERIOD_MS, "the period in milliseconds")
    burst = _optional(data, "burst", pointer, 1, MAX_COUNT)
    key = data.get("key", "namespace")
    if not isinstance(key, str) or not (
        key in ("namespace", "ip")
        or (key.startswith("header:") and _TOKEN.fullmatch(key[7:]) is not None)
    ):
        raise InvalidInput(
            f"{pointer}/key", f"must be one of {', '.join(RATE_LIMIT_KEYS)}, got {key!r}"
        )
    if key.startswith("header:"):
        key = "header:" + key[7:].lower()
    status = _whole(data, "status", pointer, 400, 599, 429)
    return RateLimit(requests, period, burst, key, status, _bucket(data, pointer))


def parse_concurrency(obj: Any, pointer: str) -> ConcurrencyLimit:
    fields = tuple(ConcurrencyModel.model_fields)
    data = _object(obj, pointer, fields)
    most = _required(
        data, "maxInFlight", pointer, 1, MAX_COUNT, "how many requests are answered at once"
    )
    depth = _whole(data, "queueDepth", pointer, 0, MAX_QUEUE_DEPTH, 0)
    timeout = _whole(data, "queueTimeoutMs", pointer, 0, MAX_DELAY_MS, DEFAULT_QUEUE_TIMEOUT_MS)
    status = _whole(data, "rejectStatus", pointer, 400, 599, 503)
    return ConcurrencyLimit(most, depth, timeout, status, _bucket(data, pointer))


def rate_limit_json(limit: RateLimit) -> dict[str, Any]:
    data: dict[str, Any] = {"requests": limit.requests, "periodMs": limit.period_ms}
    if limit.burst is not None:
        data["burst"] = limit.burst
    data["key"] = limit.key
    data["status"] = limit.status
    if limit.bucket is not None:
        data["bucket"] = limit.bucket
    return data


def concurrency_json(limit: ConcurrencyLimit) -> dict[str, Any]:
    data: dict[str, Any] = {
        "maxInFlight": limit.max_in_flight,
        "queueDepth": limit.queue_depth,
        "queueTimeoutMs": limit.queue_timeout_ms,
        "rejectStatus": limit.reject_status,
    }
    if limit.bucket is not None:
        data["bucket"] = limit.bucket
    return data
