"""mockbdd lint on small feature files: exact diagnostic lines and exit codes."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from mockbdd.bdd.lint import Diagnostic, format_diagnostic, lint_paths, lint_registry, run_lint
from mockbdd.tagmaps.errors import SET_TAG_MAPS
from mockbdd.tagmaps.registry import TagMapRegistry

DATA = Path(__file__).parent.parent / "tagmaps" / "data"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory (the cwd) with ``tag_maps/`` from the test data and ``features/``."""
    monkeypatch.delenv("MOCKBDD_TAG_MAPS", raising=False)
    shutil.copytree(DATA / "tag_maps", tmp_path / "tag_maps")
    (tmp_path / "features").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(project: Path, name: str, text: str) -> Path:
    path = project / "features" / name
    path.write_text(text)
    return path


def lint(*argv: str) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = run_lint(list(argv), out=out)
    return code, out.getvalue().splitlines()


def test_clean_file_exits_zero(project: Path) -> None:
    write(
        project,
        "ok.feature",
        """@mock:base
Feature: ok
  @mock:checkout_failure @mockbdd:strict @wip
  Scenario: s
    Given x

  Rule: r
    @mock:payments_slow:delay=250ms
    Scenario: t
      Given x
""",
    )
    assert lint() == (0, ["mockbdd lint: no problems in 1 feature file"])


def test_unknown_tag_with_suggestion(project: Path) -> None:
    write(
        project,
        "checkout.feature",
        "Feature: f\n\n  @mock:checkout_falure\n  Scenario: s\n    Given x\n",
    )
    assert lint("features") == (
        1,
        [
            "features/checkout.feature:3:3: MBD001 unknown mock tag @mock:checkout_falure; "
            "did you mean @mock:checkout_failure?",
            "mockbdd lint: 1 error, 0 warnings in 1 feature file",
        ],
    )


def test_every_tag_problem(project: Path) -> None:
    write(
        project,
        "tags.feature",
        """@mock:zzz
Feature: tags
  @mock:payments_slow:dealy=1s @mock:payments_slow(delay=1s)
  Scenario: params
    Given x

  @mock:payments_slow:delay=abc
  Scenario: value
    Given x

  @mockbdd:strikt
  Scenario: reserved
    Given x
""",
    )
    code, lines = lint()
    assert code == 1
    assert lines == [
        "features/tags.feature:1:1: MBD001 unknown mock tag @mock:zzz; known tags: @mock:base, "
        "@mock:checkout_failure, @mock:out_of_stock, @mock:payments_slow (tag maps read from "
        "tag_maps)",
        "features/tags.feature:3:3: MBD003 unknown parameter 'dealy' for @mock:payments_slow; "
        "did you mean 'delay'? (known parameters: delay)",
        "features/tags.feature:3:32: MBD002 invalid tag @mock:payments_slow(delay=1s): '(' is "
        "not allowed in tags: behave treats () as tag-expression grouping; write "
        "@mock:payments_slow:delay=1s",
        "features/tags.feature:7:3: MBD003 bad value 'abc' for parameter 'delay' (duration) of "
        "@mock:payments_slow: expected a duration such as 250ms, 2s, 1.5s or 1m (a bare number "
        "is milliseconds), got 'abc'",
        "features/tags.feature:11:3: MBD001 unknown reserved tag @mockbdd:strikt; did you mean "
        "@mockbdd:strict? (reserved: @mockbdd:shared, @mockbdd:strict)",
        "mockbdd lint: 5 errors, 0 warnings in 1 feature file",
    ]


def test_same_level_conflict_is_reported_once_at_the_tag(project: Path) -> None:
    write(
        project,
        "conflict.feature",
        """@mock:payments_slow @mock:checkout_failure
Feature: conflict
  Scenario: a
    Given x

  Scenario: b
    Given x

  @mock:checkout_failure:off
  Scenario: resolved by :off
    Given x
""",
    )
    assert lint() == (
        1,
        [
            "features/conflict.feature:1:1: MBD004 maps 'checkout_failure' and 'payments_slow' "
            "(delay=2s) both stub POST /v1/charges on service 'payments' on the feature level; "
            "move one tag to another level, or make one map extend the other",
            "mockbdd lint: 1 error, 0 warnings in 1 feature file",
        ],
    )


def test_examples_tags_are_fine(project: Path) -> None:
    """No MBD005 any more: ``@mock:`` tags on Examples blocks work in every runner (the
    pytest plugin lets ``--strict-markers`` accept them; see tests/bdd)."""
    write(
        project,
        "outline.feature",
        """Feature: outline
  Scenario Outline: o
    Given <x>

    @mock:payments_slow:delay=1s
    Examples:
      | x |
      | 1 |
""",
    )
    assert lint() == (0, ["mockbdd lint: no problems in 1 feature file"])


def test_gherkin_parse_errors(project: Path) -> None:
    write(
        project,
        "broken.feature",
        "Feature: broken\n  Scenario: s\n    Given x\n      | a | b |\n      | 1 |\n",
    )
    write(project, "space.feature", "Feature: f\n  @tag with space\n  Scenario: s\n")
    code, lines = lint("features/broken.feature", "features/space.feature")
    assert code == 1
    assert lines == [
        "features/broken.feature:5:7: MBD006 inconsistent cell count within the table",
        "features/space.feature:2:3: MBD006 A tag may not contain whitespace",
        "mockbdd lint: 2 errors, 0 warnings in 2 feature files",
    ]


def test_broken_tag_map_and_missing_path(project: Path) -> None:
    (project / "tag_maps" / "zz_broken.yaml").write_text(
        "version: 1\nmaps:\n  broken:\n    services:\n      s:\n        - responses: {}\n"
    )
    code, lines = lint("features", "nowhere.feature")
    assert code == 1
    assert lines == [
        "nowhere.feature:1:1: MBD006 cannot read: no such file or directory",
        "tag_maps/zz_broken.yaml:6:11: MBD007 'responses' must be a list",
        "mockbdd lint: 2 errors, 0 warnings in 0 feature files "
        "(no tag maps loaded: map names and parameters not checked)",
    ]


def test_map_that_fails_wiremock_validation(project: Path) -> None:
    pytest.importorskip("mockbdd.wire.mappings")
    (project / "tag_maps" / "zz_bad.yaml").write_text(
        "version: 1\nmaps:\n  bad_status:\n    services:\n      s:\n"
        "        - request: {method: GET, urlPath: /a}\n          response: {status: 999}\n"
    )
    registry = TagMapRegistry.load_dir(project / "tag_maps")
    diagnostics = lint_registry(registry)
    assert [(d.path, d.line, d.code) for d in diagnostics] == [
        ("tag_maps/zz_bad.yaml", 7, "MBD007")
    ]
    assert diagnostics[0].message.startswith("/response/status: ")
    assert diagnostics[0].message.endswith("(map 'bad_status')")


def test_map_whose_simulation_settings_the_server_refuses(project: Path) -> None:
    (project / "tag_maps" / "zz_flaky.yaml").write_text(
        "version: 1\nmaps:\n  flaky:\n    settings: {chaos: {errorRate: 0.8, dropRate: 0.5}}\n"
        "  fine:\n    settings: {chaos: {errorRate: 0.5}, seed: 3}\n"
    )
    registry = TagMapRegistry.load_dir(project / "tag_maps")
    found = [d for d in lint_registry(registry) if d.path == "tag_maps/zz_flaky.yaml"]
    assert [(d.line, d.code, d.message) for d in found] == [
        (3, "MBD007", "@mock:flaky settings/chaos: errorRate + dropRate must not exceed 1, got 1.3")
    ]


def test_without_tag_maps_only_syntax_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOCKBDD_TAG_MAPS", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.feature").write_text(
        "@mock:anything @mock:x[1]\nFeature: f\n  Scenario: s\n    Given x\n"
    )
    assert lint("a.feature") == (
        1,
        [
            "a.feature:1:1: MBD001 @mock:anything and the other mock tags of this file cannot "
            f"be checked: no tag maps found (looked for {tmp_path.resolve() / 'tag_maps'} (the "
            "default: tag_maps/ in the current directory), which does not exist, and "
            "$MOCKBDD_TAG_MAPS is not set); " + SET_TAG_MAPS,
            "a.feature:1:16: MBD002 invalid tag @mock:x[1]: '[' is not allowed in tags: "
            "behave's tag expressions read [] as a wildcard character class; write "
            "@mock:name:key=value;key2=value",
            "mockbdd lint: 2 errors, 0 warnings in 1 feature file "
            "(no tag maps loaded: map names and parameters not checked)",
        ],
    )


def test_tag_maps_option(project: Path) -> None:
    moved = project / "elsewhere"
    (project / "tag_maps").rename(moved)
    write(project, "a.feature", "@mock:base\nFeature: f\n  Scenario: s\n    Given x\n")
    assert lint("--tag-maps", "elsewhere") == (0, ["mockbdd lint: no problems in 1 feature file"])
    assert lint()[1][-1].endswith("(no tag maps loaded: map names and parameters not checked)")


def test_lint_paths_api(project: Path, shop_registry: TagMapRegistry) -> None:
    write(project, "a.feature", "Feature: f\n  @mock:bsae\n  Scenario: s\n    Given x\n")
    assert lint_paths([Path("features")], shop_registry) == [
        Diagnostic(
            "features/a.feature",
            2,
            3,
            "MBD001",
            "unknown mock tag @mock:bsae; did you mean @mock:base?",
        )
    ]
    assert lint_paths([Path("features")], None) == []


def test_format_diagnostic() -> None:
    diagnostic = Diagnostic("f.feature", 3, 5, "MBD004", "boom", "error")
    assert format_diagnostic(diagnostic) == "f.feature:3:5: MBD004 boom"
