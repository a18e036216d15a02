"""``mockbdd load`` and ``/__admin/load-runs`` against a mockbdd server started here, over real
sockets: exit codes, the report's shape and its agreement with the server's journal, seeded
reproducibility, latency taken from the intended send time, the admin routes."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mockbdd.load import progress
from mockbdd.load.report import build_report
from mockbdd.load.runner import LoadRun
from mockbdd.load.script import parse_script
from mockbdd.server.embedded import MockServer


def stub(server: MockServer, url: str, status: int = 200, delay_ms: int = 0) -> None:
    response: dict[str, Any] = {"status": status, "body": "ok"}
    if delay_ms:
        response["fixedDelayMilliseconds"] = delay_ms
    resp = httpx.post(
        f"{server.url}/__admin/mappings",
        json={"request": {"method": "ANY", "url": url}, "response": response},
    )
    assert resp.status_code == 201


def write_script(tmp_path: Path, server: MockServer, **over: Any) -> Path:
    data: dict[str, Any] = {
        "target": server.url,
        "seed": 7,
        "arrivals": "uniform",
        "timeout": "2s",
        "requests": [{"method": "GET", "path": "/fast"}],
        "stages": [{"kind": "constant", "rate": 100, "duration": "1s"}],
    }
    data.update(over)
    path = tmp_path / "script.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def load_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockbdd", "load", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def clear_journal(server: MockServer) -> None:
    httpx.delete(f"{server.url}/__admin/requests")


def journal_paths(server: MockServer) -> Counter[str]:
    found = httpx.get(f"{server.url}/__admin/requests", params={"limit": 100_000}).json()
    return Counter(r["request"]["url"] for r in found["requests"])


def test_a_bad_script_exits_2_naming_the_field(tmp_path: Path, server: MockServer) -> None:
    path = write_script(tmp_path, server, stages=[{"kind": "rmap", "rate": 1, "duration": "1s"}])
    done = load_cli(path)
    assert done.returncode == 2
    assert f"mockbdd load: {path}: /stages/0/kind: unknown stage kind 'rmap'" in done.stderr
    assert "did you mean 'ramp'?" in done.stderr
    assert journal_paths(server) == Counter()  # nothing was sent
    missing = load_cli(tmp_path / "nope.yaml")
    assert missing.returncode == 2
    assert "cannot read the script" in missing.stderr


def test_thresholds_that_hold_exit_0_and_the_report_agrees_with_the_journal(
    tmp_path: Path, server: MockServer
) -> None:
    stub(server, "/fast")
    stub(server, "/charges", status=201)
    path = write_script(
        tmp_path,
        server,
        requests=[
            {"path": "/fast", "weight": 3},
            {"method": "POST", "path": "/charges", "json": {"amount": 100}, "weight": 1},
        ],
        stages=[
            {"kind": "constant", "rate": 60, "duration": "1s"},
            {"kind": "ramp", "from": 20, "to": 100, "duration": "1s"},
        ],
        thresholds={"p99": "2s", "errorRate": 0.01},
    )
    report_path = tmp_path / "report.json"
    done = load_cli(path, "--report", report_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "http_req_duration" in done.stdout
    assert "✓ p99 <= 2s" in done.stdout
    report = json.loads(report_path.read_text())
    assert report["passed"] is True
    assert report["state"] == "done"
    assert report["seed"] == 7
    total = report["total"]
    assert [s["scheduled"] for s in report["stages"]] == [60, 60]  # uniform: exactly rate × time
    assert total["sent"] == total["completed"] == 120
    assert total["failed"] == 0
    assert total["statusCodes"] == {
        "200": report["requests"][0]["sent"],
        "201": report["requests"][1]["sent"],
    }
    assert set(total["latencyMs"]) == {"min", "mean", "p50", "p90", "p95", "p99", "p99.9", "max"}
    assert 0 < total["latencyMs"]["p50"] <= total["latencyMs"]["p99"] <= total["latencyMs"]["max"]
    assert report["thresholds"][0] | {"actual": None} == {
        "name": "p99",
        "limit": "2s",
        "actual": None,
        "passed": True,
    }
    points = report["timeline"]["points"]
    assert report["timeline"]["intervalS"] == 0.1
    assert 20 <= len(points) <= 21
    assert round(sum(p["arrivalRate"] for p in points) * 0.1) == 120
    # the server saw exactly what the report says was sent
    seen = journal_paths(server)
    assert seen == Counter(
        {"/fast": report["requests"][0]["sent"], "/charges": report["requests"][1]["sent"]}
    )


def test_a_crossed_latency_threshold_exits_1(tmp_path: Path, server: MockServer) -> None:
    stub(server, "/slow", delay_ms=50)
    path = write_script(
        tmp_path, server, requests=[{"path": "/slow"}], thresholds={"p50": "10ms", "max": "5s"}
    )
    done = load_cli(path, "--quiet")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "✗ p50 <= 10ms" in done.stdout
    assert "✓ max <= 5s" in done.stdout


def test_a_crossed_error_rate_exits_1_and_counts_errors_by_kind(
    tmp_path: Path, server: MockServer
) -> None:
    stub(server, "/fast")
    stub(server, "/broken", status=503)
    report_path = tmp_path / "r.json"
    path = write_script(
        tmp_path,
        server,
        requests=[{"path": "/fast"}, {"path": "/broken"}],
        thresholds={"errorRate": 0.05},
    )
    done = load_cli(path, "--quiet", "--report", report_path)
    assert done.returncode == 1
    total = json.loads(report_path.read_text())["total"]
    assert total["errors"] == {"status_503": total["failed"]}
    assert 0.3 < total["errorRate"] < 0.7  # two requests of equal weight


def test_a_target_that_refuses_connections_counts_connect_errors(
    tmp_path: Path, server: MockServer
) -> None:
    path = write_script(tmp_path, server, thresholds={"errorRate": 0})
    done = load_cli(
        path, "--quiet", "--target", "http://127.0.0.1:9", "--report", tmp_path / "r.json"
    )
    assert done.returncode == 1
    total = json.loads((tmp_path / "r.json").read_text())["total"]
    assert set(total["errors"]) == {"connect"}
    assert total["errors"]["connect"] == total["sent"] == 100


def test_the_plot_is_a_png(tmp_path: Path, server: MockServer) -> None:
    stub(server, "/fast")
    plot = tmp_path / "run.png"
    done = load_cli(write_script(tmp_path, server), "--quiet", "--plot", plot)
    assert done.returncode == 0, done.stderr
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _arrival_rates(report: dict[str, Any]) -> list[float]:
    """The timeline's arrival rates; the spare interval after the last arrival is shown only
    when answers came in during it, which timing decides, not the seed: left out."""
    rates = [p["arrivalRate"] for p in report["timeline"]["points"]]
    while rates and rates[-1] == 0.0:
        rates.pop()
    return rates


async def test_the_same_seed_sends_the_same_requests(server: MockServer) -> None:
    stub(server, "/a")
    stub(server, "/b")
    data = {
        "target": server.url,
        "seed": 11,
        "requests": [{"path": "/a", "weight": 2}, {"path": "/b", "weight": 1}],
        "stages": [
            {
                "kind": "spike",
                "base": 40,
                "peak": 200,
                "at": "0.3s",
                "hold": "0.2s",
                "duration": "1s",
            }
        ],
    }
    reports = []
    for _ in range(2):
        clear_journal(server)  # the server has its own thread: a blocking call is fine here
        run = LoadRun(parse_script(data))
        await run.run()
        report = build_report(run)
        assert journal_paths(server) == Counter(
            {"/a": report["requests"][0]["sent"], "/b": report["requests"][1]["sent"]}
        )
        reports.append(report)
    first, second = reports
    assert first["requests"] == second["requests"]
    assert first["total"]["scheduled"] == second["total"]["scheduled"]
    assert _arrival_rates(first) == _arrival_rates(second)


async def test_latency_counts_from_the_intended_send_time(server: MockServer) -> None:
    """A stalled generator (its loop blocked for 300 ms) sends late; the requests it should have
    sent meanwhile count the wait, as an open model must (no coordinated omission)."""
    stub(server, "/fast")
    run = LoadRun(
        parse_script(
            {
                "target": server.url,
                "arrivals": "uniform",
                "requests": [{"path": "/fast"}],
                "stages": [{"kind": "constant", "rate": 100, "duration": "1s"}],
            }
        )
    )
    loop = asyncio.get_running_loop()
    loop.call_later(0.4, time.sleep, 0.3)  # blocks the loop: the schedule falls behind
    await run.run()
    report = build_report(run)
    latency = report["total"]["latencyMs"]
    assert report["total"]["sent"] == 100  # every arrival went out, late or not
    assert latency["max"] >= 200  # the first one held up waited ~300 ms
    assert latency["p50"] < 100  # the others did not
    assert report["sendLagMs"]["max"] >= 200


async def test_max_in_flight_drops_arrivals_instead_of_queueing_them(server: MockServer) -> None:
    stub(server, "/slow", delay_ms=400)
    run = LoadRun(
        parse_script(
            {
                "target": server.url,
                "arrivals": "uniform",
                "maxInFlight": 5,
                "requests": [{"path": "/slow"}],
                "stages": [{"kind": "constant", "rate": 50, "duration": "0.4s"}],
            }
        )
    )
    await run.run()
    total = build_report(run)["total"]
    assert total["sent"] == 5
    assert total["dropped"] == 15
    assert total["droppedRate"] == 0.75
    assert total["rateError"] == 0.75


@pytest.mark.timeout(30)  # the run ends on its 200 ms timeouts, not on the stub's 60 s
async def test_a_timeout_ends_the_request_and_counts_it(server: MockServer) -> None:
    stub(server, "/stuck", delay_ms=60_000)
    run = LoadRun(
        parse_script(
            {
                "target": server.url,
                "timeout": "200ms",
                "requests": [{"path": "/stuck"}],
                "stages": [{"kind": "constant", "rate": 20, "duration": "0.25s"}],
                "arrivals": "uniform",
            }
        )
    )
    await run.run()
    total = build_report(run)["total"]
    assert total["errors"] == {"timeout": 5}
    assert total["completed"] == 0


# -- /__admin/load-runs --------------------------------------------------------------------


def wait_for_report(server: MockServer, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = httpx.get(f"{server.url}/__admin/load-runs/{run_id}").json()
        if "report" in found:
            return found
        time.sleep(0.1)
    raise AssertionError("the load run did not end")


def test_the_admin_runs_a_script_against_the_server_itself(server: MockServer) -> None:
    stub(server, "/fast")
    script = {
        "seed": 3,
        "arrivals": "uniform",
        "requests": [{"path": "/fast"}],
        "stages": [{"kind": "constant", "rate": 50, "duration": "0.5s"}],
        "thresholds": {"errorRate": 0},
    }
    resp = httpx.post(f"{server.url}/__admin/load-runs", json={"script": script})
    assert resp.status_code == 201, resp.text
    run_id = resp.json()["id"]
    listed = httpx.get(f"{server.url}/__admin/load-runs").json()["loadRuns"]
    assert [r["id"] for r in listed] == [run_id]
    found = wait_for_report(server, run_id)
    assert found["state"] == "done"
    assert found["sent"] == 25
    report = found["report"]
    assert report["target"] == server.url
    assert report["passed"] is True
    assert report["total"]["statusCodes"] == {"200": 25}
    assert journal_paths(server)["/fast"] == 25


def test_the_admin_takes_a_yaml_script_and_can_cancel_it(server: MockServer) -> None:
    stub(server, "/fast")
    text = "requests: [{path: /fast}]\nstages: [{kind: constant, rate: 20, duration: 30s}]\n"
    run_id = httpx.post(f"{server.url}/__admin/load-runs", json={"script": text}).json()["id"]
    time.sleep(0.3)
    assert httpx.delete(f"{server.url}/__admin/load-runs/{run_id}").status_code == 200
    found = wait_for_report(server, run_id)
    assert found["state"] == "cancelled"
    assert found["report"]["state"] == "cancelled"
    assert 0 < found["sent"] < 600


@pytest.mark.parametrize(
    ("body", "pointer", "reason"),
    [
        ({"script": {"requests": [{"path": "/"}], "stages": [{"kind": "constant", "rate": 0, "duration": 1}]}},
         "/script/stages/0/rate", "above 0"),
        ({"script": "stages: [oops"}, "/script", "not valid YAML"),
        ({"requests": [{"path": "/"}]}, "/stages", "non-empty list"),
        ({"script": {"target": "http://10.1.2.3:80", "requests": [{"path": "/"}],
                     "stages": [{"kind": "constant", "rate": 1, "duration": 1}]}},
         "/script/target", "may only target this machine"),
    ],
)  # fmt: skip
def test_the_admin_refuses_a_bad_script_whole(
    server: MockServer, body: dict[str, Any], pointer: str, reason: str
) -> None:
    resp = httpx.post(f"{server.url}/__admin/load-runs", json=body)
    assert resp.status_code == 422, resp.text
    error = resp.json()["errors"][0]
    assert error["source"]["pointer"] == pointer
    assert reason in error["title"]
    assert httpx.get(f"{server.url}/__admin/load-runs").json() == {"loadRuns": []}


def test_an_unknown_load_run_is_404(server: MockServer) -> None:
    assert httpx.get(f"{server.url}/__admin/load-runs/nope").status_code == 404
    assert httpx.delete(f"{server.url}/__admin/load-runs/nope").status_code == 404


def test_a_third_run_at_once_is_409_and_finished_runs_list_without_reports(
    server: MockServer,
) -> None:
    stub(server, "/fast")
    long = {
        "requests": [{"path": "/fast"}],
        "stages": [{"kind": "constant", "rate": 5, "duration": "30s"}],
    }
    ids = [httpx.post(f"{server.url}/__admin/load-runs", json=long).json()["id"] for _ in range(2)]
    third = httpx.post(f"{server.url}/__admin/load-runs", json=long)
    assert third.status_code == 409
    assert "at most 2" in third.json()["errors"][0]["title"]
    for run_id in ids:
        httpx.delete(f"{server.url}/__admin/load-runs/{run_id}")
        wait_for_report(server, run_id)
    listed = httpx.get(f"{server.url}/__admin/load-runs").json()["loadRuns"]
    assert [r["id"] for r in listed] == ids
    assert all(r["state"] == "cancelled" and "report" not in r for r in listed)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream", [io.StringIO, _Terminal])
async def test_progress_is_a_bar_on_a_terminal_and_plain_lines_otherwise(
    server: MockServer, monkeypatch: pytest.MonkeyPatch, stream: type[io.StringIO]
) -> None:
    stub(server, "/fast")
    monkeypatch.setattr(progress, "PLAIN_EVERY_S", 0.1)
    run = LoadRun(
        parse_script(
            {
                "target": server.url,
                "requests": [{"path": "/fast"}],
                "stages": [{"kind": "constant", "rate": 50, "duration": "0.6s"}],
            }
        )
    )
    out = stream()
    shown = asyncio.get_running_loop().create_task(progress.show_progress(run, out))
    await run.run()
    shown.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await shown
    text = out.getvalue()
    if stream is _Terminal:
        assert "━" in text  # rich's bar
        assert "sent" in text
    else:
        lines = text.splitlines()
        assert len(lines) >= 3
        assert all(line.startswith("mockbdd load: ") and "sent " in line for line in lines)


def test_ctrl_c_stops_the_run_reports_what_it_sent_and_exits_130(
    tmp_path: Path, server: MockServer
) -> None:
    stub(server, "/fast")
    path = write_script(
        tmp_path, server, stages=[{"kind": "constant", "rate": 50, "duration": "30s"}]
    )
    report_path = tmp_path / "r.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockbdd", "load", str(path), "-q", "--report", str(report_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while not journal_paths(server) and time.monotonic() < deadline:  # it has started sending
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert "the run was cancelled" in out
    report = json.loads(report_path.read_text())
    assert report["state"] == "cancelled"
    assert 0 < report["total"]["sent"] < 1500


def test_a_run_started_in_a_namespace_loads_that_namespace(server: MockServer) -> None:
    created = httpx.post(
        f"{server.url}/__admin/namespaces",
        json={
            "name": "shop",
            "mappings": [{"request": {"url": "/cart"}, "response": {"status": 200}}],
        },
    )
    assert created.status_code == 201, created.text
    script = {
        "arrivals": "uniform",
        "requests": [{"path": "/cart"}],
        "stages": [{"kind": "constant", "rate": 20, "duration": "0.5s"}],
    }
    admin = f"{server.url}/__ns/shop/__admin"
    run_id = httpx.post(f"{admin}/load-runs", json={"script": script}).json()["id"]
    report = wait_for_report(server, run_id)["report"]
    assert report["target"] == f"{server.url}/__ns/shop"
    assert report["total"]["statusCodes"] == {"200": 10}
    seen = httpx.get(f"{admin}/requests").json()["requests"]
    assert len(seen) == 10
    assert journal_paths(server) == Counter()  # the default namespace saw none of it
