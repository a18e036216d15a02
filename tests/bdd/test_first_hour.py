"""Issue 10 ("the first hour"): what a new user trips over, shown through the real runners
(behave and ``mockbdd lint`` in a subprocess, pytest-bdd under pytester)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ._suites import TAG_MAPS, behave, behave_suite, run, write

TAGGED = {
    "pay.feature": """\
Feature: pay

  @mock:checkout_failure
  Scenario: the retry succeeds
    When I send POST /v1/charges to "payments"
    Then the reply status is 503
""",
}
NO_ENV = {"MOCKBDD_TAG_MAPS": ""}
pytest_plugins = ["pytester"]


def _moved_maps(root: Path, folder: str) -> Path:
    """The suite with its tag maps in ``folder`` instead of ``tag_maps/``."""
    suite = behave_suite(root, TAGGED)
    (suite / "tag_maps" / "maps.yaml").unlink()
    (suite / "tag_maps").rmdir()
    write(suite, {f"{folder}/maps.yaml": TAG_MAPS})
    return suite


# -- point 2: where tag maps are looked for ---------------------------------------------------


def test_the_nested_table_userdata_form_is_read(tmp_path: Path) -> None:
    suite = _moved_maps(tmp_path, "mocks")
    write(suite, {"pyproject.toml": '[tool.behave.userdata]\nmockbdd.tag_maps = "mocks"\n'})
    done = behave(suite, "features/", "--format", "plain", env=NO_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 scenario passed" in done.stdout


def test_the_quoted_key_userdata_form_is_read(tmp_path: Path) -> None:
    suite = _moved_maps(tmp_path, "mocks")
    write(suite, {"pyproject.toml": '[tool.behave.userdata]\n"mockbdd.tag_maps" = "mocks"\n'})
    done = behave(suite, "features/", "--format", "plain", env=NO_ENV)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_mistyped_userdata_key_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    suite = _moved_maps(tmp_path, "mocks")
    write(suite, {"pyproject.toml": '[tool.behave.userdata.mockbdd]\ntagmaps = "mocks"\n'})
    done = behave(suite, "features/", "--format", "plain", env=NO_ENV)
    assert done.returncode != 0
    assert (
        "unknown userdata key 'mockbdd.tagmaps'; did you mean 'mockbdd.tag_maps'? (known: "
        "mockbdd.tag_maps, mockbdd.strict, mockbdd.timeout, mockbdd.settle)"
    ) in done.stdout + done.stderr


def test_no_tag_maps_found_says_where_it_looked_and_how_to_set_it(tmp_path: Path) -> None:
    suite = _moved_maps(tmp_path, "mocks")
    done = behave(suite, "features/", "--format", "plain", env=NO_ENV)
    assert done.returncode == 1
    out = done.stdout
    assert (
        "mockbdd: unknown mock tag @mock:checkout_failure at features/pay.feature:3 — known "
        f"tags: none (no tag maps found: looked for {suite.resolve() / 'tag_maps'} (the "
        "default: tag_maps/ in the current directory), which does not exist, and "
        "$MOCKBDD_TAG_MAPS is not set; set the folder with -D mockbdd.tag_maps=DIR (behave; "
        'or "mockbdd.tag_maps" = "DIR" under [tool.behave.userdata] in pyproject.toml), the '
        "ini option mockbdd_tag_maps (pytest), --tag-maps DIR (mockbdd lint) or "
        "MOCKBDD_TAG_MAPS=DIR (any runner))"
    ) in out, out


def test_an_unknown_tag_names_the_folder_the_maps_came_from(tmp_path: Path) -> None:
    suite = _moved_maps(tmp_path, "mocks")
    (suite / "features" / "pay.feature").write_text(
        TAGGED["pay.feature"].replace("checkout_failure", "checkout_falure")
    )
    done = behave(suite, "features/", "-D", "mockbdd.tag_maps=mocks", env=NO_ENV)
    assert done.returncode == 1
    assert (
        "did you mean @mock:checkout_failure? known tags: @mock:checkout_failure, @mock:slow "
        "(tag maps read from mocks)"
    ) in done.stdout


def test_pytest_says_where_it_looked_for_tag_maps(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOCKBDD_TAG_MAPS", raising=False)
    pytester.makepyfile(
        test_pay="""
import pytest


@pytest.mark.mockbdd("checkout_failure")
def test_pay(mockbdd):
    pass
"""
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(errors=1)
    out = " ".join(result.stdout.str().split())  # as one line, whatever pytest wrapped
    assert (
        "mockbdd: unknown mock tag @mock:checkout_failure at test_pay.py:4 — known tags: none "
        f"(no tag maps found: looked for {pytester.path / 'tag_maps'} (the default: tag_maps/ "
        "in the current directory), which does not exist, and $MOCKBDD_TAG_MAPS is not set; "
        "set the folder with -D mockbdd.tag_maps=DIR"
    ) in out, out
    assert "the ini option mockbdd_tag_maps (pytest)" in out


# -- point 3: mockbdd lint never goes green having checked nothing ----------------------------


def lint(cwd: Path, *args: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "MOCKBDD_TAG_MAPS"}
    done = run(["-m", "mockbdd", "lint", *args], cwd, env={**env, **NO_ENV})
    return done.returncode, done.stdout + done.stderr


def test_lint_fails_when_no_tag_maps_are_found_and_says_where_it_looked(tmp_path: Path) -> None:
    suite = _moved_maps(tmp_path, "mocks")
    code, out = lint(suite, "features")
    assert code == 1, out
    assert (
        "features/pay.feature:3:3: MBD001 @mock:checkout_failure and the other mock tags of "
        "this file cannot be checked: no tag maps found (looked for "
        f"{suite.resolve() / 'tag_maps'} (the default: tag_maps/ in the current directory)"
    ) in out
    assert "--tag-maps DIR (mockbdd lint)" in out
    # with the folder named, the same file is clean
    assert lint(suite, "features", "--tag-maps", "mocks") == (
        0,
        "mockbdd lint: no problems in 1 feature file\n",
    )


CONFLICTING_MAPS = """\
version: 1
maps:
  a:
    services:
      payments:
        - request: {method: POST, path: /v1/charges, bodyPatterns: [{equalTo: 1}]}
          response: {status: 900}
  b:
    services:
      payments:
        - request: {method: POST, path: /v1/c}
          response: {status: 200}
  c:
    services:
      payments:
        - request: {method: POST, path: /v1/c}
          response: {status: 201}
"""


def test_lint_reports_every_problem_of_a_file_in_one_run(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tag_maps/maps.yaml": CONFLICTING_MAPS,
            "features/f.feature": """\
@mock:nope
Feature: F

  @mock:b @mock:c
  Scenario: S
    When something happens
""",
        },
    )
    code, out = lint(tmp_path, "features")
    assert code == 1
    assert out.splitlines() == [
        "features/f.feature:1:1: MBD001 unknown mock tag @mock:nope; known tags: @mock:a, "
        "@mock:b, @mock:c (tag maps read from tag_maps)",
        # hidden by the unknown Feature-level tag before
        "features/f.feature:4:3: MBD004 maps 'b' and 'c' both stub POST /v1/c on service "
        "'payments' on the scenario level; move one tag to another level, or make one map "
        "extend the other",
        # one stub, two problems: both reported
        "tag_maps/maps.yaml:6:69: MBD007 /request/bodyPatterns/0: equalTo must be a string, got "
        "a number (map 'a')",
        "tag_maps/maps.yaml:7:22: MBD007 /response/status: must be at most 599, got 900 (map 'a')",
        "mockbdd lint: 4 errors, 0 warnings in 1 feature file",
    ]


def test_lint_reports_every_shape_problem_of_one_stub_response(tmp_path: Path) -> None:
    # two load-time shape mistakes in one response: before, only the first was reported
    maps = """\
version: 1
maps:
  two:
    services:
      payments:
        - request: {method: GET, path: /x}
          response: {status: 200, json: {a: 1}, body: "x", delay: banana}
"""
    write(
        tmp_path,
        {
            "tag_maps/maps.yaml": maps,
            "features/f.feature": "Feature: F\n  @mock:two\n  Scenario: S\n    When x\n",
        },
    )
    code, out = lint(tmp_path, "features")
    assert code == 1, out
    lines = out.splitlines()
    assert lines[:2] == [
        "tag_maps/maps.yaml:7:49: MBD007 use only one of json, body",
        "tag_maps/maps.yaml:7:60: MBD007 'delay': expected a duration such as 250ms, 2s, 1.5s "
        "or 1m (a bare number is milliseconds), got 'banana'",
    ], out
    assert lines[2].startswith("mockbdd lint: 2 errors, 0 warnings"), out


# -- point 10: mockbdd lint --proxy-allow checks the tag maps' proxy targets ------------------

PROXY_MAPS = """\
version: 1
maps:
  via_allowed:
    services:
      payments:
        - request: {method: GET, path: /a}
          response: {proxyBaseUrl: "https://api.allowed.example"}
  via_evil:
    services:
      payments:
        - request: {method: GET, path: /e}
          responses:
            - {status: 503}
            - {proxyBaseUrl: "http://evil.example"}
  via_param:
    params: {upstream: {type: str, default: "https://api.allowed.example"}}
    services:
      payments:
        - request: {method: GET, path: /p}
          response: {proxyBaseUrl: "{upstream}"}
"""
PROXY_FEATURE = """\
Feature: proxies

  @mock:via_allowed @mock:via_param
  Scenario: allowed
    When x

  @mock:via_param:upstream=http://evil.example:8080
  Scenario: a parameter names a refused origin
    When x
"""


def test_lint_proxy_allow_fails_a_tag_map_proxy_the_server_would_refuse(tmp_path: Path) -> None:
    write(tmp_path, {"tag_maps/maps.yaml": PROXY_MAPS, "features/f.feature": PROXY_FEATURE})
    # without --proxy-allow, as a loopback server without it: any origin
    assert lint(tmp_path, "features") == (0, "mockbdd lint: no problems in 1 feature file\n")
    code, out = lint(tmp_path, "features", "--proxy-allow", "https://api.allowed.example")
    assert code == 1, out
    refusal = (
        "is not allowed by --proxy-allow (allowed: https://api.allowed.example:443): a server "
        "started with these --proxy-allow origins refuses map {map!r} when a scenario applies "
        "it; proxy to an allowed origin, or add --proxy-allow {origin} to mockbdd serve and to "
        "mockbdd lint"
    )
    assert out.splitlines() == [
        "features/f.feature:7:3: MBD009 as applied here, proxy target http://evil.example:8080 "
        + refusal.format(map="via_param", origin="http://evil.example:8080"),
        "tag_maps/maps.yaml:14:16: MBD009 proxy target http://evil.example:80 "
        + refusal.format(map="via_evil", origin="http://evil.example:80"),
        "mockbdd lint: 2 errors, 0 warnings in 1 feature file",
    ], out
    allowed = (
        "--proxy-allow",
        "https://api.allowed.example",
        "--proxy-allow",
        "http://evil.example",
    )
    code, out = lint(tmp_path, "features", *allowed, "--proxy-allow", "http://evil.example:8080")
    assert (code, out) == (0, "mockbdd lint: no problems in 1 feature file\n")


# -- point 6: the start-up line shows the bound address; a 401 says how to send the token -----


def test_serve_prints_the_address_bound_and_a_401_names_the_token_settings(
    tmp_path: Path,
) -> None:
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    serve = ["serve", "--host", "0.0.0.0", "--port", str(port), "--admin-token", "sekret"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockbdd", *serve],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        local = f"http://127.0.0.1:{port}"
        assert line.split(" ", 2)[2] == (
            f"serving on http://0.0.0.0:{port} (every IPv4 interface; from this machine: "
            f"{local}, admin: {local}/__admin)\n"
        )
        suite = behave_suite(tmp_path, TAGGED)
        done = behave(suite, "features/", env={"MOCKBDD_URL": local, "MOCKBDD_ADMIN_TOKEN": ""})
        assert done.returncode == 1
        assert (
            "mockbdd admin API error 401: admin token required: send 'Authorization: Bearer "
            "<token>' with the token the server was started with (mockbdd serve --admin-token "
            "T, or MOCKBDD_ADMIN_TOKEN); mockbdd's clients take Client(url, token=T), and the "
            "BDD hooks read MOCKBDD_ADMIN_TOKEN"
        ) in done.stdout + done.stderr
        passed = behave(
            suite, "features/", env={"MOCKBDD_URL": local, "MOCKBDD_ADMIN_TOKEN": "sekret"}
        )
        assert passed.returncode == 0, passed.stdout
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


# -- point 5: clearer messages ----------------------------------------------------------------


def test_unittest_mock_tags_as_a_string_says_a_tuple_is_expected(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tag_maps/maps.yaml": TAG_MAPS,
            "test_pay.py": """\
import unittest

from mockbdd.unittest import MockBDDMixin


class PayTest(MockBDDMixin, unittest.TestCase):
    mock_tags = ("checkout_failure")

    def test_pay(self):
        pass
""",
        },
    )
    done = run(["-m", "unittest", "test_pay"], tmp_path, env=NO_ENV)
    assert done.returncode == 1
    assert (
        "PayTest.mock_tags is the string 'checkout_failure'; it must be a tuple of tag bodies: "
        "mock_tags = ('checkout_failure',) (mind the comma)"
    ) in done.stderr, done.stderr
    assert "@mock:_" not in done.stderr


# -- point 4: a mistyped shipped phrase gets the closest phrase -------------------------------

TYPO = '"payments" responds to POST /v1/charges with status 503 twice, then with status 201'
PHRASE_6 = (
    'did you mean phrase 6: "{service}" responds to {method} {path} with status {status:d} '
    "{times:d} times, then with status {then_status:d}"
)
TYPO_FEATURE = f"""\
Feature: typo

  @mock:checkout_failure
  Scenario: a mistyped phrase
    Given {TYPO}
    When I send POST /v1/charges to "payments"
"""


def test_lint_hints_the_closest_phrase_for_a_mistyped_step(tmp_path: Path) -> None:
    suite = behave_suite(tmp_path, {"typo.feature": TYPO_FEATURE})
    code, out = lint(suite, "features")
    assert code == 0  # a warning: a user's own step may look like ours
    assert out.splitlines() == [
        f"features/typo.feature:5:5: MBD008 step {TYPO!r} matches no shipped phrase; {PHRASE_6}",
        "mockbdd lint: 0 errors, 1 warning in 1 feature file",
    ]


def test_behave_hints_the_closest_phrase_for_an_undefined_step(tmp_path: Path) -> None:
    suite = behave_suite(tmp_path, {"typo.feature": TYPO_FEATURE})
    done = behave(suite, "features/", env=NO_ENV)
    assert done.returncode == 1
    assert (
        f"mockbdd: undefined step at features/typo.feature:5: {TYPO!r} — {PHRASE_6}"
    ) in done.stderr, done.stdout + done.stderr


def test_pytest_bdd_hints_the_closest_phrase_for_an_undefined_step(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "tag_maps").mkdir()
    (pytester.path / "tag_maps" / "maps.yaml").write_text(TAG_MAPS)
    (pytester.path / "features").mkdir()
    (pytester.path / "features" / "typo.feature").write_text(TYPO_FEATURE)
    pytester.makepyfile(test_typo="from pytest_bdd import scenarios\nscenarios('features')\n")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "Step definition is not found" in out
    assert f"mockbdd: {PHRASE_6}" in out


def test_strict_mode_does_not_report_a_tag_map_stub_a_step_replaced(tmp_path: Path) -> None:
    suite = behave_suite(
        tmp_path,
        {
            "strict.feature": """\
@mockbdd:strict
Feature: strict

  @mock:checkout_failure
  Scenario: a step replaces the map's stub
    Given "payments" responds to POST /v1/charges with status 201
    When I send POST /v1/charges to "payments"
    Then the reply status is 201

  @mock:checkout_failure:off @mock:slow
  Scenario: a map's stub no step replaced is still reported
    When I send POST /v1/charges to "payments"
""",
        },
    )
    done = behave(suite, "features/", "--format", "plain", "-D", "mockbdd.timeout=0.3", env=NO_ENV)
    out = done.stdout
    assert "1 scenario passed, 0 failed, 1 hook_error" in out, out
    assert "never answered a request:\n  GET /v1/slow on \"payments\" (from tag map 'slow')" in out
    assert "(from tag map 'checkout_failure')" not in out


def test_handle_verify_fails_like_a_step_without_library_frames(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "tag_maps").mkdir()
    (pytester.path / "tag_maps" / "maps.yaml").write_text(TAG_MAPS)
    pytester.makepyfile(
        test_verify="""
import httpx
import pytest


@pytest.mark.mockbdd("checkout_failure")
def test_charges(mockbdd):
    httpx.post(mockbdd.url("payments") + "/v1/charges", json={"amount": 99})
    httpx.get(mockbdd.url("payments") + "/v1/health")
    mockbdd.verify(2, "POST", "/v1/charges", service="payments")
"""
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            'E *VerificationError: "payments" should have received 2 POST requests to '
            "/v1/charges, but it received 1",
            'E * "payments" received 2 requests:',
            "E *  1. POST /v1/charges",
            "E *  2. GET /v1/health",
        ]
    )
    failure = out.split("= FAILURES =")[1].split("mockbdd journal")[0]
    assert "/payments/v1/charges" not in failure
    assert "mockbdd/client/" not in out  # library frames hidden
