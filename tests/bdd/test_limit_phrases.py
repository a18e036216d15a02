"""Phrases 34-38 under behave (a subprocess): what they do beyond the project's own feature
(``features/limits.feature``) — a limit on a route no stub answers, a sequence keeping its
place, a service with nothing to limit, and an assertion that fails with the answers seen."""

from __future__ import annotations

from pathlib import Path

from ._suites import behave, behave_suite, write

LIMIT_MAPS = """\
version: 1
maps:
  throttled:
    settings:
      rateLimit: {requests: 1, periodMs: 60000}
      concurrency: {maxInFlight: 4, queueDepth: 2}
    services:
      payments:
        - request: {method: GET, path: /v1/limited}
          response: {status: 200}
"""

FEATURE = """\
Feature: limits from steps

  Scenario: a route nobody stubbed answers 200 under the limit
    Given "payments" allows 1 GET requests to /v1/quota per 60 s
    When I send GET /v1/quota to "payments"
    Then the reply status is 200
    When I send GET /v1/quota to "payments"
    Then the reply status is 429
    And "payments" should have answered 1 request with status 200

  Scenario: a sequence keeps its order under the limit
    Given "payments" responds to GET /v1/seq with these responses in order:
      | status |
      | 201    |
      | 202    |
    And "payments" allows 2 GET requests to /v1/seq per 60 s
    When I send GET /v1/seq to "payments"
    Then the reply status is 201
    When I send GET /v1/seq to "payments"
    Then the reply status is 202
    When I send GET /v1/seq to "payments"
    Then the reply status is 429

  Scenario: a route with conditions gets a limited copy
    Given "payments" responds to GET /v1/cond with status 200 only when the request matches:
      | field          | value |
      | header.X-Shop  | yes   |
    And "payments" answers at most 1 GET requests to /v1/cond at once, queueing 0 for up to 1 s
    When I send GET /v1/cond to "payments"
    Then the reply status is 404

  @mock:throttled
  Scenario: a tag map's settings limit the namespace
    When I send GET /v1/limited to "payments"
    Then the reply status is 200
    When I send GET /v1/limited to "payments"
    Then the reply status is 429

  Scenario: a service with nothing to limit
    Given "ghost" allows 5 requests per 1 s

  @mockbdd:strict
  Scenario: a limit's 429 is no unexpected request
    Given "payments" responds to GET /v1/lim with status 200
    And "payments" allows 1 GET requests to /v1/lim per 60 s
    When I send GET /v1/lim to "payments"
    And I send GET /v1/lim to "payments"
    Then the reply status is 429
    And "payments" should not have received unexpected requests

  Scenario: a count that does not hold
    Given "payments" responds to GET /v1/ok with status 200
    When I send GET /v1/ok to "payments"
    Then "payments" should have answered 2 requests with status 200
"""


def test_limit_phrases_under_behave(tmp_path: Path) -> None:
    behave_suite(tmp_path, {"limits.feature": FEATURE})
    write(tmp_path, {"tag_maps/limits.yaml": LIMIT_MAPS})
    done = behave(tmp_path, "-D", "mockbdd.timeout=0.3")
    out = done.stdout + done.stderr
    assert "5 scenarios passed, 2 failed" in done.stdout, out
    assert '"ghost" has no stub to limit yet' in out
    assert (
        '"payments" answered 1 requests with status 200, expected 2 (all its answers: 1 x 200)'
        in out
    )
