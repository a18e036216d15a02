"""What mockbdd relies on in pytest-bdd beyond its documented API
(``mockbdd/pytest_bdd_internals.py``), through a real pytest-bdd run in a subprocess."""

from __future__ import annotations

import inspect
import json

import pytest
from pytest_bdd import hooks

from mockbdd.pytest_bdd_internals import bdd_scenario

pytest_plugins = ["pytester"]

FEATURE = """\
@feat_tag
Feature: contract

  @rule_tag
  Rule: a rule

    @outline_tag
    Scenario Outline: an outline
      Given a step <n>

      @ex_one
      Examples: first
        | n |
        | 1 |

      @ex_two
      Examples: second
        | n |
        | 2 |
"""

CONFTEST = """\
import dataclasses
import json

from pytest_bdd import given, parsers

from mockbdd.pytest_bdd_internals import bdd_scenario, read_lines, step_location, tag_line

APPLIED = []
STEPS = []
SEEN = {}


def pytest_bdd_apply_tag(tag, function):
    APPLIED.append(tag)
    return None  # pytest-bdd's own hook makes the mark


def pytest_bdd_before_step(request, feature, scenario, step, step_func):
    STEPS.append(step_location(feature, step))


@given(parsers.parse("a step {n:d}"))
def a_step(n):
    pass


def pytest_runtest_teardown(item):
    found = bdd_scenario(item.obj)
    lines = read_lines(found.feature_file)
    SEEN[item.name] = {
        "scenario": {
            k: sorted(v) if isinstance(v, frozenset) else v
            for k, v in dataclasses.asdict(found).items() if k != "examples"
        },
        "examples": [[sorted(b.tags), b.line] for b in found.examples],
        "marks": sorted(m.name for m in item.iter_markers()),
        "tag_lines": {t: tag_line(lines, t, found.line) for t in ("outline_tag", "rule_tag")},
    }


def pytest_sessionfinish(session):
    with open("seen.json", "w") as out:
        json.dump({"applied": sorted(APPLIED), "steps": STEPS, "seen": SEEN}, out)
"""

INI = """\
[pytest]
addopts = --strict-markers
markers =
    feat_tag
    rule_tag
    outline_tag
    ex_one
    ex_two
"""


def test_a_scenario_is_found_from_its_test_function_with_its_tags_and_lines(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI)
    pytester.makeconftest(CONFTEST)
    feature = pytester.path / "contract.feature"
    feature.write_text(FEATURE)
    pytester.makepyfile(
        test_bdd="from pytest_bdd import scenarios\nscenarios('contract.feature')\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:mockbdd", "-p", "no:xdist", "-p", "no:asyncio")
    result.assert_outcomes(passed=2)
    data = json.loads((pytester.path / "seen.json").read_text())

    # tags arrive as names without '@' or lines: the lines come from the file, read again
    scenario = {
        "feature_file": str(feature),
        "feature_line": 2,
        "feature_tags": ["feat_tag"],
        "rule_tags": ["rule_tag"],
        "tags": ["outline_tag"],
        "line": 8,
    }
    tag_lines = {"outline_tag": 7, "rule_tag": 4}
    examples = [[["ex_one"], 12], [["ex_two"], 17]]
    assert sorted(data["seen"]) == ["test_an_outline[1]", "test_an_outline[2]"]
    for seen in data["seen"].values():
        assert seen["scenario"] == scenario
        assert seen["examples"] == examples
        assert seen["tag_lines"] == tag_lines
    # Examples tags become marks without pytest_bdd_apply_tag (why pytest_internals exists)
    assert data["applied"] == ["feat_tag", "outline_tag", "rule_tag"]  # once: one function
    assert {"ex_one", "feat_tag", "outline_tag", "rule_tag"} <= set(
        data["seen"]["test_an_outline[1]"]["marks"]
    )
    assert "ex_two" in data["seen"]["test_an_outline[2]"]["marks"]
    assert data["steps"] == [[str(feature), 9], [str(feature), 9]]


def test_any_other_function_is_no_scenario() -> None:
    assert bdd_scenario(test_any_other_function_is_no_scenario) is None
    assert bdd_scenario(42) is None  # not weakly referenceable


@pytest.mark.parametrize(
    ("hook", "arguments"),
    [
        ("pytest_bdd_apply_tag", ["tag", "function"]),
        ("pytest_bdd_before_scenario", ["request", "feature", "scenario"]),
        ("pytest_bdd_before_step", ["request", "feature", "scenario", "step", "step_func"]),
    ],
)
def test_the_hooks_mockbdd_implements_exist_with_these_arguments(
    hook: str, arguments: list[str]
) -> None:
    """mockbdd's hooks are ``optionalhook=True`` (pytest-bdd is optional), so pluggy would not
    complain if one were renamed: it would silently never run."""
    spec = getattr(hooks, hook)
    assert list(inspect.signature(spec).parameters) == arguments
