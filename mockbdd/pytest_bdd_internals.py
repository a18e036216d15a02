"""Every use of pytest-bdd beyond its hooks, in one place (pinned by
``tests/contracts/test_pytest_bdd_contract.py``).

- ``pytest_bdd.scenario.scenario_wrapper_template_registry`` (a module-level
  ``WeakKeyDictionary``: test function -> ``ScenarioTemplate``) is the only way from a pytest
  item to the scenario it runs, with its feature, rule and Examples blocks.
- The parsed objects' fields: ``ScenarioTemplate.feature/rule/tags/line_number/examples``,
  ``Feature.filename/tags/line_number``, ``Rule.tags``, ``Examples.tags/line_number``; the
  ``feature.filename`` and ``step.line_number`` of the step hooks.
- Tags are plain names (no ``@``) without their lines, so the lines mockbdd's errors name are
  found by reading the feature file again (:func:`tag_line`).

:class:`BddScenario` is what the plugin sees of all that: typed, and built in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ExamplesBlock:
    tags: frozenset[str]
    line: int | None


@dataclass(frozen=True)
class BddScenario:
    """A pytest-bdd scenario: where it is written and its tags per level (names, no ``@``)."""

    feature_file: str
    feature_line: int
    feature_tags: frozenset[str]
    rule_tags: frozenset[str]
    tags: frozenset[str]
    line: int
    examples: tuple[ExamplesBlock, ...]

    @property
    def inherited_tags(self) -> frozenset[str]:
        """The scenario's, its rule's and its feature's tags: those pytest-bdd hands to
        ``pytest_bdd_apply_tag`` (Examples tags are not)."""
        return self.tags | self.rule_tags | self.feature_tags


def bdd_scenario(function: object) -> BddScenario | None:
    """The scenario a pytest-bdd test function runs; None for any other function."""
    try:
        from pytest_bdd.scenario import scenario_wrapper_template_registry
    except ImportError:
        return None
    try:
        registry: Any = scenario_wrapper_template_registry  # typed differently across versions
        template: Any = registry.get(function)
    except TypeError:  # not weakly referenceable: not a scenario
        return None
    if template is None:
        return None
    feature = template.feature
    return BddScenario(
        feature_file=str(feature.filename),
        feature_line=int(feature.line_number),
        feature_tags=frozenset(feature.tags),
        rule_tags=frozenset(template.rule.tags) if template.rule is not None else frozenset(),
        tags=frozenset(template.tags),
        line=int(template.line_number),
        examples=tuple(
            ExamplesBlock(frozenset(block.tags or ()), block.line_number)
            for block in template.examples
        ),
    )


def step_location(feature: Any, step: Any) -> tuple[str, int]:
    """File and line of the step a ``pytest_bdd_*_step`` hook is called for."""
    return str(feature.filename), int(step.line_number)


def read_lines(filename: str) -> list[str]:
    try:
        return Path(filename).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []


def tag_line(lines: list[str], tag: str, anchor: int) -> int:
    """The line of ``@tag`` nearest above ``anchor`` (1-based), else ``anchor``."""
    token = "@" + tag
    for number in range(min(anchor, len(lines)), 0, -1):
        if token in lines[number - 1].split():
            return number
    return anchor
