"""behave, in a subprocess: the project's suite, and small failing suites."""

from __future__ import annotations

from pathlib import Path

from ._suites import ENVIRONMENT, ROOT, behave, behave_suite


def test_the_project_suite_passes_from_the_repository_root() -> None:
    done = behave(ROOT, "features/", "--format", "progress")
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 failed" in done.stdout
    assert "undefined" not in done.stdout


FAILING = {
    "typo.feature": """\
Feature: tags

  @mock:checkout_falure
  Scenario: a typo in a tag
    When I send POST /v1/charges to "payments"
""",
    "wrong.feature": """\
Feature: assertions

  Scenario: a wrong expectation
    Given "payments" responds to POST /v1/charges with status 201
    When I send POST /v1/charges to "payments"
    And I send GET /v1/health to "payments"
    Then "payments" should have received a POST request to /v1/charges with JSON body:
      \"\"\"
      {"amount": 100}
      \"\"\"
""",
    "strict.feature": """\
@mockbdd:strict
Feature: strict

  @mock:checkout_failure
  Scenario: an unexpected request and an unused stub
    When I send GET /v1/unknown to "inventory"
""",
}


def test_failures_report_tags_diffs_and_strict_problems(tmp_path: Path) -> None:
    suite = behave_suite(tmp_path, FAILING)
    done = behave(suite, "features/", "--format", "plain", "-D", "mockbdd.timeout=0.3")
    out = done.stdout
    assert done.returncode == 1, out
    assert (
        "HOOK-ERROR in before_scenario: UnknownTagError: mockbdd: unknown mock tag "
        "@mock:checkout_falure at features/typo.feature:3 — did you mean "
        "@mock:checkout_failure? known tags: @mock:checkout_failure, @mock:slow"
    ) in out
    # the failing Then step: what was received, the closest request, the field diff
    assert '"payments" received 2 requests:' in out
    assert '1. POST /v1/charges  {"amount":99}' in out
    assert "2. GET /v1/health" in out
    assert "closest request: #1 POST /v1/charges" in out
    assert "JSON $.amount: expected 100, got 99" in out
    # strict mode, at the end of the scenario
    assert "HOOK-ERROR in after_scenario: MockAssertionError: mockbdd: strict mode" in out
    assert "GET /inventory/v1/unknown" in out
    assert "\"payments\" POST /v1/charges (from tag map 'checkout_failure')" in out
    assert "0 scenarios passed, 1 failed, 2 hook_error" in out


def test_a_user_regex_matcher_does_not_break_the_library(tmp_path: Path) -> None:
    environment = "from behave import use_step_matcher\nuse_step_matcher('re')\n" + ENVIRONMENT
    suite = behave_suite(
        tmp_path,
        {
            "ok.feature": """\
Feature: matchers

  @mock:slow:delay=10ms
  Scenario Outline: regex user steps, parse library steps, expanded Examples tags
    When I send POST /v1/charges to "payments"
    And the user's regex step runs
    Then the reply status is 503
    And "payments" should have received 1 POST request to /v1/charges
    Given "payments" responds to POST /v1/charges with status 202
    When I send POST /v1/charges to "payments"
    Then the reply status is 202

    @mock:<map>
    Examples:
      | map              |
      | checkout_failure |
""",
        },
        environment=environment,
    )
    (suite / "steps/user_steps.py").write_text(
        "from behave import when, use_step_matcher\n"
        "use_step_matcher('re')\n"
        '@when(r"the user\'s (regex) step runs")\n'
        "def regex_step(context, word):\n"
        "    assert word == 'regex'\n"
    )
    send_steps = suite / "steps/send_steps.py"  # the user's parse steps say so explicitly
    send_steps.write_text(
        "from behave import use_step_matcher\nuse_step_matcher('parse')\n" + send_steps.read_text()
    )
    (suite / "tag_maps").rename(suite / "my_maps")
    done = behave(suite, "features/", "--format", "plain", "-D", "mockbdd.tag_maps=my_maps")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 scenario passed" in done.stdout


def test_a_map_setting_this_version_cannot_honour_fails_the_scenario(tmp_path: Path) -> None:
    suite = behave_suite(
        tmp_path,
        {
            "chaos.feature": """\
Feature: settings

  @mock:flaky
  Scenario: chaos is not built yet
    When I send POST /v1/charges to "payments"
""",
        },
    )
    (suite / "tag_maps" / "flaky.yaml").write_text(
        "version: 1\nmaps:\n  flaky:\n    settings: {chaos: {errorRate: 0.5}}\n"
        "    services:\n      payments:\n        - request: {path: /v1/charges}\n"
        "          response: {status: 201}\n"
    )
    done = behave(suite, "features/", "--format", "plain")
    assert done.returncode == 1
    assert "tag-map setting 'chaos' at features/chaos.feature:4 is not supported" in done.stdout
    assert "1 hook_error" in done.stdout


BEHAVEX_STYLE = """\
import sys
from behave.configuration import Configuration
from behave.runner import Runner

failed = []
for round_ in range(3):  # behavex: many Runners, each calling before_all, in one process
    config = Configuration(["features/", "--format", "null", "-D", f"worker_id={round_}"])
    failed.append(Runner(config).run())
print("failed per round:", failed)
sys.exit(1 if any(failed) else 0)
"""


def test_repeated_runners_in_one_process_like_behavex(tmp_path: Path) -> None:
    suite = behave_suite(
        tmp_path,
        {
            "retry.feature": """\
Feature: repeated runs

  @mock:checkout_failure
  Scenario: payments fail once, then work
    When I send POST /v1/charges to "payments"
    Then the reply status is 503
    When I send POST /v1/charges to "payments"
    Then the reply status is 201
    And "payments" should have received 2 POST requests to /v1/charges
""",
        },
    )
    (suite / "run_many.py").write_text(BEHAVEX_STYLE)
    from ._suites import run

    done = run(["run_many.py"], suite)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "failed per round: [False, False, False]" in done.stdout
