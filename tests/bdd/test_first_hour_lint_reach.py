"""Issue 10, what was left after the first sessions: ``mockbdd lint`` reads
``$MOCKBDD_PROXY_ALLOW`` through the settings model ``mockbdd serve`` reads it with (the same
comma-separated or JSON forms, the same refusal of a bad origin) and checks the tag maps'
webhook URLs against it as the server does when a stub is created (one check,
``outbound_targets``); a missing tag-map folder is named by the absolute path looked at."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from ._suites import TAG_MAPS, behave, behave_suite, run, serving, write

pytest_plugins = ["pytester"]

MAPS = """\
version: 1
maps:
  calls_back:
    services:
      payments:
        - request: {method: POST, path: /charges}
          response: {status: 201}
          serveEventListeners:
            - name: webhook
              parameters: {url: "http://evil.example/hook", method: POST}
            - name: webhook
              parameters: {url: "http://{{request.headers.X-Callback}}/hook"}
        - request: {method: POST, path: /refunds}
          response: {status: 201}
          postServeActions:
            webhook: {url: "https://api.allowed.example/refunds/{{request.path}}"}
  calls_param:
    params: {callback: {type: str, default: "https://api.allowed.example/cb"}}
    services:
      payments:
        - request: {method: POST, path: /p}
          response: {status: 201}
          postServeActions:
            - name: webhook
              parameters: {url: "{callback}"}
  via_evil:
    services:
      payments:
        - request: {method: GET, path: /e}
          response: {proxyBaseUrl: "http://evil.example"}
"""
FEATURE = """\
Feature: callbacks

  @mock:calls_back
  Scenario: a static webhook target
    When x

  @mock:calls_param:callback=http://evil.example:9000/cb
  Scenario: a parameter names the webhook target
    When x

  @mock:calls_param
  Scenario: the default target is allowed
    When x
"""
REFUSAL = (
    "is not allowed by --proxy-allow (allowed: {allowed}): a server started with these "
    "--proxy-allow origins refuses map {map!r} when a scenario applies it; {remedy}, or add "
    "--proxy-allow {origin} to mockbdd serve and to mockbdd lint"
)
BAD_ORIGIN = (
    "must be origins such as https://api.example.com or http://127.0.0.1:9000 (scheme, host, "
    "optional port; several separated by commas), got 'api.allowed.example'"
)


def lint(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MOCKBDD_")}
    done = run(["-m", "mockbdd", "lint", *args], cwd, env={**clean, **(env or {})})
    return done.returncode, done.stdout + done.stderr


def suite(tmp_path: Path) -> Path:
    return write(tmp_path, {"tag_maps/maps.yaml": MAPS, "features/f.feature": FEATURE})


def test_lint_checks_webhook_targets_against_the_allow_list(tmp_path: Path) -> None:
    root = suite(tmp_path)
    assert lint(root, "features") == (0, "mockbdd lint: no problems in 1 feature file\n")
    code, out = lint(root, "features", "--proxy-allow", "https://api.allowed.example")
    allowed = "https://api.allowed.example:443"
    webhook = {"allowed": allowed, "remedy": "call back an allowed origin"}
    assert code == 1, out
    # the templated origin (http://{{...}}/) is checked when the call is made; a templated path
    # on a written-out origin (postServeActions' object form) is checked, and allowed
    assert out.splitlines() == [
        "features/f.feature:7:3: MBD009 as applied here, webhook target "
        "http://evil.example:9000 "
        + REFUSAL.format(**webhook, map="calls_param", origin="http://evil.example:9000"),
        "tag_maps/maps.yaml:10:28: MBD009 webhook target http://evil.example:80 "
        + REFUSAL.format(**webhook, map="calls_back", origin="http://evil.example:80"),
        "tag_maps/maps.yaml:30:22: MBD009 proxy target http://evil.example:80 "
        + REFUSAL.format(
            allowed=allowed,
            remedy="proxy to an allowed origin",
            map="via_evil",
            origin="http://evil.example:80",
        ),
        "mockbdd lint: 3 errors, 0 warnings in 1 feature file",
    ], out


def test_the_server_refuses_the_same_webhook_when_a_scenario_opens_the_map(
    tmp_path: Path,
) -> None:
    root = suite(tmp_path)
    allow = ("--proxy-allow", "https://api.allowed.example")
    with serving("--tag-maps", str(root / "tag_maps"), *allow) as url:
        opened = httpx.post(f"{url}/__admin/namespaces", json={"tagMaps": ["calls_back"]})
        assert opened.status_code == 400, opened.text
        assert opened.json()["errors"] == [
            {
                "code": 400,
                "title": "webhook target http://evil.example:80 is not allowed by --proxy-allow "
                "(allowed: https://api.allowed.example:443)",
                "source": {"pointer": "/tagMaps/serveEventListeners/0/parameters/url"},
            }
        ]
        fine = httpx.post(f"{url}/__admin/namespaces", json={"tagMaps": ["calls_param"]})
        assert fine.status_code == 201, fine.text


def test_lint_reads_mockbdd_proxy_allow_as_serve_does(tmp_path: Path) -> None:
    root = suite(tmp_path)
    both = "https://api.allowed.example, http://evil.example:9000"  # the comma-separated form
    code, out = lint(root, "features", env={"MOCKBDD_PROXY_ALLOW": both})
    assert code == 1, out
    assert [line.split(": MBD009 ")[0] for line in out.splitlines()[:-1]] == [
        "tag_maps/maps.yaml:10:28",  # the parameter's origin is allowed now
        "tag_maps/maps.yaml:30:22",
    ], out
    assert "(allowed: http://evil.example:9000, https://api.allowed.example:443)" in out
    # the flag wins over the environment, as for mockbdd serve
    flags = ("--proxy-allow", "http://evil.example", "--proxy-allow", "https://api.allowed.example")
    code, out = lint(root, "features", *flags, env={"MOCKBDD_PROXY_ALLOW": "http://x.example"})
    assert code == 1, out
    assert out.splitlines()[0].startswith("features/f.feature:7:3: MBD009"), out
    # the JSON form pydantic-settings reads is still accepted
    listed = '["https://api.allowed.example", "http://evil.example", "http://evil.example:9000"]'
    done = lint(root, "features", env={"MOCKBDD_PROXY_ALLOW": listed})
    assert done == (0, "mockbdd lint: no problems in 1 feature file\n")
    # the same server refuses the same map, read from the same variable
    with serving("--tag-maps", str(root / "tag_maps"), env={"MOCKBDD_PROXY_ALLOW": both}) as url:
        opened = httpx.post(f"{url}/__admin/namespaces", json={"tagMaps": ["via_evil"]})
        assert opened.status_code == 400, opened.text
        assert "(allowed: http://evil.example:9000, https://api.allowed.example:443)" in opened.text


def test_a_bad_origin_is_refused_alike_by_lint_and_serve(tmp_path: Path) -> None:
    root = suite(tmp_path)
    bad = {"MOCKBDD_PROXY_ALLOW": "api.allowed.example"}
    assert lint(root, "features", env=bad) == (
        2,
        f"mockbdd lint: MOCKBDD_PROXY_ALLOW: {BAD_ORIGIN}\n",
    )
    code, out = lint(root, "features", "--proxy-allow", "api.allowed.example")
    assert (code, out) == (2, f"mockbdd lint: --proxy-allow: {BAD_ORIGIN}\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MOCKBDD_")}
    served = run(["-m", "mockbdd", "serve", "--port", "0"], root, env={**clean, **bad})
    assert (served.returncode, served.stderr) == (
        2,
        f"mockbdd serve: MOCKBDD_PROXY_ALLOW: {BAD_ORIGIN}\n",
    )


def test_a_missing_tag_map_folder_is_named_by_its_absolute_path(tmp_path: Path) -> None:
    root = suite(tmp_path)
    looked = root.resolve() / "mocks"
    code, out = lint(root, "features", "--tag-maps", "mocks")
    assert code == 1, out
    assert out.splitlines()[0] == f"mocks:1:1: MBD007 tag-map folder {looked} does not exist"
    code, out = lint(root, "features", env={"MOCKBDD_TAG_MAPS": "mocks"})
    assert out.splitlines()[0] == (
        f"mocks:1:1: MBD007 tag-map folder {looked} does not exist (from $MOCKBDD_TAG_MAPS)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MOCKBDD_")}
    served = run(["-m", "mockbdd", "serve", "--port", "0", "--tag-maps", "mocks"], root, env=clean)
    assert (served.returncode, served.stderr) == (
        2,
        f"mockbdd serve: mocks: tag-map folder {looked} does not exist\n",
    )


def test_too_few_matching_requests_are_not_said_to_be_far(pytester: pytest.Pytester) -> None:
    """The request that matched is not "not close": too few of them came."""
    (pytester.path / "tag_maps").mkdir()
    (pytester.path / "tag_maps" / "maps.yaml").write_text(TAG_MAPS)
    pytester.makepyfile(
        test_verify="""
import httpx
import pytest


@pytest.mark.mockbdd("checkout_failure")
def test_charges(mockbdd):
    httpx.post(mockbdd.url("payments") + "/v1/charges", json={"amount": 99})
    mockbdd.verify(3, "POST", "/v1/charges", service="payments")
"""
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            'E *"payments" should have received 3 POST requests to /v1/charges, but it received 1',
            "E *  1. POST /v1/charges",
            "E *No other recorded request is close to this pattern.",
        ]
    )


def test_serve_tells_every_broken_mapping_file_at_once(tmp_path: Path) -> None:
    """A folder of WireMock mapping files is fixed in one go: every problem of every file,
    each once, then exit 2 (the good files are not served half)."""
    root = write(
        tmp_path,
        {
            "mappings/a.json": '{"request": {"url": "/a"}, "respone": {}, "priority": "high"}',
            "mappings/b.json": '{"request": {"url": "/b"}, "response": {"status": 200}',
            "mappings/c.json": '{"request": {"url": "/c"}, "response": {"status": 200}}',
        },
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MOCKBDD_")}
    served = run(["-m", "mockbdd", "serve", "--port", "0", "--root-dir", "."], root, env=clean)
    assert served.returncode == 2, served.stdout
    assert served.stderr.splitlines() == [
        "mockbdd serve: 3 problems in the mapping files:",
        "  mappings/a.json: /priority: must be a whole number, got 'high'",
        "  mappings/a.json: /respone: unknown field 'respone'; did you mean 'response'? "
        "(known: id, uuid, name, priority, request, response, responses, webSocket, "
        "whenExhausted, scenarioName, requiredScenarioState, newScenarioState, metadata, "
        "persistent, insertionIndex, postServeActions, serveEventListeners)",
        "  mappings/b.json: line 1: invalid JSON: Expecting ',' delimiter",
    ]


MISUSED = """\
Feature: misused steps

  Scenario: a kind the server does not know
    Given "payments" responds to GET /v1/l with latency following a lognormall distribution:
      | parameter | value |
      | median    | 50 ms |

  Scenario: a table without its columns
    Given "payments" responds to GET /v1/y with status 200 and headers:
      | header | val |
      | a      | b   |
"""
REFUSED_KIND = (
    "mockbdd: the server refused this step: /response/delayDistribution/type: must be one of "
    "the registered delay types ("
)
WRONG_COLUMNS = "mockbdd: the table needs the columns | name | value |; got | header | val |"


def test_a_step_the_server_refuses_fails_with_the_reason_not_a_traceback(
    tmp_path: Path,
) -> None:
    """behave: an assertion failure naming the field and the valid kinds, no library frames
    (it was an error with the client's traceback and its admin-API wording)."""
    done = behave(behave_suite(tmp_path, {"misused.feature": MISUSED}), "features/")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "0 scenarios passed, 2 failed, 0 skipped" in out, out
    assert f"ASSERT FAILED: {REFUSED_KIND}" in out, out
    assert "got 'lognormall'; did you mean 'lognormal'?" in out, out
    assert f"ASSERT FAILED: {WRONG_COLUMNS}\n" in out, out  # no "(optional: none)"
    assert "mockbdd/client/" not in out, out


def test_pytest_bdd_fails_a_refused_step_alike(pytester: pytest.Pytester) -> None:
    (pytester.path / "features").mkdir()
    (pytester.path / "features" / "misused.feature").write_text(MISUSED)
    pytester.makepyfile(test_misused="from pytest_bdd import scenarios\nscenarios('features')\n")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(failed=2)
    out = result.stdout.str()
    assert REFUSED_KIND in out, out
    assert WRONG_COLUMNS in out, out


STEPS_FEATURE = '''\
Feature: steps lint can check

  Scenario: each mistake the runner would fail on
    Given "payments" responds to GET /v1/x with status 200 and JSON body:
    And "payments" responds to GET /v1/y with status 200 and headers:
    And "payments" responds to GET /v1/z with status 200 and JSON body:
      """
      {"a": 1,
       "b": }
      """
    And "payments" responds to GET /v1/w with status 200
      | a | b |
    Then "payments" should have received a GET request to /v1/x with JSON body:
      """
      {"a": 1}
      """

  Scenario Outline: a JSON body an Examples row fills in
    Given "payments" responds to GET /v1/o with status 200 and JSON body:
      """
      {"a": <n>}
      """
    Examples:
      | n |
      | 1 |
'''


def test_lint_checks_the_table_and_docstring_a_phrase_takes(tmp_path: Path) -> None:
    """lint was green on steps the runners fail at once: a phrase without its table or
    docstring, a JSON body that is not JSON (MBD010); a table a phrase ignores is a warning."""
    root = write(tmp_path, {"features/steps.feature": STEPS_FEATURE})
    code, out = lint(root, "features")
    phrase_3 = (
        'phrase 3 ("{service}" responds to {method} {path} with status {status:d} and JSON body:)'
    )
    assert code == 1, out
    assert out.splitlines() == [
        f"features/steps.feature:4:5: MBD010 {phrase_3} needs a docstring under it (the text "
        'between two """ lines)',
        'features/steps.feature:5:5: MBD010 phrase 4 ("{service}" responds to {method} {path} '
        "with status {status:d} and headers:) needs a table under it",
        f"features/steps.feature:9:7: MBD010 the JSON body of {phrase_3} is not valid JSON: "
        "Expecting value",
        'features/steps.feature:11:5: MBD010 phrase 1 ("{service}" responds to {method} {path} '
        "with status {status:d}) takes no table: the table under it is ignored",
        "mockbdd lint: 3 errors, 1 warning in 1 feature file (no tag maps loaded: map names and "
        "parameters not checked)",
    ], out
