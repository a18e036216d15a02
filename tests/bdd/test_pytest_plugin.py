"""The pytest plugin, through pytester subprocess runs: pytest-bdd suites (passing and
failing), the marker on plain tests, and pytest without pytest-bdd."""

from __future__ import annotations

import pytest

from ._suites import TAG_MAPS

pytest_plugins = ["pytester"]

INI = """\
[pytest]
addopts = --strict-markers -p no:cacheprovider -p no:xdist -p no:asyncio
mockbdd_tag_maps = maps
mockbdd_timeout = 0.3
filterwarnings = error
"""

BDD_CONFTEST = """\
import httpx
from pytest_bdd import parsers, then, when


@when(parsers.parse('I send {method:w} {path:S} to "{service:w}"'), target_fixture="reply")
def send(mockbdd, method, path, service):
    return httpx.request(method, mockbdd.url(service) + path, json={"amount": 99})


@then(parsers.parse("the reply status is {status:d}"))
def reply_status(reply, status):
    assert reply.status_code == status, reply
"""

FEATURE = """\
@mock:slow:delay=10ms
Feature: pytest-bdd with mockbdd

  @mock:checkout_failure
  Scenario: tag maps, steps and assertions
    When I send POST /v1/charges to "payments"
    Then the reply status is 503
    When I send POST /v1/charges to "payments"
    Then the reply status is 201
    And "payments" should have received 2 POST requests to /v1/charges
    And request 2 to POST /v1/charges on "payments" should have JSON body:
      \"\"\"
      {"amount": 99}
      \"\"\"

  Scenario: a wrong expectation
    Given "payments" responds to POST /v1/charges with status 201
    When I send POST /v1/charges to "payments"
    Then "payments" should have received a POST request to /v1/charges with JSON body:
      \"\"\"
      {"amount": 100}
      \"\"\"

  @mock:checkout_falure
  Scenario: a typo in a tag
    When I send POST /v1/charges to "payments"

  @mockbdd:strict
  Scenario: strict mode
    When I send GET /v1/unknown to "inventory"

  Scenario Outline: examples tags
    When I send POST /v1/charges to "payments"
    Then the reply status is <status>

    @mock:checkout_failure
    Examples: flaky
      | status |
      | 503    |

    Examples: unstubbed
      | status |
      | 404    |
"""


@pytest.fixture
def bdd_suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".ini", pytest=INI)
    pytester.makeconftest(BDD_CONFTEST)
    (pytester.path / "maps").mkdir()
    (pytester.path / "maps" / "maps.yaml").write_text(TAG_MAPS)
    (pytester.path / "features").mkdir()
    (pytester.path / "features" / "mocked.feature").write_text(FEATURE)
    pytester.makepyfile(test_features="from pytest_bdd import scenarios\nscenarios('features')\n")
    return pytester


def test_pytest_bdd_passes_fails_and_reports(bdd_suite: pytest.Pytester) -> None:
    result = bdd_suite.runpytest_subprocess("-rf")
    result.assert_outcomes(passed=3, failed=3)
    out = result.stdout.str()
    assert (
        "mockbdd: unknown mock tag @mock:checkout_falure at features/mocked.feature:24 — "
        "did you mean @mock:checkout_failure? known tags: @mock:checkout_failure, @mock:slow"
    ) in out
    assert "closest request: #1 POST /v1/charges" in out
    assert "JSON $.amount: expected 100, got 99" in out
    assert "mockbdd: strict mode (@mockbdd:strict)" in out
    assert "GET /inventory/v1/unknown" in out


def test_mock_tags_become_a_selectable_mark(bdd_suite: pytest.Pytester) -> None:
    result = bdd_suite.runpytest_subprocess("-m", "mockbdd", "--collect-only", "-q")
    out = result.stdout.str()
    assert "test_tag_maps_steps_and_assertions" in out
    assert "test_a_typo_in_a_tag" in out


MARKED = """\
import httpx
import pytest

pytestmark = pytest.mark.mockbdd("slow", delay="2s")


@pytest.mark.mockbdd("checkout_failure")
class TestMarks:
    @pytest.mark.mockbdd("slow", delay="10ms")
    def test_marks_stack_and_the_closest_wins(self, mockbdd):
        assert httpx.post(mockbdd.url("payments") + "/v1/charges").status_code == 503
        assert httpx.get(mockbdd.url("payments") + "/v1/slow").status_code == 200

    def test_apply_a_map_from_the_handle(self, mockbdd):
        mockbdd.apply("slow", delay="5ms")
        assert httpx.get(mockbdd.url("payments") + "/v1/slow").status_code == 200
        mockbdd.verify(1, "GET", "/v1/slow", service="payments")


@pytest.mark.mockbdd(strict=True)
def test_strict_marks_fail_on_unexpected_requests(mockbdd):
    httpx.get(mockbdd.url("inventory") + "/v1/unknown")


@pytest.mark.mockbdd(shared=True)
def test_shared_uses_the_default_namespace(mockbdd):
    assert mockbdd.name == "default"
    assert mockbdd.requests() == []


def test_no_mark_gives_an_empty_namespace(mockbdd):
    assert httpx.get(mockbdd.url("payments") + "/v1/charges").status_code == 404


@pytest.mark.mockbdd("nope")
def test_unknown_map(mockbdd):
    pass
"""


@pytest.mark.parametrize("plugins", [(), ("-p", "no:pytest-bdd")], ids=["with-bdd", "no-bdd"])
def test_the_marker_on_plain_tests(pytester: pytest.Pytester, plugins: tuple[str, ...]) -> None:
    pytester.makefile(".ini", pytest=INI)
    (pytester.path / "maps").mkdir()
    (pytester.path / "maps" / "maps.yaml").write_text(TAG_MAPS)
    pytester.makepyfile(test_marked=MARKED)
    result = pytester.runpytest_subprocess(*plugins, "-rfE")
    result.assert_outcomes(passed=4, failed=1, errors=1)
    out = result.stdout.str()
    assert "PluginValidationError" not in out
    assert "mockbdd: strict mode" in out
    assert "mockbdd: unknown mock tag @mock:nope" in out
