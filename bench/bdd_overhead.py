#!/usr/bin/env python3
"""Per-scenario cost of mockbdd in a behave run: 200 scenarios tagged ``@mock:base`` (a 3-stub map,
one namespace each: open, apply, close) against the same 200 scenarios without mockbdd.

    python bench/bdd_overhead.py [--scenarios 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TAG_MAP = """\
version: 1
maps:
  base:
    services:
      inventory:
        - request: {method: GET, urlPathPattern: "/v1/items/[0-9]+"}
          response: {status: 200, json: {inStock: true}}
      payments:
        - request: {method: POST, path: /v1/charges}
          responses:
            - {status: 503, times: 2}
            - {status: 201, json: {id: ch_1}}
        - request: {method: GET, path: /v1/health}
          response: {status: 200}
"""

WITH_MOCKS_ENV = """\
import mockbdd.behave as mockbdd


def before_all(context):
    mockbdd.before_all(context)


def before_scenario(context, scenario):
    mockbdd.before_scenario(context, scenario)


def after_scenario(context, scenario):
    mockbdd.after_scenario(context, scenario)
"""

STEPS = """\
from behave import step


@step("the scenario does its work")
def work(context):
    pass
"""


def write_suite(root: Path, scenarios: int, mocked: bool) -> None:
    (root / "features" / "steps").mkdir(parents=True)
    tag = "  @mock:base\n" if mocked else ""
    body = "".join(
        f"{tag}  Scenario: scenario {i}\n    Given the scenario does its work\n\n"
        for i in range(scenarios)
    )
    (root / "features" / "bench.feature").write_text(f"Feature: overhead\n\n{body}")
    (root / "features" / "steps" / "work.py").write_text(STEPS)
    if mocked:
        (root / "features" / "environment.py").write_text(WITH_MOCKS_ENV)
        (root / "tag_maps").mkdir()
        (root / "tag_maps" / "maps.yaml").write_text(TAG_MAP)


def run(root: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "behave", "features", "--format", "null", "--no-capture"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    n = args.scenarios
    times: dict[tuple[bool, int], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        suites = {}
        for mocked in (False, True):
            for size in (1, n):
                root = Path(tmp) / f"{'mocked' if mocked else 'plain'}-{size}"
                write_suite(root, size, mocked=mocked)
                suites[(mocked, size)] = root
        for _ in range(args.rounds):  # interleaved: the machine is noisy
            for key, root in suites.items():
                times.setdefault(key, []).append(run(root))
    med = {key: statistics.median(values) for key, values in times.items()}
    plain, mocked = med[(False, n)], med[(True, n)]
    per_scenario = ((mocked - med[(True, 1)]) - (plain - med[(False, 1)])) / (n - 1) * 1000
    fixed = (med[(True, 1)] - med[(False, 1)]) * 1000
    print(f"\n## behave, {n} scenarios (medians of {args.rounds} interleaved runs)\n")
    print(
        f"without mockbdd: {plain:.2f} s; with @mock:base (3 stubs) on every scenario: {mocked:.2f} s"
    )
    print(
        f"per scenario: {per_scenario:.2f} ms (resolve tags, open the namespace with its stubs, close it)"
    )
    print(
        f"once per run: {fixed:.0f} ms (import mockbdd, start the embedded engine, load tag maps)"
    )


if __name__ == "__main__":
    main()
