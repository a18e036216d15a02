"""The run's PNG: arrival rate and throughput, then p50 and p99, over time (``mockbdd[plot]``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

PLOT_HINT = "--plot needs matplotlib: pip install 'mockbdd[plot]'"


def plot_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def write_plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    points = report["timeline"]["points"]
    if points:  # the last interval drawn to its end, not as a bare edge
        points = [*points, {**points[-1], "t": points[-1]["t"] + report["timeline"]["intervalS"]}]
    t = [p["t"] for p in points]
    fig, (rates, latency) = plt.subplots(2, 1, sharex=True, figsize=(10, 6), dpi=100)
    rates.plot(
        t,
        [p["arrivalRate"] for p in points],
        label="arrival rate (intended)",
        drawstyle="steps-post",
    )
    rates.plot(
        t, [p["throughput"] for p in points], label="throughput (answers)", drawstyle="steps-post"
    )
    rates.set_ylabel("requests/s")
    rates.legend(loc="upper left")
    rates.grid(alpha=0.3)
    for name in ("p50", "p99"):
        latency.plot(
            t, [p[name] if p[name] is not None else float("nan") for p in points], label=name
        )
    latency.set_ylabel("latency ms (from intended send)")
    latency.set_xlabel("seconds")
    latency.legend(loc="upper left")
    latency.grid(alpha=0.3)
    fig.suptitle(f"mockbdd load: {report['target']} (seed {report['seed']})")
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
