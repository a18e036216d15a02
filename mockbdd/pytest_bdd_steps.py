"""The mockbdd step library for pytest-bdd, registered by the pytest plugin when pytest-bdd is
active (``config.pluginmanager.import_plugin``), so its step fixtures are global.

Every phrase comes from the one table, :data:`mockbdd.bdd.vocabulary.PHRASES`, registered in
one loop. The patterns are behave's, compiled case-sensitively as behave does. pytest-bdd finds
what a step needs by the names in its signature: the parsed fields, ``docstring`` and
``datatable`` (which it fills itself) and fixtures (``mockbdd_scenario``, ``request``), so
each step function carries a ``__signature__`` built from its phrase.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from pytest_bdd import parsers, step, then

from mockbdd.bdd import vocabulary as v
from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepTable, StepUsageError
from mockbdd.bdd.step_checks import MockAssertionError
from mockbdd.pytest_plugin import STEP_AT_KEY

MOCKS = "mockbdd_scenario"
"""The fixture every step works on (the pytest plugin provides it)."""

EXTRA_ARGUMENT = {
    v.Extra.NONE: None,
    v.Extra.DOCSTRING: "docstring",  # pytest-bdd's reserved argument: the docstring's text
    v.Extra.TABLE: "datatable",  # pytest-bdd's reserved argument: list of rows, header first
    v.Extra.LOCATION: "request",  # the fixture; the plugin stashes the step's location on it
}


def parser(pattern: str) -> Any:
    return parsers.parse(pattern, case_sensitive=True, extra_types=v.TYPES)


def _extra(phrase: v.Phrase, value: Any) -> object:
    """What ``phrase`` takes besides its text, from the argument pytest-bdd passed."""
    if phrase.extra is v.Extra.TABLE:
        return StepTable.from_lists(value)
    if phrase.extra is v.Extra.LOCATION:
        request: pytest.FixtureRequest = value
        return request.node.stash.get(STEP_AT_KEY, None)
    return value


def signature(phrase: v.Phrase) -> inspect.Signature:
    """``(mockbdd_scenario, <fields...>, <docstring|datatable|request>)``, all required."""
    names = [MOCKS, *v.fields(phrase.pattern)]
    extra = EXTRA_ARGUMENT[phrase.extra]
    if extra is not None:
        names.append(extra)
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Signature([inspect.Parameter(name, kind) for name in names])


def step_function(phrase: v.Phrase) -> Callable[..., None]:
    """The pytest-bdd step for ``phrase``. A failed mock assertion (or a misused step) is
    reported as its message alone: pytest-bdd runs steps through pytest's fixture machinery,
    whose frames would bury the report."""
    extra = EXTRA_ARGUMENT[phrase.extra]

    @functools.wraps(phrase.impl)
    def run(**arguments: Any) -> None:
        __tracebackhide__ = True
        mocks: ScenarioMocks = arguments.pop(MOCKS)
        value = arguments.pop(extra) if extra is not None else None
        try:
            phrase.run(mocks, arguments, _extra(phrase, value))
            return
        except (MockAssertionError, StepUsageError) as exc:
            message = str(exc)
        pytest.fail(message, pytrace=False)  # outside the except: no chained traceback

    run.__signature__ = signature(phrase)  # type: ignore[attr-defined]
    return run


# pytest-bdd puts each step's fixture into the globals of the module that calls its decorator
# (``stacklevel``), so this loop runs at module level: the fixtures land in this plugin module.
for _phrase in v.PHRASES:
    (step if _phrase.setup else then)(parser(_phrase.pattern))(step_function(_phrase))
del _phrase
