"""The load script (DESIGN §11): parsed once into frozen objects, every mistake named by its field.

A script is YAML or JSON. ``parse_script(data)`` checks the whole of it and raises
:class:`~mockbdd.domain.errors.InvalidInput` (a JSON pointer such as ``/stages/1/rate`` and the
reason, with the valid choices where there are some) for the first mistake; nothing runs until
the script is sound.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml

from mockbdd.domain.errors import InvalidInput
from mockbdd.load.stages import Constant, Cycle, Ramp, Spike, Stage
from mockbdd.records import record

Arrivals = Literal["poisson", "uniform"]
ARRIVALS: tuple[Arrivals, ...] = ("poisson", "uniform")
STAGE_KINDS = ("constant", "ramp", "spike", "cycle")
LATENCY_THRESHOLDS = ("mean", "p50", "p90", "p95", "p99", "p99.9", "max")
RATIO_THRESHOLDS = ("errorRate", "droppedRate")
THRESHOLDS = LATENCY_THRESHOLDS + RATIO_THRESHOLDS
_METHOD_RE = re.compile(r"[A-Z][A-Z-]*\Z")
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\Z")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
DURATION_HINT = "a duration such as 500ms, 30s, 1.5m or 1h"
MAX_DURATION_S = 24 * 3600.0
MAX_RATE = 1_000_000.0


@record
class RequestSpec:
    """One entry of the weighted mix; ``payload`` is the request's bytes, encoded once."""

    name: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    weight: float


@record
class Threshold:
    name: str  # one of THRESHOLDS
    limit: float  # milliseconds for latencies, a fraction for ratios
    text: str  # as written, for the summary


@record
class LoadScript:
    target: str  # origin and optional base path, no trailing slash: http://127.0.0.1:8080/__ns/a
    host: str
    port: int
    base_path: str
    seed: int | None
    arrivals: Arrivals
    max_in_flight: int
    timeout: float  # seconds
    requests: tuple[RequestSpec, ...]
    stages: tuple[Stage, ...]
    thresholds: tuple[Threshold, ...]

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.stages)

    def with_target(self, target: str) -> LoadScript:
        host, port, base = parse_target(target, "--target")
        return _replace_target(self, target.rstrip("/"), host, port, base)

    def payload(self, spec: RequestSpec) -> bytes:
        """The bytes of one request to this target (HTTP/1.1, keep-alive)."""
        host = self.host if ":" not in self.host else f"[{self.host}]"
        lines = [f"{spec.method} {self.base_path}{spec.path} HTTP/1.1", f"Host: {host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in spec.headers]
        if spec.body or spec.method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(spec.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + spec.body


def _replace_target(s: LoadScript, target: str, host: str, port: int, base: str) -> LoadScript:
    return LoadScript(
        target, host, port, base, s.seed, s.arrivals, s.max_in_flight, s.timeout,
        s.requests, s.stages, s.thresholds,
    )  # fmt: skip


# -- parsing -------------------------------------------------------------------------------


def load_script_text(text: str) -> Any:
    """YAML (or JSON, which is YAML) to plain data; a syntax error is the script's mistake."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput("", f"the script is not valid YAML{where}: {problem}") from None


def parse_script(data: Any, *, default_target: str | None = None) -> LoadScript:
    """The whole script checked; ``default_target`` stands in for a missing ``target``."""
    obj = _object(data, "")
    _no_unknown(
        obj,
        "",
        (
            "target",
            "seed",
            "arrivals",
            "maxInFlight",
            "timeout",
            "requests",
            "stages",
            "thresholds",
        ),
    )
    raw_target = obj.get("target", default_target)
    if raw_target is None:
        raise InvalidInput("/target", "is required: the URL to load, e.g. http://127.0.0.1:8080")
    if not isinstance(raw_target, str):
        raise InvalidInput("/target", f"must be a URL string, got {raw_target!r}")
    host, port, base = parse_target(raw_target, "/target")
    seed = obj.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise InvalidInput("/seed", f"must be a whole number, got {seed!r}")
    arrivals = obj.get("arrivals", "poisson")
    if arrivals not in ARRIVALS:
        raise InvalidInput("/arrivals", _choice("arrival process", arrivals, ARRIVALS))
    max_in_flight = obj.get("maxInFlight", 1000)
    if isinstance(max_in_flight, bool) or not isinstance(max_in_flight, int) or max_in_flight < 1:
        raise InvalidInput("/maxInFlight", f"must be a whole number ≥ 1, got {max_in_flight!r}")
    timeout = parse_duration(obj.get("timeout", "5s"), "/timeout")
    if timeout <= 0:
        raise InvalidInput("/timeout", "must be longer than 0")
    return LoadScript(
        target=raw_target.rstrip("/"),
        host=host,
        port=port,
        base_path=base,
        seed=seed,
        arrivals=arrivals,
        max_in_flight=max_in_flight,
        timeout=timeout,
        requests=_requests(obj.get("requests")),
        stages=_stages(obj.get("stages")),
        thresholds=_thresholds(obj.get("thresholds", {})),
    )


def parse_target(target: str, pointer: str) -> tuple[str, int, str]:
    parts = urlsplit(target.strip())
    if parts.scheme == "https":
        raise InvalidInput(
            pointer, "https is not supported: the load generator speaks plain HTTP/1.1"
        )
    if parts.scheme != "http" or not parts.hostname:
        raise InvalidInput(
            pointer, f"must be an http:// URL such as http://127.0.0.1:8080, got {target!r}"
        )
    if parts.query or parts.fragment:
        raise InvalidInput(
            pointer, "must not have a query or fragment: put them in each request's path"
        )
    try:
        port = parts.port or 80
    except ValueError:
        raise InvalidInput(pointer, f"has a bad port: {target!r}") from None
    return parts.hostname, port, parts.path.rstrip("/")


def parse_duration(value: object, pointer: str, bare: str = "s") -> float:
    """``500ms``, ``30s``, ``1.5m``, ``1h`` → seconds; a bare number is in ``bare`` units
    (seconds for durations, milliseconds for latency thresholds, as in k6)."""
    if isinstance(value, bool):
        raise InvalidInput(pointer, f"must be {DURATION_HINT}, got {value!r}")
    seconds: float | None = None
    if isinstance(value, int | float):
        seconds = float(value) * _UNIT_S[bare]
    elif isinstance(value, str):
        match = _DURATION_RE.match(value.strip())
        if match:
            seconds = float(match.group(1)) * _UNIT_S[match.group(2) or "s"]
    if seconds is None or not math.isfinite(seconds):
        raise InvalidInput(pointer, f"must be {DURATION_HINT}, got {value!r}")
    if seconds < 0:
        raise InvalidInput(pointer, f"must not be negative, got {value!r}")
    if seconds > MAX_DURATION_S:
        raise InvalidInput(pointer, f"must be at most 24h, got {value!r}")
    return seconds


def _requests(raw: Any) -> tuple[RequestSpec, ...]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(
            "/requests", "must be a non-empty list of requests, e.g. [{method: GET, path: /}]"
        )
    return tuple(_request(item, f"/requests/{i}") for i, item in enumerate(raw))


def _request(raw: Any, ptr: str) -> RequestSpec:
    obj = _object(raw, ptr)
    _no_unknown(obj, ptr, ("name", "method", "path", "headers", "body", "json", "weight"))
    method = obj.get("method", "GET")
    if not isinstance(method, str) or not _METHOD_RE.match(method):
        raise InvalidInput(
            f"{ptr}/method", f"must be an HTTP method in capitals (GET, POST, ...), got {method!r}"
        )
    path = obj.get("path")
    if not isinstance(path, str) or not path.startswith("/") or any(c in path for c in " \r\n"):
        raise InvalidInput(
            f"{ptr}/path", f"must be a path starting with '/' and without spaces, got {path!r}"
        )
    headers = obj.get("headers", {})
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int | float) for k, v in headers.items()
    ):
        raise InvalidInput(
            f"{ptr}/headers", "must map header names to values, e.g. {Accept: application/json}"
        )
    pairs = [(k, str(v)) for k, v in headers.items()]
    for name, value in pairs:
        if not name or any(c in name + value for c in "\r\n") or ":" in name:
            raise InvalidInput(f"{ptr}/headers/{name}", "header names and values must be one line")
    framing = {k.lower() for k, _ in pairs} & {"content-length", "transfer-encoding", "host"}
    if framing:
        raise InvalidInput(f"{ptr}/headers", f"{sorted(framing)[0]} is set by the load generator")
    if "body" in obj and "json" in obj:
        raise InvalidInput(ptr, "give either body or json, not both")
    body = b""
    if "json" in obj:
        import json

        body = json.dumps(obj["json"], separators=(",", ":")).encode()
        if "content-type" not in {k.lower() for k, _ in pairs}:
            pairs.append(("Content-Type", "application/json"))
    elif "body" in obj:
        if not isinstance(obj["body"], str):
            raise InvalidInput(f"{ptr}/body", "must be a string (use json: for a JSON body)")
        body = obj["body"].encode()
    weight = obj.get("weight", 1)
    if (
        isinstance(weight, bool)
        or not isinstance(weight, int | float)
        or not weight > 0
        or not math.isfinite(weight)
    ):
        raise InvalidInput(f"{ptr}/weight", f"must be a number above 0, got {weight!r}")
    name = obj.get("name", f"{method} {path}")
    if not isinstance(name, str) or not name:
        raise InvalidInput(f"{ptr}/name", f"must be a non-empty string, got {name!r}")
    return RequestSpec(name, method, path, tuple(pairs), body, float(weight))


_STAGE_FIELDS = {
    "constant": ("rate", "duration"),
    "ramp": ("from", "to", "duration"),
    "spike": ("base", "peak", "at", "hold", "duration"),
    "cycle": ("min", "max", "period", "duration"),
}


def _stages(raw: Any) -> tuple[Stage, ...]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(
            "/stages",
            "must be a non-empty list of stages, e.g. [{kind: constant, rate: 100, duration: 10s}]",
        )
    stages = tuple(_stage(item, f"/stages/{i}") for i, item in enumerate(raw))
    if sum(s.duration for s in stages) > MAX_DURATION_S:
        raise InvalidInput("/stages", "the stages last more than 24h together")
    return stages


def _stage(raw: Any, ptr: str) -> Stage:
    obj = _object(raw, ptr)
    kind = obj.get("kind")
    if kind not in _STAGE_FIELDS:
        raise InvalidInput(f"{ptr}/kind", _choice("stage kind", kind, STAGE_KINDS))
    fields = _STAGE_FIELDS[kind]
    _no_unknown(obj, ptr, ("kind", *fields))
    for name in fields:
        if name not in obj:
            raise InvalidInput(
                f"{ptr}/{name}", f"is required for a {kind} stage ({', '.join(fields)})"
            )
    duration = parse_duration(obj["duration"], f"{ptr}/duration")
    if duration <= 0:
        raise InvalidInput(f"{ptr}/duration", "must be longer than 0")
    if kind == "constant":
        return Constant(_rate(obj, "rate", ptr, positive=True), duration)
    if kind == "ramp":
        start, end = _rate(obj, "from", ptr), _rate(obj, "to", ptr)
        if start == 0 and end == 0:
            raise InvalidInput(f"{ptr}/to", "a ramp from 0 to 0 sends nothing: use a rate above 0")
        return Ramp(start, end, duration)
    if kind == "spike":
        base, peak = _rate(obj, "base", ptr), _rate(obj, "peak", ptr, positive=True)
        at, hold = (
            parse_duration(obj["at"], f"{ptr}/at"),
            parse_duration(obj["hold"], f"{ptr}/hold"),
        )
        if hold <= 0:
            raise InvalidInput(f"{ptr}/hold", "must be longer than 0")
        if at + hold > duration + 1e-9:
            raise InvalidInput(
                f"{ptr}/hold", f"the spike ends at {at + hold:g}s, after the stage's {duration:g}s"
            )
        return Spike(base, peak, at, hold, duration)
    low, high = _rate(obj, "min", ptr), _rate(obj, "max", ptr, positive=True)
    if high <= low:
        raise InvalidInput(f"{ptr}/max", f"must be above min ({low:g}), got {high:g}")
    period = parse_duration(obj["period"], f"{ptr}/period")
    if period <= 0:
        raise InvalidInput(f"{ptr}/period", "must be longer than 0")
    return Cycle(low, high, period, duration)


def _rate(obj: Mapping[str, Any], name: str, ptr: str, *, positive: bool = False) -> float:
    value = obj[name]
    ok = not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
    if not ok or value < 0 or (positive and value == 0):
        need = "above 0" if positive else "0 or more"
        raise InvalidInput(
            f"{ptr}/{name}", f"must be a rate in requests per second, {need}, got {value!r}"
        )
    if value > MAX_RATE:
        raise InvalidInput(f"{ptr}/{name}", f"must be at most {MAX_RATE:,.0f} requests per second")
    return float(value)


def _thresholds(raw: Any) -> tuple[Threshold, ...]:
    obj = _object(raw, "/thresholds")
    out = []
    for name, value in obj.items():
        ptr = f"/thresholds/{name}"
        if name not in THRESHOLDS:
            raise InvalidInput(ptr, _choice("threshold", name, THRESHOLDS))
        if name in LATENCY_THRESHOLDS:
            out.append(Threshold(name, parse_duration(value, ptr, "ms") * 1000.0, str(value)))
            continue
        ok = not isinstance(value, bool) and isinstance(value, int | float)
        if not ok or not 0 <= value <= 1:
            raise InvalidInput(
                ptr, f"must be a fraction between 0 and 1 (0.01 is 1 %), got {value!r}"
            )
        out.append(Threshold(name, float(value), str(value)))
    return tuple(out)


def _object(raw: Any, ptr: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        what = ptr if ptr else "the script"
        raise InvalidInput(ptr, f"{what} must be a mapping, got {type(raw).__name__}")
    bad = [k for k in raw if not isinstance(k, str)]
    if bad:
        raise InvalidInput(ptr, f"field names must be strings, got {bad[0]!r}")
    return raw


def _no_unknown(obj: Mapping[str, Any], ptr: str, known: tuple[str, ...]) -> None:
    for name in obj:
        if name not in known:
            raise InvalidInput(f"{ptr}/{name}", _choice("field", name, known, unknown=True))


def _choice(label: str, given: object, valid: tuple[str, ...], *, unknown: bool = False) -> str:
    import difflib  # only when a close name is wanted (idle RSS)

    close = difflib.get_close_matches(given, valid, n=1) if isinstance(given, str) else []
    hint = f"; did you mean {close[0]!r}?" if close else ""
    head = (
        f"unknown {label} {given!r}" if unknown or given is not None else f"a {label} is required"
    )
    return f"{head} (valid: {', '.join(valid)}){hint}"
