"""behave integration: call these from ``environment.py`` (DESIGN §6).

```python
import mockbdd.behave as mockbdd
def before_all(context): mockbdd.before_all(context)
def before_scenario(context, scenario): mockbdd.before_scenario(context, scenario)
def after_scenario(context, scenario): mockbdd.after_scenario(context, scenario)
```

``before_scenario`` resolves the scenario's ``@mock:`` tags per level (Feature, Rule, Scenario,
Examples), opens its namespace and sets ``context.mockbdd`` (the namespace handle) and
``context.mockbdd_scenario`` (what the steps use). The namespace closes in a
``context.add_cleanup``, which behave runs even when a hook failed. An unknown tag raises, so
behave reports ``HOOK-ERROR in before_scenario`` with the message naming file and line, and
skips the steps. Hooks are plain functions: behave never awaits ``async def`` hooks.
"""

from __future__ import annotations

import difflib
import sys
from typing import Any

try:
    from behave.userdata import UserData
except ModuleNotFoundError as exc:  # the behave extra is not installed
    if (exc.name or "").partition(".")[0] != "behave":
        raise
    raise ModuleNotFoundError(
        'mockbdd.behave needs behave, which is not installed: pip install "mockbdd[behave]" '
        "(the pytest marker, fixture and unittest mixin need no extra)",
        name="behave",
    ) from None

from mockbdd.bdd.hints import closest_phrase
from mockbdd.bdd.journal_report import attach_journal
from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepSettings
from mockbdd.bdd.session import (
    Options,
    TagLevels,
    check_strict,
    close_scenario,
    open_scenario,
)
from mockbdd.behave.internals import outline_row
from mockbdd.tagmaps.errors import MockBddError

__all__ = ["after_scenario", "before_all", "before_scenario", "options_from_userdata"]

_NOT_FAILED = ("passed", "untested", "skipped")


USERDATA_KEYS = ("tag_maps", "strict", "timeout", "settle")


def options_from_userdata(userdata: Any) -> Options:
    """``-D mockbdd.tag_maps=...``, ``mockbdd.strict``, ``mockbdd.timeout``, ``mockbdd.settle``,
    ``worker_id`` (behavex), or the same keys in ``[tool.behave.userdata]``: quoted
    (``"mockbdd.tag_maps" = "mocks"``) or as a table (``mockbdd.tag_maps = "mocks"``, i.e.
    ``[tool.behave.userdata.mockbdd]``). An unknown ``mockbdd.`` key is refused, not ignored."""
    flat = UserData(_flatten(userdata))
    defaults = StepSettings()
    return Options(
        tag_maps=str(flat.get("mockbdd.tag_maps") or "") or None,
        strict=flat.getbool("mockbdd.strict", False),
        worker=flat.get("worker_id") or None,
        settings=StepSettings(
            timeout=flat.getfloat("mockbdd.timeout", defaults.timeout),
            settle=flat.getfloat("mockbdd.settle", defaults.settle),
        ),
    )


def _flatten(userdata: Any) -> dict[str, Any]:
    """The userdata with a ``mockbdd`` table spelled as ``mockbdd.<key>`` keys (an explicit
    ``-D mockbdd.<key>`` wins); every ``mockbdd.`` key checked against the known ones."""
    flat = dict(userdata)
    table = flat.pop("mockbdd", None)
    if isinstance(table, dict):
        for key, value in table.items():
            flat.setdefault(f"mockbdd.{key}", value)
    elif table is not None:
        raise MockBddError(
            f"userdata 'mockbdd' is {table!r}; mockbdd's settings are keys "
            + ", ".join(f"mockbdd.{k}" for k in USERDATA_KEYS)
        )
    for key in flat:
        name = key[len("mockbdd.") :] if key.startswith("mockbdd.") else None
        if name is not None and name not in USERDATA_KEYS:
            close = difflib.get_close_matches(name, USERDATA_KEYS, n=1)
            hint = f"did you mean 'mockbdd.{close[0]}'? " if close else ""
            known = ", ".join(f"mockbdd.{k}" for k in USERDATA_KEYS)
            raise MockBddError(f"unknown userdata key {key!r}; {hint}(known: {known})")
    return flat


def before_all(context: Any) -> None:
    """Read the configuration; idempotent (behavex calls it once per work item). The engine
    itself starts lazily, with the first scenario. If the step library was imported, make sure
    behave's current registry still has it."""
    steps = sys.modules.get("mockbdd.behave.steps")
    if steps is not None:
        steps.ensure_registered()
    context.mockbdd_options = options_from_userdata(context.config.userdata)


def before_scenario(context: Any, scenario: Any) -> None:
    """Open the scenario's namespace from its tags; raise (HOOK-ERROR) on a bad tag."""
    options = getattr(context, "mockbdd_options", None)
    if options is None:
        options = options_from_userdata(context.config.userdata)
    mocks = open_scenario(
        scenario_levels(scenario),
        options=options,
        file=str(scenario.filename),
        line=int(scenario.line),
        labels={k: v for k, v in scenario_labels(scenario).items() if v},
    )
    context.add_cleanup(close_scenario, mocks)
    context.mockbdd_scenario = mocks
    context.mockbdd = mocks.handle


def _hint_undefined_steps(scenario: Any) -> None:
    """An undefined step that looks like a shipped phrase gets the closest one (MBD008), on
    the real stderr (behave captures ``sys.stderr`` while hooks run)."""
    for step in getattr(scenario, "all_steps", None) or scenario.steps:
        if getattr(step.status, "name", "") != "undefined":
            continue
        hint = closest_phrase(step.name)
        if hint is not None:
            stream = sys.__stderr__ or sys.stderr
            print(
                f"mockbdd: undefined step at {step.location}: {step.name!r} — {hint.text}",
                file=stream,
                flush=True,
            )


def after_scenario(context: Any, scenario: Any) -> None:
    """A failed scenario gets its namespace's journal: printed with the failure and written as
    a HAR under ``reports/mockbdd/``. ``@mockbdd:strict``: fail on unmatched requests and
    unused stubs (skipped when the scenario already failed, whose own error says more)."""
    _hint_undefined_steps(scenario)
    mocks: ScenarioMocks | None = getattr(context, "mockbdd_scenario", None)
    if mocks is None:
        return
    if getattr(scenario.status, "name", str(scenario.status)) not in _NOT_FAILED:
        _attach_journal(mocks, scenario)
        return
    if mocks.strict:
        check_strict(mocks)


def scenario_labels(scenario: Any) -> dict[str, str]:
    """The feature, scenario and example row a namespace served (for reports and HAR files)."""
    feature = getattr(scenario, "feature", None)
    row = outline_row(scenario)
    return {
        "feature": str(getattr(feature, "name", "") or ""),
        "scenario": str(scenario.name),
        "example": ""
        if row is None
        else ", ".join(f"{h}={c}" for h, c in zip(row.headings, row.cells, strict=False)),
        "location": f"{scenario.filename}:{scenario.line}",
    }


def _attach_journal(mocks: ScenarioMocks, scenario: Any) -> None:
    try:
        attached = attach_journal(mocks, scenario_labels(scenario))
    except Exception as exc:  # the server is gone, the disk is full: the failure stays the news
        attached = (f"mockbdd: could not attach the journal: {exc}", None)
    if attached is not None:
        print(attached[0], file=sys.stderr, flush=True)


def scenario_levels(scenario: Any) -> TagLevels:
    """The scenario's tags per level, each with its line. A Scenario Outline row carries the
    outline's tags plus its Examples' tags (placeholders expanded by behave)."""
    parent = getattr(scenario, "parent", None)
    outline = parent if outline_row(scenario) is not None else None
    container = getattr(outline, "parent", None) if outline is not None else parent
    is_rule = type(container).__name__ == "Rule"
    rule_tags = _lined(getattr(container, "tags", [])) if is_rule else []
    if outline is None:
        own, examples = _lined(scenario.tags), []
    else:
        own = _lined(outline.tags)
        examples = _examples_tags(scenario, outline)
    return TagLevels(
        feature=_lined(scenario.feature.tags),
        rule=rule_tags,
        scenario=own,
        examples=examples,
    )


def _lined(tags: Any) -> list[tuple[str, int | None]]:
    return [(str(t), getattr(t, "line", None)) for t in tags]


def _examples_tags(scenario: Any, outline: Any) -> list[tuple[str, int | None]]:
    """The rendered tags that the row's Examples block added (lines from that block)."""
    row = outline_row(scenario)
    block = next(
        (ex for ex in outline.examples if ex.table is not None and any(r is row for r in ex.table)),
        None,
    )
    written = {str(t): getattr(t, "line", None) for t in getattr(block, "tags", [])}
    default = getattr(block, "line", None)
    count = len(outline.tags)
    return [(str(t), written.get(str(t), default)) for t in scenario.tags[count:]]
