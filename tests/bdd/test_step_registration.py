"""Both runners register exactly the phrases of the one table: each once, none left out, none
added by hand, read back from the runners' own registries."""

from __future__ import annotations

import inspect
from collections import Counter

import pytest
from behave.step_registry import registry

import mockbdd.behave.steps as behave_steps
import mockbdd.pytest_bdd_steps as pytest_bdd_steps
from mockbdd.bdd import vocabulary as v

STEPDEF_PREFIX = "pytestbdd_stepdef_"  # pytest-bdd names a step's fixture <prefix><type>_<pattern>


def expected(setup_keyword: str, then_keyword: str) -> Counter[tuple[str, str]]:
    return Counter((setup_keyword if p.setup else then_keyword, p.pattern) for p in v.PHRASES)


def test_the_table_names_each_pattern_once_and_numbers_them_in_order() -> None:
    """DESIGN §7's 1-27 all there (set-up 1-16), then the feature phrases by block (LLM APIs
    from 45); a number names one kind of phrase (17 has a singular and a plural spelling)."""
    patterns = Counter(p.pattern for p in v.PHRASES)
    assert [p for p, n in patterns.items() if n > 1] == []
    numbers = [p.number for p in v.PHRASES]
    assert numbers == sorted(numbers)
    assert sorted({n for n in numbers if n <= 27}) == list(range(1, 28))
    assert [p.number for p in v.PHRASES if p.setup and p.number <= 27] == list(range(1, 17))
    kinds = {(p.number, p.kind) for p in v.PHRASES}
    assert len(kinds) == len({p.number for p in v.PHRASES})


def test_behave_registers_every_phrase_once() -> None:
    behave_steps.ensure_registered()  # again, as behavex does: still once each
    ours = {p.pattern for p in v.PHRASES}
    got = Counter(
        (keyword, matcher.pattern)
        for keyword, matchers in registry.steps.items()
        for matcher in matchers
        if matcher.pattern in ours or matcher.func.__module__.startswith("mockbdd.")
    )
    assert got == expected("step", "then")


def test_behave_steps_report_the_phrase_implementation_as_their_location() -> None:
    by_pattern = {m.pattern: m for ms in registry.steps.values() for m in ms}
    for phrase in v.PHRASES:
        location = by_pattern[phrase.pattern].location
        assert location.filename.endswith(inspect.getfile(phrase.impl).rpartition("mockbdd/")[2])
        assert location.line == inspect.getsourcelines(phrase.impl)[1]


def test_pytest_bdd_registers_every_phrase_once() -> None:
    got = Counter(
        tuple(name.removeprefix(STEPDEF_PREFIX).split("_", 1))  # ("*" or "then", pattern)
        for name in vars(pytest_bdd_steps)
        if name.startswith(STEPDEF_PREFIX)
    )
    # a second registration of a pattern would get a fixture name ending in "_1"
    assert got == expected("*", "then")


@pytest.mark.parametrize("phrase", v.PHRASES, ids=lambda p: f"{p.number}:{p.pattern[:40]}")
def test_pytest_bdd_steps_ask_for_what_their_phrase_takes(phrase: v.Phrase) -> None:
    names = list(inspect.signature(pytest_bdd_steps.step_function(phrase)).parameters)
    extra = {
        v.Extra.NONE: [],
        v.Extra.DOCSTRING: ["docstring"],
        v.Extra.TABLE: ["datatable"],
        v.Extra.LOCATION: ["request"],
    }[phrase.extra]
    assert names == ["mockbdd_scenario", *v.fields(phrase.pattern), *extra]


def test_a_row_whose_args_do_not_name_its_fields_is_refused() -> None:
    with pytest.raises(ValueError, match=r"phrase 99: args \('service', 'x', 'x'\) must name"):
        v.Phrase(
            99, v.SERVICE_UNAVAILABLE + " {x}", v.Kind.SETUP, print, args=("service", "x", "x")
        )
