"""behave, in a subprocess: the project's suite, and small failing suites."""

from __future__ import annotations

from pathlib import Path

from ._suites import ENVIRONMENT, ROOT, behave, behave_suite


def test_the_project_suite_passes_from_the_repository_root() -> None:
    # the whole project suite: ~50 s on a loaded machine, so more than the small suites' 60 s
    done = behave(ROOT, "features/", "--format", "progress", timeout=240)
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
    assert 'no stub matched:\n  GET /v1/unknown on "inventory"\n' in out
    assert "  POST /v1/charges on \"payments\" (from tag map 'checkout_failure')" in out
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


def test_a_map_setting_the_server_refuses_fails_the_scenario(tmp_path: Path) -> None:
    suite = behave_suite(
        tmp_path,
        {
            "chaos.feature": """\
Feature: settings

  @mock:flaky
  Scenario: an error rate above 1
    When I send POST /v1/charges to "payments"
""",
        },
    )
    (suite / "tag_maps" / "flaky.yaml").write_text(
        "version: 1\nmaps:\n  flaky:\n    settings: {chaos: {errorRate: 1.5}}\n"
        "    services:\n      payments:\n        - request: {path: /v1/charges}\n"
        "          response: {status: 201}\n"
    )
    done = behave(suite, "features/", "--format", "plain")
    assert done.returncode == 1
    assert "at /settings/chaos/errorRate: must be at most 1, got 1.5" in done.stdout
    assert "1 hook_error" in done.stdout


def test_tag_map_chaos_and_a_tag_seed_fail_the_same_requests(tmp_path: Path) -> None:
    suite = behave_suite(
        tmp_path,
        {
            "chaos.feature": """\
Feature: settings

  @mock:flaky:seed=3
  Scenario: half the charges fail
"""
            + '    When I send POST /v1/charges to "payments"\n' * 10
            + """\
    Then "payments" should have answered 6 requests with status 500
    And "payments" should have answered 4 requests with status 201
""",
        },
    )
    (suite / "tag_maps" / "flaky.yaml").write_text(
        "version: 1\nmaps:\n  flaky:\n    settings: {chaos: {errorRate: 0.5}}\n"
        "    services:\n      payments:\n        - request: {path: /v1/charges}\n"
        "          response: {status: 201}\n"
    )
    done = behave(suite, "features/", "--format", "plain")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 scenario passed" in done.stdout


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


# ------------------------------------------------------------------------------ review fixes

REVIEW_MAPS = """\
version: 1
maps:
  items:
    services:
      inventory:
        - request: {method: GET, urlPathPattern: "/v1/items/[0-9]+"}
          response: {status: 200, body: item}
  wide:
    services:
      inventory:
        - request: {method: GET, urlPathPattern: "/v1/things/[0-9]+"}
          response: {status: 200, body: wide}
  narrow:
    services:
      inventory:
        - request: {method: GET, path: /v1/things/7}
          response: {status: 200, body: narrow}
  exact_then_pattern:
    services:
      inventory:
        - request: {method: GET, path: /v1/things/7}
          response: {status: 200, body: exact}
        - request: {method: GET, urlPathPattern: "/v1/things/[0-9]+"}
          response: {status: 200, body: pattern}
  declined:
    params: {code: {type: int}}
    services:
      payments:
        - request: {method: POST, path: /v1/charges}
          response: {status: "{code}"}
  crud:
    data:
      users: [{id: 1}]
    services:
      payments:
        - request: {method: GET, path: /v1/users}
          response: {status: 200}
"""

REVIEW_STEPS = """\
import threading
import time

import httpx
from behave import then, when


@when('I time GET {path:S} on "{service:w}"')
def timed_get(context, path, service):
    started = time.perf_counter()
    context.reply = httpx.get(context.mockbdd.url(service) + path)
    context.took_ms = (time.perf_counter() - started) * 1000


@when('I send {method:w} {path:S} to "{service:w}" in the background')
def send_later(context, method, path, service):
    url = context.mockbdd.url(service) + path
    thread = threading.Thread(target=lambda: (time.sleep(0.05), httpx.request(method, url)))
    thread.start()
    context.add_cleanup(thread.join)


@then('the reply body is "{text}"')
def reply_body(context, text):
    assert context.reply.text == text, context.reply.text


@then("it took at least {ms:d} ms")
def took_at_least(context, ms):
    assert context.took_ms >= ms, context.took_ms


@then("it was answered without a delay")
def answered_undelayed(context):
    # the stub that answered, as the journal shows it: no wall-clock upper bound needed
    [event] = context.mockbdd.admin.requests(limit=1)
    definition = event.raw["responseDefinition"]
    assert event.was_matched, event.raw
    assert not {"fixedDelayMilliseconds", "delayDistribution"} & set(definition), definition
"""

REVIEW_FEATURES = {
    "delay.feature": """\
Feature: phrase 7 delays only its route

  @mock:items
  Scenario: delaying one path of a pattern stub leaves the other paths alone
    Given "inventory" responds to GET /v1/items/7 after 3 s
    When I time GET /v1/items/8 on "inventory"
    Then the reply body is "item"
    And it was answered without a delay
    When I time GET /v1/items/7 on "inventory"
    Then the reply body is "item"
    And it took at least 3000 ms

  @mock:checkout_failure
  Scenario: an exact stub is delayed in place: its sequence position and used flag stay
    When I send POST /v1/charges to "payments"
    Then the reply status is 503
    Given "payments" responds to POST /v1/charges after 10 ms
    When I send POST /v1/charges to "payments"
    Then the reply status is 201
    And every response stubbed on "payments" should have been used
""",
    "precedence.feature": """\
@mock:wide
Feature: equal-priority stubs rank the same however they are sent

  @mock:narrow
  Scenario: own namespace
    When I time GET /v1/things/7 on "inventory"
    Then the reply body is "narrow"

  @mock:narrow @mockbdd:shared
  Scenario: shared namespace
    When I time GET /v1/things/7 on "inventory"
    Then the reply body is "narrow"
""",
    "switch_order.feature": """\
Feature: phrase 14 ranks a map's stubs as the tag does

  @mock:exact_then_pattern
  Scenario: as a tag
    When I time GET /v1/things/7 on "inventory"
    Then the reply body is "pattern"

  Scenario: switched to
    When "inventory" switches to the "exact_then_pattern" mock
    And I time GET /v1/things/7 on "inventory"
    Then the reply body is "pattern"
""",
    "switch.feature": """\
Feature: phrase 14 with parameters

  Scenario: a required parameter given in the step
    When "payments" switches to the "declined:code=409" mock
    And I send POST /v1/charges to "payments"
    Then the reply status is 409

  Scenario: a required parameter left out
    Given "payments" responds to GET /v1/health with status 200
    When "payments" switches to the "declined" mock

  Scenario: a map name that is not one
    When "payments" switches to the "Declined" mock

  Scenario: a map with CRUD data
    When "payments" switches to the "crud" mock
""",
    "waits.feature": """\
Feature: phrase 27 and strict mode wait for requests in flight

  Scenario: phrase 27 waits
    Given "payments" responds to POST /v1/charges with status 201
    When I send POST /v1/charges to "payments" in the background
    Then every response stubbed on "payments" should have been used

  @mockbdd:strict
  Scenario: strict mode settles first
    Given "payments" responds to POST /v1/charges with status 201
    When I send POST /v1/charges to "payments" in the background
""",
    "crud.feature": """\
Feature: CRUD data

  @mock:crud
  Scenario: a map with data
    When I send GET /v1/users to "payments"
""",
    "catch_all.feature": """\
Feature: the catch-all of phrase 13

  @mockbdd:strict
  Scenario: a catch-all that answered nothing is not an unused stub
    Given "inventory" responds to GET /v1/ok with status 200
    And unmatched requests to "inventory" get status 418
    When I send GET /v1/ok to "inventory"
    Then the reply status is 200

  Scenario: phrase 26 counts what only the catch-all answered
    Given unmatched requests to "inventory" get status 418
    When I send GET /v1/typo to "inventory"
    Then the reply status is 418
    And "inventory" should not have received unexpected requests

  @mockbdd:strict
  Scenario: strict mode counts what only the catch-all answered
    Given unmatched requests to "inventory" get status 418
    When I send GET /v1/typo to "inventory"
""",
}


def test_phrases_7_14_27_and_strict_mode_under_behave(tmp_path: Path) -> None:
    suite = behave_suite(tmp_path, REVIEW_FEATURES)
    (suite / "tag_maps" / "review.yaml").write_text(REVIEW_MAPS)
    (suite / "steps" / "review_steps.py").write_text(REVIEW_STEPS)
    done = behave(suite, "features/", "--format", "plain", "--no-capture")
    out = done.stdout
    failing = out.split("Failing scenarios:", 1)[-1] if "Failing scenarios:" in out else ""
    # 1: only the delayed path waits; 2: the last resolved stub is the newest, everywhere;
    # 4: phrase 27 and strict mode see the request sent in the background
    passing = ["leaves the other paths alone", "used flag stay", "own namespace", "shared"]
    passing += ["as a tag", "switched to"]
    passing += ["a required parameter given in the step"]  # 3
    passing += ["phrase 27 waits", "strict mode settles first"]  # 4
    passing += ["a catch-all that answered nothing"]  # 8
    for name in passing:
        assert name not in failing, out
    # 3: parameters reach the map; errors name the step's file and line
    assert (
        "ASSERT FAILED: mockbdd: map 'declined' needs parameter 'code' (int): write "
        "@mock:declined:code=<value> at features/switch.feature:10"
    ) in out
    assert (
        "ASSERT FAILED: mockbdd: invalid tag @mock:Declined: map names use lowercase letters, "
        "digits, '_', '.' and '-' ([a-z0-9_.-]+) at features/switch.feature:13"
    ) in out
    # 7: CRUD data seeds a collection, as a tag and through phrase 14
    passing += ["a map with data", "a map with CRUD data"]
    for name in passing:
        assert name not in failing, out
    # 8 and 11: what the catch-all answered is unexpected; it is never unused
    assert (
        '"inventory" received 1 request that no stub matched:\n'
        "  GET /v1/typo (only the catch-all answered it, with status 418)\n"
    ) in out
    assert (
        "this scenario's mocks received 1 request that no stub matched:\n"
        '  GET /v1/typo on "inventory" (only the catch-all answered it, with status 418)\n'
    ) in out
    assert "never answered a request" not in out
    assert "12 scenarios passed, 3 failed, 1 hook_error" in out, out
