"""The pytest plugin, through pytester subprocess runs: pytest-bdd suites (passing and
failing), the marker on plain tests, and pytest without pytest-bdd."""

from __future__ import annotations

import re

import pytest

from ._suites import TAG_MAPS

pytest_plugins = ["pytester"]


def section(out: str, test: str) -> str:
    """The failure (or error) report of one test in pytest's output ('' if none)."""
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("_") and f" {test} _" in line.replace("ERROR at setup of ", ""):
            rest = []
            for text in lines[i + 1 :]:
                if text.startswith(("____", "====")):
                    break
                rest.append(text)
            return "\n".join(rest)
    return ""


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
    assert 'no stub matched:\n  GET /v1/unknown on "inventory"\n' in out


def test_mock_tags_become_a_selectable_mark(bdd_suite: pytest.Pytester) -> None:
    (bdd_suite.path / "features" / "plain.feature").write_text(
        "Feature: no mocks\n\n  Scenario: an untagged scenario\n    Given nothing\n"
    )
    everything = bdd_suite.runpytest_subprocess("--collect-only", "-q").stdout.str()
    assert "test_an_untagged_scenario" in everything
    result = bdd_suite.runpytest_subprocess("-m", "mockbdd", "--collect-only", "-q")
    out = result.stdout.str()
    assert "test_tag_maps_steps_and_assertions" in out
    assert "test_a_typo_in_a_tag" in out
    assert "test_an_untagged_scenario" not in out
    assert "1 deselected" in out


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


@pytest.mark.mockbdd("slow", off=True)
def test_an_off_mark_removes_the_module_map(mockbdd):
    assert httpx.get(mockbdd.url("payments") + "/v1/slow").status_code == 404


@pytest.mark.mockbdd("checkout_failure", strict=True)
def test_marked_without_the_fixture():
    pass  # the namespace opens anyway: strict mode then finds its stubs unused


@pytest.mark.mockbdd("nope_either")
def test_unknown_map_without_the_fixture():
    pass
"""


@pytest.mark.parametrize("plugins", [(), ("-p", "no:pytest-bdd")], ids=["with-bdd", "no-bdd"])
def test_the_marker_on_plain_tests(pytester: pytest.Pytester, plugins: tuple[str, ...]) -> None:
    pytester.makefile(".ini", pytest=INI)
    (pytester.path / "maps").mkdir()
    (pytester.path / "maps" / "maps.yaml").write_text(TAG_MAPS)
    pytester.makepyfile(test_marked=MARKED)
    result = pytester.runpytest_subprocess(*plugins, "-rfE")
    result.assert_outcomes(passed=5, failed=2, errors=2)
    out = result.stdout.str()
    assert "PluginValidationError" not in out
    assert "mockbdd: strict mode" in out
    assert "mockbdd: unknown mock tag @mock:nope " in out
    assert section(out, "test_marked_without_the_fixture").startswith("mockbdd: strict mode")
    assert section(out, "test_unknown_map_without_the_fixture").startswith(
        "mockbdd: unknown mock tag @mock:nope_either at test_marked.py:"
    )


MARKS_FEATURE = """\
@mock:slow:delay=10ms
Feature: marks and tags together

  Scenario: the module's mark is the feature level
    When I send POST /v1/charges to "payments"
    Then the reply status is 503
    When I send GET /v1/slow to "payments"
    Then the reply status is 200

  @mock:slow:off
  Scenario: an off tag
    When I send GET /v1/slow to "payments"
    Then the reply status is 404

  @mockbdd:xyz
  Scenario: an unknown reserved tag
    When I send GET /v1/slow to "payments"

  Scenario: a bad parameter in phrase 14
    When "payments" switches to the "slow:delay=soon" mock
"""

MARKS_CONFTEST = (
    BDD_CONFTEST
    + """

import pytest


@pytest.fixture(autouse=True)
def show_marks(request):
    marks = [(m.args, dict(m.kwargs)) for m in request.node.iter_markers("mockbdd")]
    print(f"MARKS {request.node.name} {marks}")


@then(parsers.parse('the namespace is "{name}"'))
def namespace_is(mockbdd, name):
    assert mockbdd.name == name
"""
)

MARKS_TESTS = {
    "test_marks": """\
import pytest
from pytest_bdd import scenarios

pytestmark = pytest.mark.mockbdd("checkout_failure")
scenarios("features/marks.feature")
""",
    "test_strict": """\
import pytest
from pytest_bdd import scenario

pytestmark = pytest.mark.mockbdd(strict=True)


@scenario("features/flags.feature", "strict from the module")
def test_strict():
    pass
""",
    "test_shared": """\
import pytest
from pytest_bdd import scenario


@pytest.mark.mockbdd(shared=True)
@scenario("features/flags.feature", "shared from the function")
def test_shared():
    pass
""",
}

FLAGS_FEATURE = """\
Feature: strict and shared from marks

  Scenario: strict from the module
    When I send GET /v1/unknown to "inventory"

  Scenario: shared from the function
    When I send GET /v1/unknown to "inventory"
    Then the namespace is "default"
"""


def test_marks_apply_to_pytest_bdd_scenarios_and_tags_become_marks(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".ini", pytest=INI)
    pytester.makeconftest(MARKS_CONFTEST)
    (pytester.path / "maps").mkdir()
    (pytester.path / "maps" / "maps.yaml").write_text(TAG_MAPS)
    (pytester.path / "features").mkdir()
    (pytester.path / "features" / "marks.feature").write_text(MARKS_FEATURE)
    (pytester.path / "features" / "flags.feature").write_text(FLAGS_FEATURE)
    pytester.makepyfile(**MARKS_TESTS)
    result = pytester.runpytest_subprocess("-s")
    out = result.stdout.str()
    result.assert_outcomes(passed=3, failed=3)
    marks = dict(re.findall(r"MARKS (\S+) (\[.*\])", out))
    # tags become marks with their parameters (sets: no order); the module's mark stacks
    off = marks["test_an_off_tag"]
    assert "(('slow',), {'off': True})" in off
    assert "(('slow',), {'delay': '10ms'})" in off
    assert "(('checkout_failure',), {})" in off
    assert "((), {})" in marks["test_an_unknown_reserved_tag"]
    assert "xyz" not in marks["test_an_unknown_reserved_tag"]
    assert section(out, "test_an_unknown_reserved_tag") == (
        "mockbdd: unknown reserved tag @mockbdd:xyz (reserved: @mockbdd:shared, "
        "@mockbdd:strict) at features/marks.feature:15"
    )
    # the module's mark (feature level) applied: the first scenario passed with its 503
    assert "test_the_modules_mark_is_the_feature_level" not in out.split("= FAILURES =")[-1]
    # phrase 14's errors name the step's line
    bad = section(out, "test_a_bad_parameter_in_phrase_14")
    assert bad.startswith("mockbdd: bad value 'soon' for parameter 'delay' (duration) of @mock:")
    assert bad.endswith("at features/marks.feature:20"), bad
    # strict=True on the module, shared=True on the function
    assert section(out, "test_strict").startswith("mockbdd: strict mode")
    assert section(out, "test_shared") == ""


def test_mock_tags_on_examples_pass_strict_markers(pytester: pytest.Pytester) -> None:
    """pytest-bdd turns Examples tags into marks without ``pytest_bdd_apply_tag``; the plugin
    lets ``--strict-markers`` accept ``mock:``/``mockbdd:`` ones (any other unregistered tag
    still fails collection: the control below)."""
    pytester.makefile(".ini", pytest=INI)
    pytester.makeconftest(BDD_CONFTEST)
    (pytester.path / "maps").mkdir()
    (pytester.path / "maps" / "maps.yaml").write_text(TAG_MAPS)
    (pytester.path / "features").mkdir()
    outline = """\
Feature: examples tags

  Scenario Outline: a tag on the Examples block
    When I send POST /v1/charges to "payments"
    Then the reply status is <status>

    {tag}
    Examples:
      | status |
      | 503    |
"""
    (pytester.path / "features" / "ok.feature").write_text(
        outline.format(tag="@mock:checkout_failure @mockbdd:strict")
    )
    (pytester.path / "features" / "control.feature").write_text(outline.format(tag="@other"))
    pytester.makepyfile(
        test_ok="from pytest_bdd import scenarios\nscenarios('features/ok.feature')\n",
        test_control="from pytest_bdd import scenarios\nscenarios('features/control.feature')\n",
    )
    result = pytester.runpytest_subprocess("--continue-on-collection-errors")
    result.assert_outcomes(passed=1, errors=1)
    out = result.stdout.str()
    assert "'other' not found in `markers` configuration option" in out
    assert "'mock:" not in out
