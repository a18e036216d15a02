"""scripts/coverage_gate.py: per-package figures, and a gate that fails when it should."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scripts import coverage_gate
from scripts.coverage_gate import Gate, by_package, check


def summary(statements: int, covered: int, branches: int = 0, covered_branches: int = 0) -> Any:
    return {
        "num_statements": statements,
        "covered_lines": covered,
        "num_branches": branches,
        "covered_branches": covered_branches,
    }


def file(statements: int, covered: int, branches: int = 0, covered_branches: int = 0) -> Any:
    return {"summary": summary(statements, covered, branches, covered_branches)}


FILES: dict[str, Any] = {
    "mockbdd/domain/a.py": file(90, 90, 10, 10),
    "mockbdd/domain/b.py": {
        **file(8, 6, 2, 1),
        "missing_lines": [7, 9],
        "missing_branches": [[3, 5]],
        "functions": {
            "f": {"summary": summary(4, 4, 2, 2), "missing_lines": [], "missing_branches": []},
            "g": {
                "summary": summary(4, 2, 0, 0),
                "missing_lines": [7, 9],
                "missing_branches": [[8, -1]],
            },
        },
    },
    "mockbdd/cli.py": file(10, 5),
}


def test_files_are_summed_per_package_and_top_level_modules_stand_alone() -> None:
    packages = by_package(FILES)
    assert set(packages) == {"domain/", "cli.py"}
    domain = packages["domain/"]
    assert (domain.statements, domain.covered_statements) == (98, 96)
    assert (domain.branches, domain.covered_branches) == (12, 11)
    assert domain.percent == pytest.approx(100 * 107 / 110)  # statements and branches together
    assert domain.branch_percent == pytest.approx(100 * 11 / 12)
    assert packages["cli.py"].percent == 50.0


def test_a_gate_below_its_minimum_fails_and_names_what_is_missed() -> None:
    _, failures = check(FILES, [Gate("mockbdd/domain/", 98.0, "x")])
    assert len(failures) == 1
    assert failures[0].startswith("mockbdd/domain/: 97.3 % < 98 %")
    assert "mockbdd/domain/b.py:7" in failures[0]
    assert "mockbdd/domain/b.py:3->5" in failures[0]


def test_a_met_gate_passes() -> None:
    lines, failures = check(FILES, [Gate("mockbdd/domain/", 97.0, "x")])
    assert failures == []
    assert lines[-1].endswith("| ok |")


def test_a_function_can_be_gated_alone() -> None:
    assert check(FILES, [Gate("mockbdd/domain/b.py::f", 100.0, "x")])[1] == []
    _, failures = check(FILES, [Gate("mockbdd/domain/b.py::g", 100.0, "x")])
    assert failures == [
        "mockbdd/domain/b.py::g: 50.0 % < 100 % (missed: "
        "mockbdd/domain/b.py:7, mockbdd/domain/b.py:9, mockbdd/domain/b.py:8->exit)"
    ]


@pytest.mark.parametrize(
    "target", ["mockbdd/gone/", "mockbdd/domain/gone.py", "mockbdd/domain/b.py::gone"]
)
def test_a_gate_on_something_not_in_the_report_fails(target: str) -> None:
    _, failures = check(FILES, [Gate(target, 0.0, "x")])
    assert failures == [f"{target}: not in the coverage report (renamed or not imported?)"]


def write_report(tmp_path: Path, files: dict[str, Any], branch: bool = True) -> Path:
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps({"meta": {"branch_coverage": branch}, "files": files}))
    return path


def test_main_prints_the_table_writes_the_summary_and_fails_on_a_missed_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(coverage_gate, "GATES", (Gate("mockbdd/cli.py", 95.0, "x"),))
    out = tmp_path / "packages.json"
    assert coverage_gate.main([str(write_report(tmp_path, FILES)), "--summary", str(out)]) == 1
    printed = capsys.readouterr()
    assert "| domain/ | 98 | 2 | 12 | 1 | 98.0 | 91.7 | 97.3 |" in printed.out
    assert "coverage gate failed" in printed.err
    written = json.loads(out.read_text())
    assert written["packages"]["cli.py"]["percent"] == 50.0
    assert written["gates"] == {"mockbdd/cli.py": {"minimum": 95.0, "percent": 50.0}}


def test_main_passes_when_every_gate_is_met(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(coverage_gate, "GATES", (Gate("mockbdd/domain/a.py", 100.0, "x"),))
    report = write_report(tmp_path, FILES)
    assert coverage_gate.main([str(report), "--summary", str(tmp_path / "s.json")]) == 0


def test_a_report_without_branch_data_is_refused(tmp_path: Path) -> None:
    report = write_report(tmp_path, FILES, branch=False)
    assert coverage_gate.main([str(report), "--summary", str(tmp_path / "s.json")]) == 2
