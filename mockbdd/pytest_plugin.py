"""The pytest plugin (entry point ``pytest11: mockbdd``), for plain pytest and pytest-bdd.

- Fixtures: ``mockbdd_engine`` (session: the per-process engine, so one per xdist worker) and
  ``mockbdd`` (function: the test's namespace handle); ``mockbdd_scenario`` is what steps use.
- Marker: ``@pytest.mark.mockbdd("checkout_failure")``, ``("payments_slow", delay="300ms")``,
  ``(strict=True)``, ``(shared=True)``; several marks stack. Module marks act as the Feature
  level, class marks as the Rule level and function marks as the Scenario level.
- pytest-bdd (only when it is active; it is never imported at module level, and every
  ``pytest_bdd_*`` hook is optional): ``@mock:*`` tags become ``mockbdd`` marks (so ``-m
  mockbdd`` selects mocked scenarios), a scenario with mockbdd tags opens its namespace before
  its first step, and the step library is registered.
- ini: ``mockbdd_tag_maps`` (relative to the ini file), ``mockbdd_strict``,
  ``mockbdd_timeout``, ``mockbdd_settle``.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from mockbdd.bdd.errors import MockBddError
from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepSettings
from mockbdd.bdd.session import (
    ENGINE,
    EngineHolder,
    Options,
    TagLevels,
    close_scenario,
    open_scenario,
    strict_report,
)
from mockbdd.client.namespace import NamespaceHandle

OPTIONS_KEY = pytest.StashKey[Options]()
MOCKS_KEY = pytest.StashKey[ScenarioMocks]()
MARKERS_KEY = pytest.StashKey[set[str]]()
_OURS = ("mock:", "mockbdd:")
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
        pytest.mark._markers = previous


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


class _KnowsMockTags(set[str]):
    """pytest's set of registered marker names, which also knows every ``mock:``/``mockbdd:``
    tag. pytest-bdd turns Examples tags into marks without ``pytest_bdd_apply_tag``, and a
    marker name containing ':' cannot be registered, so ``--strict-markers`` would reject
    ``@mock:`` tags on Examples blocks at collection."""

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name) or (isinstance(name, str) and name.startswith(_OURS))


def _know_examples_tags(config: pytest.Config) -> None:
    current = pytest.mark._markers
    if not isinstance(current, _KnowsMockTags):
        config.stash[MARKERS_KEY] = current
        pytest.mark._markers = _KnowsMockTags(current)


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
    found = _bdd_levels(request) or _mark_levels(request)
    levels, file, line, strict, shared = found
    try:
        mocks = open_scenario(
            levels,
            options=options,
            file=file,
            line=line,
            extra_strict=strict,
            extra_shared=shared,
        )
    except MockBddError as exc:
        pytest.fail(str(exc), pytrace=False)
    request.node.stash[MOCKS_KEY] = mocks
    try:
        yield mocks
    finally:
        close_scenario(mocks)


@pytest.fixture
def mockbdd(mockbdd_scenario: ScenarioMocks) -> NamespaceHandle:
    """The test's namespace handle: ``url(service)``, ``stub``, ``apply``, ``requests``..."""
    return mockbdd_scenario.handle


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Strict mode: after a passing test, fail on unmatched requests and unused stubs."""
    result = yield
    mocks = item.stash.get(MOCKS_KEY, None)
    report = strict_report(mocks) if mocks is not None and mocks.strict else ""
    if report:
        pytest.fail(report, pytrace=False)
    return result


# ------------------------------------------------------------------------------ plain tests


Found = tuple[TagLevels, str | None, int | None, bool, bool]


def _mark_levels(request: pytest.FixtureRequest) -> Found:
    """Tags from ``@pytest.mark.mockbdd`` marks: module → feature, class → rule, function →
    scenario level."""
    per_level: dict[str, Lined] = {"feature": [], "rule": [], "scenario": []}
    strict = shared = False
    for node, mark in request.node.iter_markers_with_node("mockbdd"):
        level = _LEVEL_OF_NODE.get(type(node).__name__, "scenario")
        kwargs = dict(mark.kwargs)
        strict |= bool(kwargs.pop("strict", False))
        shared |= bool(kwargs.pop("shared", False))
        per_level[level] += [(tag, None) for tag in _mark_tags(mark.args, kwargs)]
    path, line, _ = request.node.location
    levels = TagLevels(per_level["feature"], per_level["rule"], per_level["scenario"])
    return levels, path, line + 1 if line is not None else None, strict, shared


def _mark_tags(args: Sequence[Any], params: dict[str, Any]) -> list[str]:
    if params and len(args) != 1:
        raise pytest.UsageError(
            "mockbdd: @pytest.mark.mockbdd(name, key=value) takes exactly one map name with "
            f"parameters, got {list(args)!r}; write each map in its own mark"
        )
    tags = []
    for arg in args:
        body = str(arg).removeprefix("@").removeprefix("mock:")
        if params:
            body += ":" + ";".join(f"{k}={v}" for k, v in params.items())
        tags.append("mock:" + body)
    return tags


# ------------------------------------------------------------------------------ pytest-bdd


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: Any) -> bool | None:
    """``@mock:x`` / ``@mockbdd:strict`` become ``mockbdd`` marks (for ``-m mockbdd``); the
    namespace itself is built from the tags per level, not from these marks."""
    if not tag.startswith(_OURS):
        return None
    if tag.startswith("mockbdd:"):
        mark = pytest.mark.mockbdd(**{tag.removeprefix("mockbdd:"): True})
    else:
        mark = pytest.mark.mockbdd(tag.removeprefix("mock:"))
    mark(function)
    return True


@pytest.hookimpl(optionalhook=True)
def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    """Open the namespace before the first step when the scenario has mockbdd tags (a bad tag
    then fails the scenario before its steps); otherwise the first mockbdd step opens it."""
    found = _bdd_levels(request)
    if found is not None and found[0].has_mock_tags:
        request.getfixturevalue("mockbdd_scenario")


def _bdd_levels(request: pytest.FixtureRequest) -> Found | None:
    """A pytest-bdd scenario's tags per level, with the lines they are written on."""
    if not _bdd_active(request.config):
        return None
    try:
        from pytest_bdd.scenario import scenario_wrapper_template_registry
    except ImportError:
        return None
    obj = getattr(request.node, "obj", None)
    template = scenario_wrapper_template_registry.get(obj) if obj is not None else None
    if template is None:
        return None
    feature = template.feature
    lines = _read_lines(feature.filename)
    at = template.line_number
    rule_tags = template.rule.tags if template.rule is not None else set()
    examples: Lined = []
    marks = {m.name for m in request.node.iter_markers() if m.name.startswith(_OURS)}
    for block in template.examples:
        for tag in sorted(marks & set(block.tags)):
            examples.append((tag, _tag_line(lines, tag, block.line_number or at)))
    levels = TagLevels(
        feature=[(t, _tag_line(lines, t, feature.line_number)) for t in sorted(feature.tags)],
        rule=[(t, _tag_line(lines, t, at)) for t in sorted(rule_tags)],
        scenario=[(t, _tag_line(lines, t, at)) for t in sorted(template.tags)],
        examples=examples,
    )
    return levels, _display(feature.filename, request.config), at, False, False


def _read_lines(filename: str) -> list[str]:
    try:
        return Path(filename).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []


def _tag_line(lines: list[str], tag: str, anchor: int) -> int:
    """The line of ``@tag`` nearest above ``anchor`` (1-based), else ``anchor``."""
    token = "@" + tag
    for number in range(min(anchor, len(lines)), 0, -1):
        if token in lines[number - 1].split():
            return number
    return anchor


def _display(filename: str, config: pytest.Config) -> str:
    try:
        return Path(filename).relative_to(config.invocation_params.dir).as_posix()
    except ValueError:
        return filename
