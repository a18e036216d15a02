"""The mockbdd step library for behave: ``from mockbdd.behave.steps import *`` in ``steps/``.

Importing registers every phrase of DESIGN §7 once per process. Registration pins behave's
``parse`` matcher and restores whichever matcher the user had chosen (a user's
``use_step_matcher("re")`` would otherwise turn these patterns into regexes). The custom types
carry an ``Mbd`` prefix: behave's type registry is shared with the user's steps. Set-up phrases
are registered with ``@step`` so Given, When and And all accept them; assertions are Then steps.
Every phrase comes from the one table, :data:`mockbdd.bdd.vocabulary.PHRASES`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import behave
from behave.matchers import get_step_matcher_factory, register_type, use_step_matcher

from mockbdd.bdd import vocabulary as v
from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepTable, StepUsageError
from mockbdd.bdd.step_checks import MockAssertionError

__all__: list[str] = []

StepFunc = Callable[..., None]

_NO_NAMESPACE = (
    "mockbdd: this scenario has no mock namespace. Call mockbdd.behave.before_scenario(context, "
    "scenario) from before_scenario in environment.py (see mockbdd.behave)"
)


def _mocks(context: Any) -> ScenarioMocks:
    mocks = getattr(context, "mockbdd_scenario", None)
    if not isinstance(mocks, ScenarioMocks):
        raise RuntimeError(_NO_NAMESPACE)
    return mocks


def _table(context: Any) -> StepTable:
    table = context.table
    if table is None:
        raise StepUsageError("this step needs a table under it")
    return StepTable(tuple(table.headings), tuple(tuple(row.cells) for row in table.rows))


def _extra(phrase: v.Phrase, context: Any) -> object:
    """What ``phrase`` takes besides its text, as behave hands it over."""
    if phrase.extra is v.Extra.DOCSTRING:
        return context.text
    if phrase.extra is v.Extra.TABLE:
        return _table(context)
    if phrase.extra is v.Extra.LOCATION:
        return _step_location(context)
    return None


def step_function(phrase: v.Phrase) -> StepFunc:
    """The behave step for ``phrase``: behave passes the context and the parsed fields.

    A misused step fails with its message alone (behave prints a traceback for any error that
    is not an assertion, which would bury it). behave shows the step's location through
    ``__wrapped__``: the phrase's implementation."""

    @functools.wraps(phrase.impl)
    def run(context: Any, **values: Any) -> None:
        try:
            phrase.run(_mocks(context), values, _extra(phrase, context))
        except StepUsageError as exc:
            raise MockAssertionError(str(exc)) from None

    return run


def _step_location(context: Any) -> tuple[str | None, int | None] | None:
    """The feature file and line of the step running now: behave does not put the step on
    the context, but it resets every step of the scenario to ``untested`` before running it,
    and marks each one passed as it goes, so the running step is the first untested one."""
    scenario = getattr(context, "scenario", None)
    for step in getattr(scenario, "all_steps", None) or ():
        if getattr(step.status, "name", "") == "untested":
            return str(step.filename), int(step.line)
    return None


_STEPS: tuple[tuple[v.Phrase, StepFunc], ...] = tuple((p, step_function(p)) for p in v.PHRASES)


# ------------------------------------------------------------------------------ registration


def ensure_registered() -> None:
    """Register the phrases through behave's own decorators, with the ``parse`` matcher pinned
    and the user's matcher restored. Idempotent: behave ignores a step function registered
    again from the same location (behavex re-runs ``before_all`` in one process)."""
    factory = get_step_matcher_factory()
    previous = factory.current_matcher.NAME
    use_step_matcher("parse")
    try:
        register_type(**v.TYPES)
        for phrase, func in _STEPS:
            decorator = behave.step if phrase.setup else behave.then
            decorator(phrase.pattern)(func)
    finally:
        use_step_matcher(previous)


ensure_registered()
