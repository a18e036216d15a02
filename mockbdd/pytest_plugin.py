"""The pytest plugin (entry point ``pytest11: mockbdd``), for plain pytest and pytest-bdd.

- Fixtures: ``mockbdd_engine`` (session: the per-process engine, so one per xdist worker) and
  ``mockbdd`` (function: the test's namespace handle); ``mockbdd_scenario`` is what steps use.
- Marker: ``@pytest.mark.mockbdd("checkout_failure")``, ``("payments_slow", delay="300ms")``,
  ``("base", off=True)``, ``(strict=True)``, ``(shared=True)``; several marks stack. Module
  marks act as the Feature level, class marks as the Rule level and function marks as the
  Scenario level, for plain tests and pytest-bdd scenarios alike. A marked plain test gets its
  namespace even without asking for the ``mockbdd`` fixture.
- pytest-bdd (only when it is active; it is never imported at module level, and every
  ``pytest_bdd_*`` hook is optional): ``@mock:*`` tags become ``mockbdd`` marks (so ``-m
  mockbdd`` selects mocked scenarios), a scenario with mockbdd tags or marks opens its
  namespace before its first step, and the step library is registered.
- ini: ``mockbdd_tag_maps`` (relative to the ini file), ``mockbdd_strict``,
  ``mockbdd_timeout``, ``mockbdd_settle``.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mockbdd.bdd.journal_report import attach_journal
from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepSettings
from mockbdd.bdd.session import (
    ENGINE,
    EngineHolder,
    Options,
    TagLevels,
    close_scenario,
    is_ours,
    open_scenario,
    strict_report,
)
from mockbdd.client.namespace import NamespaceHandle
from mockbdd.pytest_bdd_internals import (
    BddScenario,
    bdd_scenario,
    read_lines,
    step_location,
    tag_line,
)
from mockbdd.pytest_internals import accept_marker_names, restore_marker_names
from mockbdd.tagmaps.errors import MockBddError
from mockbdd.tagmaps.tags import MOCK_PREFIX, MockTag, ReservedTag, parse_tag

OPTIONS_KEY = pytest.StashKey[Options]()
MOCKS_KEY = pytest.StashKey[ScenarioMocks]()
MARKERS_KEY = pytest.StashKey[set[str]]()
STEP_AT_KEY = pytest.StashKey[tuple[str | None, int | None]]()
"""Where the running pytest-bdd step is written (file, line)."""
_LEVEL_OF_NODE = {"Module": "feature", "Package": "feature", "Class": "rule"}

Lined = list[tuple[str, int | None]]


# ------------------------------------------------------------------------------ configuration


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "mockbdd_tag_maps",
        "folder of mockbdd tag maps (default: $MOCKBDD_TAG_MAPS, else tag_maps/)",
        default="",
    )
    parser.addini("mockbdd_strict", "every mocked test runs as @mockbdd:strict", type="bool")
    parser.addini("mockbdd_timeout", "seconds positive mock assertions wait", default="2.0")
    parser.addini("mockbdd_settle", "seconds before negative mock assertions", default="0.2")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mockbdd(*maps, strict=False, shared=False, **params): run the test in its own mock "
        "namespace with these tag maps (tag bodies as written after @mock:)",
    )
    config.stash[OPTIONS_KEY] = _options(config)
    if _bdd_active(config):
        config.pluginmanager.import_plugin("mockbdd.pytest_bdd_steps")
        _know_examples_tags(config)


def _bdd_active(config: pytest.Config) -> bool:
    """pytest-bdd is loaded (by its entry point, or by ``-p pytest_bdd.plugin``)."""
    return any(config.pluginmanager.has_plugin(n) for n in ("pytest-bdd", "pytest_bdd.plugin"))


def pytest_unconfigure(config: pytest.Config) -> None:
    previous = config.stash.get(MARKERS_KEY, None)
    if previous is not None:
        restore_marker_names(previous)


def _options(config: pytest.Config) -> Options:
    folder = str(config.getini("mockbdd_tag_maps") or "")
    if folder and not os.path.isabs(folder):
        base = config.inipath.parent if config.inipath else config.rootpath
        folder = str(base / folder)
    return Options(
        tag_maps=folder or None,
        strict=bool(config.getini("mockbdd_strict")),
        settings=StepSettings(
            timeout=float(config.getini("mockbdd_timeout")),
            settle=float(config.getini("mockbdd_settle")),
        ),
    )


def _know_examples_tags(config: pytest.Config) -> None:
    """``@mock:`` tags on Examples blocks pass ``--strict-markers`` (see pytest_internals)."""
    previous = accept_marker_names(is_ours)
    if previous is not None:
        config.stash[MARKERS_KEY] = previous


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def mockbdd_engine() -> EngineHolder:
    """The engine of this process (embedded, or ``MOCKBDD_URL``), started once."""
    ENGINE.client()
    return ENGINE


@pytest.fixture
def mockbdd_scenario(
    request: pytest.FixtureRequest, mockbdd_engine: EngineHolder
) -> Iterator[ScenarioMocks]:
    """The test's mocks: namespace handle, step settings, strictness."""
    options = request.config.stash[OPTIONS_KEY]
    found = _found(request)
    try:
        mocks = open_scenario(
            found.levels,
            options=options,
            file=found.file,
            line=found.line,
            extra_strict=found.strict,
            extra_shared=found.shared,
            labels={"test": request.node.nodeid, "scenario": request.node.name},
        )
    except MockBddError as exc:
        problem = str(exc)
    else:
        problem = ""
    if problem:  # failed outside the except: no "during handling..." chained report
        pytest.fail(problem, pytrace=False)
    request.node.stash[MOCKS_KEY] = mocks
    try:
        yield mocks
    finally:
        close_scenario(mocks)


@pytest.fixture
def mockbdd(mockbdd_scenario: ScenarioMocks) -> NamespaceHandle:
    """The test's namespace handle: ``url(service)``, ``stub``, ``apply``, ``requests``..."""
    return mockbdd_scenario.handle


@pytest.fixture(autouse=True)
def _mockbdd_marked(request: pytest.FixtureRequest) -> None:
    """A plain test with a ``mockbdd`` mark gets its namespace (and fails on an unknown map)
    whether or not it asks for the ``mockbdd`` fixture. pytest-bdd scenarios open theirs in
    ``pytest_bdd_before_scenario``, inside the test call."""
    if request.node.get_closest_marker("mockbdd") is None or _bdd_template(request) is not None:
        return
    request.getfixturevalue("mockbdd_scenario")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Strict mode: after a passing test, fail on unexpected requests and unused stubs."""
    result = yield
    mocks = item.stash.get(MOCKS_KEY, None)
    report = strict_report(mocks) if mocks is not None and mocks.strict else ""
    if report:
        pytest.fail(report, pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed test gets its namespace's journal: a report section, and a HAR file under
    ``reports/mockbdd/`` whose path the section gives."""
    report = yield
    mocks = item.stash.get(MOCKS_KEY, None)
    if mocks is not None and report.when == "call" and report.failed:
        labels = {"test": item.nodeid, "scenario": item.name}
        try:
            attached = attach_journal(mocks, labels)
        except Exception as exc:  # the failure stays the news
            attached = (f"mockbdd: could not attach the journal: {exc}", None)
        if attached is not None:  # None: no request reached it, nothing to attach
            report.sections.append(("mockbdd journal", attached[0]))
    return report


# ------------------------------------------------------------------------------ marks and tags


@dataclass(frozen=True)
class Found:
    """A test's mockbdd tags per level, where they are written, and the reserved flags."""

    levels: TagLevels
    file: str | None
    line: int | None
    strict: bool = False
    shared: bool = False

    @property
    def wanted(self) -> bool:
        """Whether the test asks for mocks at all (a tag, a mark, strict or shared)."""
        return self.levels.has_mock_tags or self.strict or self.shared


def _found(request: pytest.FixtureRequest) -> Found:
    """``@pytest.mark.mockbdd`` marks (module → feature, class → rule, function → scenario
    level), stacked with a pytest-bdd scenario's own tags on their levels."""
    template = _bdd_template(request)
    tag_marks = _tag_marks(template) if template is not None else []
    per_level: dict[str, Lined] = {"feature": [], "rule": [], "scenario": []}
    strict = shared = False
    for node, mark in request.node.iter_markers_with_node("mockbdd"):
        if node is request.node and mark in tag_marks:
            tag_marks.remove(mark)  # a pytest-bdd tag's own mark: the tag is on its level below
            continue
        level = _LEVEL_OF_NODE.get(type(node).__name__, "scenario")
        kwargs = dict(mark.kwargs)
        strict |= bool(kwargs.pop("strict", False))
        shared |= bool(kwargs.pop("shared", False))
        per_level[level] += [(tag, None) for tag in _mark_tags(mark.args, kwargs)]
    file: str | None
    line: int | None
    if template is not None:
        tags, file, line = _bdd_levels(request, template)
    else:
        tags = TagLevels()
        path, at, _ = request.node.location
        file, line = path, at + 1 if at is not None else None
    levels = TagLevels(
        feature=[*per_level["feature"], *tags.feature],
        rule=[*per_level["rule"], *tags.rule],
        scenario=[*per_level["scenario"], *tags.scenario],
        examples=tags.examples,
    )
    return Found(levels, file, line, strict, shared)


def _mark_tags(args: Sequence[Any], params: dict[str, Any]) -> list[str]:
    """Tag bodies from ``mockbdd(*maps, **params)``; ``off=True`` switches the map off."""
    off = params.pop("off", False)
    if (params or off) and len(args) != 1:
        raise pytest.UsageError(
            "mockbdd: @pytest.mark.mockbdd(name, key=value) or (name, off=True) takes exactly "
            f"one map name, got {list(args)!r}; write each map in its own mark"
        )
    if off and params:
        raise pytest.UsageError(
            f"mockbdd: @pytest.mark.mockbdd({args[0]!r}, off=True) takes no other parameters"
        )
    tags = []
    for arg in args:
        body = str(arg).removeprefix("@").removeprefix(MOCK_PREFIX)
        if off:
            body += ":off"
        elif params:
            body += ":" + ";".join(f"{k}={v}" for k, v in params.items())
        tags.append(MOCK_PREFIX + body)
    return tags


def _tag_mark(tag: str) -> pytest.MarkDecorator | None:
    """The ``mockbdd`` mark a pytest-bdd tag becomes (None: not mockbdd's). A malformed tag
    becomes a bare ``mockbdd()`` (still selected by ``-m mockbdd``): the scenario then fails
    with the tag's error before its first step."""
    if not is_ours(tag):
        return None
    try:
        parsed = parse_tag(tag)
    except MockBddError:
        return pytest.mark.mockbdd()
    if isinstance(parsed, ReservedTag):
        return pytest.mark.mockbdd(**{parsed.name: True})
    if isinstance(parsed, MockTag):
        if parsed.off:
            return pytest.mark.mockbdd(parsed.name, off=True)
        return pytest.mark.mockbdd(parsed.name, **parsed.param_dict)
    return None


def _tag_marks(template: BddScenario) -> list[pytest.Mark]:
    """The marks ``pytest_bdd_apply_tag`` put on the scenario's test function."""
    return [m.mark for m in map(_tag_mark, sorted(template.inherited_tags)) if m is not None]


# ------------------------------------------------------------------------------ pytest-bdd


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: Any) -> bool | None:
    """``@mock:x:k=v`` → ``mockbdd("x", k="v")``, ``@mock:x:off`` → ``mockbdd("x",
    off=True)``, ``@mockbdd:strict`` → ``mockbdd(strict=True)`` (``-m mockbdd`` selects
    mocked scenarios); the namespace itself is built from the tags per level."""
    mark = _tag_mark(tag)
    if mark is None:
        return None
    mark(function)
    return True


@pytest.hookimpl(optionalhook=True)
def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    """Open the namespace before the first step when the scenario has mockbdd tags or marks
    (a bad tag then fails the scenario before its steps); otherwise the first mockbdd step
    opens it."""
    if _bdd_template(request) is not None and _found(request).wanted:
        request.getfixturevalue("mockbdd_scenario")


@pytest.hookimpl(optionalhook=True)
def pytest_bdd_step_func_lookup_error(
    request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any, exception: Exception
) -> None:
    """An undefined step that looks like a shipped phrase: the same error, with the closest
    phrase (MBD008) added."""
    from mockbdd.bdd.hints import closest_phrase

    hint = closest_phrase(str(step.name))
    if hint is not None:
        raise type(exception)(f"{exception}\nmockbdd: {hint.text}") from None


@pytest.hookimpl(optionalhook=True)
def pytest_bdd_before_step(
    request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any, step_func: Any
) -> None:
    """Remember where the running step is written (phrase 14's errors name it)."""
    file, line = step_location(feature, step)
    request.node.stash[STEP_AT_KEY] = (_display(file, request.config), line)


def _bdd_template(request: pytest.FixtureRequest) -> BddScenario | None:
    """The pytest-bdd scenario of this test, or None (a plain test)."""
    if not _bdd_active(request.config):
        return None
    obj = getattr(request.node, "obj", None)
    return bdd_scenario(obj) if obj is not None else None


def _bdd_levels(
    request: pytest.FixtureRequest, template: BddScenario
) -> tuple[TagLevels, str, int]:
    """A pytest-bdd scenario's tags per level, with the lines they are written on."""
    lines = read_lines(template.feature_file)
    at = template.line
    examples: Lined = []
    marks = {m.name for m in request.node.iter_markers() if is_ours(m.name)}
    for block in template.examples:
        for tag in sorted(marks & block.tags):
            examples.append((tag, tag_line(lines, tag, block.line or at)))
    levels = TagLevels(
        feature=[
            (t, tag_line(lines, t, template.feature_line)) for t in sorted(template.feature_tags)
        ],
        rule=[(t, tag_line(lines, t, at)) for t in sorted(template.rule_tags)],
        scenario=[(t, tag_line(lines, t, at)) for t in sorted(template.tags)],
        examples=examples,
    )
    return levels, _display(template.feature_file, request.config), at


def _display(filename: str, config: pytest.Config) -> str:
    try:
        return Path(filename).relative_to(config.invocation_params.dir).as_posix()
    except ValueError:
        return filename
