"""The run's report (JSON), its thresholds, and the k6-like summary printed at the end."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from mockbdd.load.runner import LoadRun
from mockbdd.load.script import Threshold
from mockbdd.load.stages import Stage
from mockbdd.load.stats import StageStats, latency_summary


def _stage_json(stats: StageStats, duration: float, target: float, kind: str) -> dict[str, Any]:
    scheduled = stats.scheduled
    return {
        "kind": kind,
        "durationS": round(duration, 3),
        "targetRate": round(target, 3),
        "scheduled": scheduled,
        "sent": stats.sent,
        "completed": stats.completed,
        "failed": stats.failed,
        "dropped": stats.dropped,
        "achievedRate": round(stats.sent_on_time / duration, 3) if duration else 0.0,
        # the share of the scheduled requests not sent within the stage (dropped or late)
        "rateError": round(1 - stats.sent_on_time / scheduled, 5) if scheduled else 0.0,
        "throughput": round((stats.completed) / duration, 3) if duration else 0.0,
        "errorRate": round(stats.failed / stats.sent, 5) if stats.sent else 0.0,
        "droppedRate": round(stats.dropped / scheduled, 5) if scheduled else 0.0,
        "errors": dict(sorted(stats.errors.items())),
        "statusCodes": {str(k): v for k, v in sorted(stats.statuses.items())},
        "latencyMs": latency_summary(stats.latency),
    }


def _target(stage: Stage) -> float:
    return stage.expected(stage.duration) / stage.duration


def build_report(run: LoadRun) -> dict[str, Any]:
    script = run.script
    stages = [
        _stage_json(stats, stage.duration, _target(stage), stage.kind)
        for stats, stage in zip(run.stages, script.stages, strict=True)
    ]
    total = StageStats()
    for stats in run.stages:
        total.merge(stats)
    duration = script.duration
    expected = sum(s.expected(s.duration) for s in script.stages)
    summary = _stage_json(total, duration, expected / duration, "total")
    lag = latency_summary(run.send_lag)
    checks = [_check(t, summary) for t in script.thresholds]
    return {
        "target": script.target,
        "seed": run.seed,
        "arrivals": script.arrivals,
        "maxInFlight": script.max_in_flight,
        "timeoutMs": round(script.timeout * 1000, 3),
        "state": run.state,
        "startedAt": datetime.fromtimestamp(run.started_at, tz=timezone.utc)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "elapsedS": round(run.elapsed, 3),
        "total": summary,
        "stages": stages,
        "requests": [
            {"name": spec.name, "weight": spec.weight, "sent": sent}
            for spec, sent in zip(script.requests, run.sent_by_request, strict=True)
        ],
        "sendLagMs": {k: lag[k] for k in ("p50", "p99", "max")},
        "timeline": run.timeline.json(),
        "thresholds": checks,
        "passed": all(c["passed"] for c in checks),
    }


def _check(threshold: Threshold, total: dict[str, Any]) -> dict[str, Any]:
    if threshold.name in ("errorRate", "droppedRate"):
        actual = total[threshold.name]
    else:
        actual = total["latencyMs"][threshold.name]
    # no answer at all has no latency: a latency threshold over nothing is crossed
    passed = actual is not None and actual <= threshold.limit
    return {"name": threshold.name, "limit": threshold.text, "actual": actual, "passed": passed}


# -- the summary ---------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value / 1000:.2f}s"
    if value >= 1:
        return f"{value:.2f}ms"
    return f"{value * 1000:.0f}µs"


def _line(label: str, value: str) -> str:
    return f"     {label.ljust(30, '.')}: {value}"


def summary_text(report: dict[str, Any]) -> str:
    """What k6 prints at the end: the totals, each stage, then each threshold ✓ or ✗."""
    total = report["total"]
    lat = total["latencyMs"]
    elapsed = report["elapsedS"] or 1e-9
    lines = [
        f"  execution: open model, {report['arrivals']} arrivals, seed {report['seed']}, "
        f"maxInFlight {report['maxInFlight']}",
        f"     target: {report['target']}",
        "",
        _line("http_reqs", f"{total['sent']}  {total['sent'] / elapsed:.1f}/s"),
        _line(
            "http_req_duration",
            "avg={} min={} med={} p(90)={} p(99)={} p(99.9)={} max={}".format(
                _ms(lat["mean"]),
                _ms(lat["min"]),
                _ms(lat["p50"]),
                _ms(lat["p90"]),
                _ms(lat["p99"]),
                _ms(lat["p99.9"]),
                _ms(lat["max"]),
            ),
        ),
        _line(
            "http_req_failed",
            f"{total['errorRate'] * 100:.2f}%  {total['failed']} out of {total['sent']}",
        ),
    ]
    if total["errors"]:
        lines.append(_line("errors", ", ".join(f"{k}={v}" for k, v in total["errors"].items())))
    lines += [
        _line("dropped_iterations", f"{total['dropped']}  (maxInFlight reached)"),
        _line(
            "send_lag",
            f"p(50)={_ms(report['sendLagMs']['p50'])} p(99)={_ms(report['sendLagMs']['p99'])}",
        ),
        _line(
            "achieved_rate", f"{total['achievedRate']:.1f}/s of {total['targetRate']:.1f}/s planned"
        ),
        "",
        "     stage  kind       target/s  achieved/s  sent      failed  p50       p99",
    ]
    for i, st in enumerate(report["stages"]):
        sl = st["latencyMs"]
        lines.append(
            f"     {i:<6} {st['kind']:<10} {st['targetRate']:>8.1f}  {st['achievedRate']:>10.1f}  "
            f"{st['sent']:<9} {st['failed']:<7} {_ms(sl['p50']):<9} {_ms(sl['p99'])}"
        )
    if report["thresholds"]:
        lines.append("")
        for check in report["thresholds"]:
            mark = "✓" if check["passed"] else "✗"
            actual = check["actual"]
            shown = (
                "-" if actual is None
                else f"{actual:.4g}" if check["name"] in ("errorRate", "droppedRate")
                else _ms(actual)
            )  # fmt: skip
            lines.append(f"   {mark} {check['name']} <= {check['limit']}  (actual {shown})")
    if report["state"] == "cancelled":
        lines += ["", "   the run was cancelled: the figures cover what it sent"]
    return "\n".join(lines)
