#!/usr/bin/env python3
"""Branch coverage per package, and the gate ``make test`` fails on.

    python scripts/coverage_gate.py [coverage.json] [--summary coverage_packages.json]

Reads the JSON report of coverage.py (``coverage json``, run with ``branch = true``), prints one
row per package of ``mockbdd/`` (top-level modules each get their own row) and the gates below,
writes the same figures to ``--summary``, and exits 1 when a gate is not met.

The figure gated is coverage.py's own percentage with branch coverage on: covered statements plus
covered branch destinations over statements plus branch destinations (the number ``fail_under``
would check). The table also shows statements and branches apart.

A gate's target is a folder (``mockbdd/domain/``), a file (``mockbdd/domain/engine.py``) or a
function or class in a file (``mockbdd/server/app.py::Dispatcher._route``, coverage.py's region
names). To gate a new module, add a line to ``GATES``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = "mockbdd/"


@dataclass(frozen=True)
class Gate:
    target: str
    minimum: float
    why: str


GATES: tuple[Gate, ...] = (
    Gate("mockbdd/domain/", 95.0, "the engine"),
    Gate("mockbdd/wire/", 95.0, "the wire codecs"),
    Gate("mockbdd/admin/", 95.0, "the admin tasks"),
    Gate("mockbdd/domain/namespace.py", 100.0, "namespace state"),
    Gate("mockbdd/domain/state.py", 100.0, "namespace state behind the NamespaceState protocol"),
    Gate("mockbdd/domain/engine.py", 100.0, "namespace isolation: the set of namespaces"),
    Gate("mockbdd/server/app.py::Dispatcher._route", 100.0, "namespace routing"),
    Gate("mockbdd/server/app.py::Dispatcher._in_namespace", 100.0, "namespace routing"),
    Gate("mockbdd/server/app.py::_split_admin", 100.0, "namespace routing"),
)


@dataclass(frozen=True)
class Tally:
    """Statements and branch destinations, covered and in all (coverage.py's numbers)."""

    statements: int = 0
    covered_statements: int = 0
    branches: int = 0
    covered_branches: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.statements + other.statements,
            self.covered_statements + other.covered_statements,
            self.branches + other.branches,
            self.covered_branches + other.covered_branches,
        )

    @classmethod
    def of(cls, summary: Mapping[str, Any]) -> Tally:
        return cls(
            int(summary["num_statements"]),
            int(summary["covered_lines"]),
            int(summary.get("num_branches", 0)),
            int(summary.get("covered_branches", 0)),
        )

    @property
    def percent(self) -> float:
        return _percent(
            self.covered_statements + self.covered_branches, self.statements + self.branches
        )

    @property
    def statement_percent(self) -> float:
        return _percent(self.covered_statements, self.statements)

    @property
    def branch_percent(self) -> float:
        return _percent(self.covered_branches, self.branches)


def _percent(part: int, whole: int) -> float:
    return 100.0 if whole == 0 else 100.0 * part / whole


def package_of(path: str) -> str:
    """``mockbdd/domain/engine.py`` → ``domain/``; ``mockbdd/cli.py`` → ``cli.py``."""
    rest = path[len(ROOT) :] if path.startswith(ROOT) else path
    head, sep, _ = rest.partition("/")
    return head + sep


def by_package(files: Mapping[str, Any]) -> dict[str, Tally]:
    packages: dict[str, Tally] = {}
    for path, data in sorted(files.items()):
        name = package_of(path)
        packages[name] = packages.get(name, Tally()) + Tally.of(data["summary"])
    return packages


def measure(files: Mapping[str, Any], target: str) -> Tally | None:
    """The tally of a gate's target, or None when the report has no such folder, file or region
    (a gate on something renamed must fail, not pass on nothing)."""
    path, _, region = target.partition("::")
    if region:
        regions = {
            **files.get(path, {}).get("functions", {}),
            **files.get(path, {}).get("classes", {}),
        }
        found = regions.get(region)
        return None if found is None else Tally.of(found["summary"])
    if path.endswith("/"):
        tallies = [Tally.of(d["summary"]) for p, d in files.items() if p.startswith(path)]
        return sum(tallies, Tally()) if tallies else None
    found = files.get(path)
    return None if found is None else Tally.of(found["summary"])


def missing_of(files: Mapping[str, Any], target: str) -> list[str]:
    """What a target misses, as ``file:line`` and ``file:from->to`` (for the failure message)."""
    path, _, region = target.partition("::")
    chosen = [
        (p, d) for p, d in files.items() if p == path or (path.endswith("/") and p.startswith(path))
    ]
    out: list[str] = []
    for file, data in sorted(chosen):
        if region:
            data = {**data.get("functions", {}), **data.get("classes", {})}.get(region, {})
        out += [f"{file}:{line}" for line in data.get("missing_lines", [])]
        out += [f"{file}:{a}->{b}" for a, b in data.get("missing_branches", []) if b > 0]
        out += [f"{file}:{a}->exit" for a, b in data.get("missing_branches", []) if b <= 0]
    return out


def table(rows: Iterable[tuple[str, Tally]], title: str) -> list[str]:
    lines = [
        f"| {title} | stmts | missed | branches | missed | stmt % | branch % | cover % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, t in rows:
        lines.append(
            f"| {name} | {t.statements} | {t.statements - t.covered_statements} | {t.branches} | "
            f"{t.branches - t.covered_branches} | {t.statement_percent:.1f} | "
            f"{t.branch_percent:.1f} | {t.percent:.1f} |"
        )
    return lines


def check(files: Mapping[str, Any], gates: Sequence[Gate]) -> tuple[list[str], list[str]]:
    """The gate lines to print, and the failures (empty when every gate is met)."""
    lines = ["| gate | why | minimum % | cover % | |", "|---|---|---:|---:|---|"]
    failures: list[str] = []
    for gate in gates:
        tally = measure(files, gate.target)
        if tally is None:
            failures.append(f"{gate.target}: not in the coverage report (renamed or not imported?)")
            lines.append(f"| {gate.target} | {gate.why} | {gate.minimum:.0f} | - | MISSING |")
            continue
        # compare the rounded figure the table shows, so 94.96 shown as 95.0 cannot fail
        met = round(tally.percent, 1) >= gate.minimum
        lines.append(
            f"| {gate.target} | {gate.why} | {gate.minimum:.0f} | {tally.percent:.1f} | "
            f"{'ok' if met else 'FAIL'} |"
        )
        if not met:
            missed = missing_of(files, gate.target)
            shown = ", ".join(missed[:12]) + (
                f" and {len(missed) - 12} more" if len(missed) > 12 else ""
            )
            failures.append(
                f"{gate.target}: {tally.percent:.1f} % < {gate.minimum:.0f} % (missed: {shown})"
            )
    return lines, failures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", nargs="?", default="coverage.json", type=Path)
    parser.add_argument("--summary", default=Path("coverage_packages.json"), type=Path)
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text())
    if not report.get("meta", {}).get("branch_coverage"):
        print(f"coverage gate: {args.report} was measured without branch = true", file=sys.stderr)
        return 2
    files: dict[str, Any] = report["files"]
    packages = by_package(files)
    total = sum(packages.values(), Tally())
    print("\n## Branch coverage per package\n")
    print("\n".join(table([*packages.items(), ("all of mockbdd", total)], "package")))
    gate_lines, failures = check(files, GATES)
    print("\n## Coverage gate\n")
    print("\n".join(gate_lines))
    args.summary.write_text(
        json.dumps(
            {
                "packages": {
                    name: {"percent": round(t.percent, 2), **t.__dict__}
                    for name, t in [*packages.items(), ("all", total)]
                },
                "gates": {
                    g.target: {"minimum": g.minimum, "percent": _rounded(measure(files, g.target))}
                    for g in GATES
                },
                "failures": failures,
            },
            indent=2,
        )
        + "\n"
    )
    if failures:
        print("\ncoverage gate failed:", *failures, sep="\n  ", file=sys.stderr)
        return 1
    print(f"\ncoverage gate met ({len(GATES)} targets); per-package figures in {args.summary}")
    return 0


def _rounded(tally: Tally | None) -> float | None:
    return None if tally is None else round(tally.percent, 2)


if __name__ == "__main__":
    sys.exit(main())
