"""A failing scenario's journal is attached: behave prints it with the failure and writes a HAR
under reports/mockbdd/ labelled with feature, scenario and example row; pytest adds a report
section with the HAR path. A passing scenario writes nothing."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from ._suites import behave, behave_suite

pytest_plugins = ["pytester"]

FEATURES = {
    "attach.feature": """\
Feature: checkout journal

  Scenario Outline: a wrong expectation
    Given "payments" responds to POST /v1/charges with status 201
    When I send POST /v1/charges to "payments"
    Then "payments" should have received a GET request to /v1/<what>

    Examples:
      | what   |
      | health |

  Scenario: all good
    Given "payments" responds to POST /v1/charges with status 201
    When I send POST /v1/charges to "payments"
""",
}


def test_behave_prints_the_journal_and_writes_a_labelled_har(tmp_path: Path) -> None:
    suite = behave_suite(tmp_path, FEATURES)
    done = behave(suite, "features/", "--format", "plain", "-D", "mockbdd.timeout=0.3")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "mockbdd: 1 request reached namespace" in output
    assert "POST " in output
    assert "/payments/v1/charges -> 201" in output
    hars = sorted((suite / "reports" / "mockbdd").glob("*.har"))
    assert len(hars) == 1, hars  # the passing scenario wrote none
    assert f"HAR: reports/mockbdd/{hars[0].name}" in output
    har = json.loads(hars[0].read_text())
    test = har["log"]["_mockbdd"]["test"]
    assert test["feature"] == "checkout journal"
    assert test["scenario"].startswith("a wrong expectation")
    assert test["example"] == "what=health"
    assert test["location"].startswith("features/attach.feature:")
    (entry,) = har["log"]["entries"]
    assert entry["response"]["status"] == 201
    assert "checkout journal" in entry["comment"]
    # the server was told too: the namespace carries the labels into every export
    (labels,) = har["log"]["_mockbdd"]["namespaces"].values()
    assert labels["example"] == "what=health"
    assert labels["feature"] == "checkout journal"


def test_pytest_adds_a_report_section_with_the_har_path(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_journal=textwrap.dedent(
            """
            import httpx

            def test_fails(mockbdd):
                mockbdd.stub({"request": {"urlPath": "/ping"}, "response": {"status": 204}})
                httpx.get(mockbdd.url() + "/ping")
                assert False, "the system under test did the wrong thing"

            def test_passes(mockbdd):
                httpx.get(mockbdd.url() + "/nothing")

            def test_fails_without_traffic(mockbdd):
                assert False, "nothing was sent: nothing to attach"
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rA")
    result.assert_outcomes(passed=1, failed=2)
    out = result.stdout.str()
    assert out.count("mockbdd journal") == 1  # the test that sent nothing gets no section
    assert "mockbdd: 1 request reached namespace" in out
    assert "/ping -> 204 (no stub matched" not in out
    assert "GET " in out
    hars = list((pytester.path / "reports" / "mockbdd").glob("*.har"))
    assert len(hars) == 1
    assert f"HAR: reports/mockbdd/{hars[0].name}" in out
    har = json.loads(hars[0].read_text())
    assert har["log"]["_mockbdd"]["test"]["test"].endswith("test_journal.py::test_fails")
