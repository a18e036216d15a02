"""What mockbdd relies on in behave beyond its documented API (``mockbdd/behave/internals.py``):
how a Scenario Outline's rows are built (``_row``, ``parent``, tags) and the step-matcher
switch the step library uses; on a feature parsed by behave itself."""

from __future__ import annotations

from typing import Any

from behave.matchers import get_step_matcher_factory, use_step_matcher
from behave.model import Row, ScenarioOutline
from behave.parser import parse_feature

from mockbdd.behave import scenario_levels
from mockbdd.behave.internals import outline_row

FEATURE = """\
@feat
Feature: contract

  @plain
  Scenario: plain
    Given a step

  @ruled
  Rule: a rule

    @outline
    Scenario Outline: an outline
      Given a step <n>

      @ex_one @mock:slow:delay=<d>
      Examples: first
        | n | d    |
        | 1 | 10ms |

      @ex_two
      Examples: second
        | n | d |
        | 2 | 0 |
"""


def scenarios() -> list[Any]:
    return list(parse_feature(FEATURE, filename="contract.feature").walk_scenarios())


def test_an_outline_row_knows_its_examples_row_and_its_outline() -> None:
    plain, first, second = scenarios()
    assert outline_row(plain) is None
    outline = first.parent
    assert isinstance(outline, ScenarioOutline)
    assert second.parent is outline
    assert type(outline.parent).__name__ == "Rule"  # how scenario_levels tells a Rule
    blocks = outline.examples
    for scenario, block in ((first, blocks[0]), (second, blocks[1])):
        row = outline_row(scenario)
        assert isinstance(row, Row)
        assert [r is row for b in blocks for r in b.table] == [b is block for b in blocks]


def test_a_rows_tags_are_the_outlines_then_its_examples_rendered() -> None:
    _, first, second = scenarios()
    outline = first.parent
    assert [str(t) for t in outline.tags] == ["outline"]
    assert first.tags == ["outline", "ex_one", "mock:slow:delay=10ms"]  # placeholders filled
    assert second.tags == ["outline", "ex_two"]
    assert [t.line for t in outline.examples[0].tags] == [15, 15]  # written tags have lines
    assert outline.examples[0].line == 16


def test_scenario_levels_puts_each_tag_on_its_level_with_its_line() -> None:
    plain, first, second = scenarios()
    assert scenario_levels(plain).scenario == [("plain", 4)]
    assert scenario_levels(plain).rule == []
    levels = scenario_levels(first)
    assert levels.feature == [("feat", 1)]
    assert levels.rule == [("ruled", 8)]
    assert levels.scenario == [("outline", 11)]
    assert levels.examples == [("ex_one", 15), ("mock:slow:delay=10ms", 16)]
    assert scenario_levels(second).examples == [("ex_two", 20)]


def test_the_step_matcher_can_be_read_and_put_back() -> None:
    """``mockbdd.behave.steps`` registers its phrases with the ``parse`` matcher and restores
    the user's: it reads the current one's ``NAME``."""
    factory = get_step_matcher_factory()
    previous = factory.current_matcher.NAME
    try:
        use_step_matcher("re")
        assert get_step_matcher_factory().current_matcher.NAME == "re"
        use_step_matcher("parse")
        assert get_step_matcher_factory().current_matcher.NAME == "parse"
    finally:
        use_step_matcher(previous)
    assert previous == get_step_matcher_factory().current_matcher.NAME
