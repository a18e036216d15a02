"""``mockbdd lint``: check feature files' mock tags against the tag maps, without running them.

Diagnostics print as ``path:line:col: MBD00x message``. Codes: MBD001 unknown tag, MBD002
malformed tag, MBD003 bad parameter, MBD004 same-level conflict, MBD006 Gherkin parse error,
MBD007 broken tag map, MBD008 (a warning) a step that looks like a shipped phrase but
matches none, with the closest phrase, MBD009 a tag-map ``proxyBaseUrl`` or webhook ``url`` to
an origin the ``--proxy-allow`` list given to lint (or ``$MOCKBDD_PROXY_ALLOW``) does not cover
(a server started with it refuses the map), MBD010 a shipped phrase without the table or
docstring it takes, or with a JSON body that is not JSON (a warning for a table or docstring
the phrase ignores).
(MBD005 is retired: ``@mock:`` tags on Examples blocks work in every
runner, including pytest-bdd under ``--strict-markers``.)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO, cast

from gherkin import Parser
from gherkin.errors import CompositeParserException, ParserException
from gherkin.parser_types import Feature, Rule, Scenario, Tag

from mockbdd.bdd.hints import closest_phrase, display, matching_phrase
from mockbdd.bdd.vocabulary import Extra, Phrase
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.reach import origin_of, outbound_targets, reach_refusal
from mockbdd.extensions import ExtensionError, Extensions
from mockbdd.tagmaps.errors import (
    SET_TAG_MAPS,
    MockBddError,
    TagConflictError,
    TagMapError,
    TagMapLoadError,
    TagParamError,
)
from mockbdd.tagmaps.params import PLACEHOLDER_RE
from mockbdd.tagmaps.registry import TagMap, TagMapRegistry, display_path, load_registry
from mockbdd.tagmaps.resolve import LEVELS, Resolution, check_plugins, check_tag, resolve
from mockbdd.tagmaps.tags import MockTag, parse_tag
from mockbdd.wire.builtins import BUILTIN, installed_extensions
from mockbdd.wire.settings import parse_settings

Severity = Literal["error", "warning"]
_LOCATION_PREFIX = re.compile(r"^\(\d+:\d+\): ")


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = "error"


def format_diagnostic(diagnostic: Diagnostic) -> str:
    d = diagnostic
    return f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}"


def collect_feature_files(paths: Sequence[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """``*.feature`` files under ``paths`` (sorted), and a diagnostic for each missing path."""
    files: list[Path] = []
    missing: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.rglob("*.feature"))
        elif path.is_file():
            files.append(path)
        else:
            message = "cannot read: no such file or directory"
            missing.append(Diagnostic(display_path(path), 1, 1, "MBD006", message))
    return list(dict.fromkeys(files)), missing


def lint_paths(
    paths: Sequence[Path],
    registry: TagMapRegistry | None,
    extensions: Extensions = BUILTIN,
    missing: str | None = None,
    allowed: frozenset[str] | None = None,
) -> list[Diagnostic]:
    """Diagnostics for every feature file under ``paths``; ``registry`` None skips the checks
    that need tag maps (unknown names, parameters, conflicts); stubs are checked with
    ``extensions`` (``mockbdd lint``: the built-ins and the installed plugins). ``missing`` says
    where tag maps were looked for and not found: a file with mock tags is then an error.
    ``allowed`` (origins): check the proxies of the maps a scenario applies (MBD009)."""
    files, diagnostics = collect_feature_files(paths)
    for file in files:
        name = display_path(file)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            diagnostics.append(Diagnostic(name, 1, 1, "MBD006", f"cannot read: {exc}"))
            continue
        diagnostics += lint_text(text, name, registry, extensions, missing, allowed)
    return sorted(set(diagnostics))


def lint_text(
    text: str,
    path: str,
    registry: TagMapRegistry | None,
    extensions: Extensions = BUILTIN,
    missing: str | None = None,
    allowed: frozenset[str] | None = None,
) -> list[Diagnostic]:
    """Diagnostics for one feature file's text."""
    try:
        document = Parser().parse(text)
    except CompositeParserException as exc:
        return [_parse_diagnostic(path, err) for err in exc.errors]
    except ParserException as exc:
        return [_parse_diagnostic(path, exc)]
    feature = document.get("feature")
    if not feature:
        return []
    linter = _FeatureLinter(path, registry, extensions, missing, allowed)
    linter.run(feature)
    return sorted(set(linter.diagnostics))


def lint_registry(registry: TagMapRegistry, extensions: Extensions = BUILTIN) -> list[Diagnostic]:
    """MBD007 for maps that cannot be applied even alone, with their default parameters, and
    for every service plugin a map names that is not installed."""
    diagnostics = [map_diagnostic(e) for e in check_plugins(registry, extensions)]
    for tag_map in registry:
        names = {tag_map.name, *registry.ancestors(tag_map.name)}
        if any(p.required for n in names for p in registry.get(n).params.values()):
            continue
        try:
            resolution = resolve(registry, scenario=[MockTag(tag_map.name)], extensions=extensions)
            if resolution.settings:  # the server's decoder: chaos, timelines, limits...
                parse_settings(dict(resolution.settings), extensions=extensions)
        except InvalidInput as exc:
            detail = f"@mock:{tag_map.name} settings{exc.pointer}: {exc.reason}"
            diagnostics.append(Diagnostic(tag_map.file, tag_map.line, 1, "MBD007", detail))
        except TagMapError as exc:
            diagnostics += [map_diagnostic(e) for e in exc.all()]
        except MockBddError as exc:
            detail = f"@mock:{tag_map.name} cannot be applied: {exc.detail}"
            diagnostics.append(Diagnostic(tag_map.file, tag_map.line, 1, "MBD007", detail))
    return diagnostics


def map_diagnostic(error: TagMapError) -> Diagnostic:
    return Diagnostic(error.file or "?", error.line or 1, error.column or 1, "MBD007", error.detail)


_REMEDY = {"proxy": "proxy to an allowed origin", "webhook": "call back an allowed origin"}


def reach_message(url: str, what: str, refused: str, map_name: str) -> str:
    return (
        f"{what} target {refused}: a server started with these --proxy-allow origins refuses "
        f"map {map_name!r} when a scenario applies it; {_REMEDY[what]}, or add "
        f"--proxy-allow {origin_of(url)} to mockbdd serve and to mockbdd lint"
    )


def _static_targets(tag_map: TagMap) -> set[str]:
    """The outbound targets of ``tag_map`` written without parameters (checked at the map)."""
    return {
        url
        for template in tag_map.stubs
        for _, url, _ in outbound_targets(template.body)
        if not PLACEHOLDER_RE.search(url)
    }


def lint_reach(registry: TagMapRegistry, allowed: frozenset[str]) -> list[Diagnostic]:
    """MBD009 for each tag-map ``proxyBaseUrl`` or webhook ``url`` (written without
    parameters) to an origin ``allowed`` does not hold, as the server's check at creation
    (``outbound_targets``, ``reach_refusal``) refuses it; those with parameters are checked
    where a scenario applies them."""
    diagnostics: list[Diagnostic] = []
    for tag_map in registry:
        for template in tag_map.stubs:
            for at, url, what in outbound_targets(template.body):
                refused = None if PLACEHOLDER_RE.search(url) else reach_refusal(url, allowed)
                if refused is not None:
                    sub = tuple(at.strip("/").split("/"))
                    line, column = tag_map.index.locate((*template.path, *sub))
                    message = reach_message(url, what, refused, tag_map.name)
                    diagnostics.append(Diagnostic(tag_map.file, line, column, "MBD009", message))
    return diagnostics


def build_parser() -> argparse.ArgumentParser:
    """``mockbdd lint``'s options (``mockbdd lint --help``)."""
    parser = argparse.ArgumentParser(
        prog="mockbdd lint",
        description="Check feature files' mock tags and steps against the tag maps and the "
        "shipped phrases, without running them. Prints path:line:col: MBD00x message; exits 1 "
        "on errors (warnings do not fail).",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="feature files or directories (default features/ if it exists, else the current "
        "directory)",
    )
    parser.add_argument(
        "--tag-maps",
        type=Path,
        default=None,
        metavar="DIR",
        help="tag-map folder (default $MOCKBDD_TAG_MAPS, else tag_maps/ in the current directory)",
    )
    parser.add_argument(
        "--proxy-allow",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="an origin the server is started with --proxy-allow (repeatable, as for mockbdd "
        "serve): a tag-map proxyBaseUrl or webhook url to any other origin is an MBD009 error, "
        "as that server refuses the map; bound beyond loopback, give the origins its mapping "
        "files name too (default $MOCKBDD_PROXY_ALLOW, read as mockbdd serve reads it; "
        "else targets not checked)",
    )
    return parser


def run_lint(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """``mockbdd lint [paths...] [--tag-maps DIR]``: print diagnostics and a summary; 1 on errors."""
    parser = build_parser()
    args = parser.parse_args(argv)
    stream = out if out is not None else sys.stdout
    try:
        origins = proxy_allow(args.proxy_allow)
    except ValueError as exc:
        print(f"mockbdd lint: {exc}", file=sys.stderr)
        return 2
    allowed = frozenset(origin_of(o) for o in origins) if origins else None
    paths: list[Path] = args.paths or [Path("features") if Path("features").is_dir() else Path()]
    diagnostics: list[Diagnostic] = []
    registry: TagMapRegistry | None = None
    try:
        extensions = installed_extensions()
    except ExtensionError as exc:
        print(f"mockbdd lint: {exc}", file=sys.stderr)
        return 2
    try:
        registry = load_registry(args.tag_maps)
    except TagMapLoadError as exc:
        diagnostics += [map_diagnostic(e) for e in exc.errors]
    except TagMapError as exc:
        diagnostics.append(map_diagnostic(exc))
    missing: str | None = None
    if registry is not None and registry.source is None:
        missing = registry.searched
        registry = None
    if registry is not None:
        diagnostics += lint_registry(registry, extensions)
        if allowed is not None:
            diagnostics += lint_reach(registry, allowed)
    diagnostics += lint_paths(paths, registry, extensions, missing, allowed)
    diagnostics = sorted(set(diagnostics))
    for diagnostic in diagnostics:
        print(format_diagnostic(diagnostic), file=stream)
    print(_summary(diagnostics, len(collect_feature_files(paths)[0]), registry), file=stream)
    return 1 if any(d.severity == "error" for d in diagnostics) else 0


def proxy_allow(flags: Sequence[str]) -> tuple[str, ...]:
    """``--proxy-allow`` given to lint, else ``$MOCKBDD_PROXY_ALLOW`` (or ``.env``), read and
    checked by the settings model as ``mockbdd serve`` reads them (the other settings held at
    their defaults: lint uses none of them). ValueError in ``mockbdd serve``'s words."""
    from pydantic import ValidationError

    from mockbdd.config import ServerConfig, describe_errors, env_var, flag

    given: dict[str, object] = {
        n: f.default for n, f in ServerConfig.model_fields.items() if n != "proxy_allow"
    }
    if flags:
        given["proxy_allow"] = tuple(flags)
    try:
        return ServerConfig.from_environment(**given).proxy_allow
    except ValidationError as exc:
        raise ValueError(describe_errors(exc, flag if flags else env_var)) from None


def _summary(diagnostics: Sequence[Diagnostic], files: int, registry: TagMapRegistry | None) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    scope = f"in {_plural(files, 'feature file')}"
    text = (
        f"mockbdd lint: {_plural(errors, 'error')}, {_plural(warnings, 'warning')} {scope}"
        if diagnostics
        else f"mockbdd lint: no problems {scope}"
    )
    if registry is None:
        text += " (no tag maps loaded: map names and parameters not checked)"
    return text


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _parse_diagnostic(path: str, error: ParserException) -> Diagnostic:
    location: Mapping[str, Any] = error.location
    message = _LOCATION_PREFIX.sub("", str(error))
    return Diagnostic(path, location["line"], location.get("column") or 1, "MBD006", message)


class _FeatureLinter:
    """Walks one feature: each tag once, then each scenario (and Examples block) resolved."""

    def __init__(
        self,
        path: str,
        registry: TagMapRegistry | None,
        extensions: Extensions = BUILTIN,
        missing: str | None = None,
        allowed: frozenset[str] | None = None,
    ) -> None:
        self.path = path
        self.registry = registry
        self.extensions = extensions
        self.missing = missing  # where tag maps were looked for, when none were found
        self.allowed = allowed  # --proxy-allow origins to check proxy targets against
        self.diagnostics: list[Diagnostic] = []

    def run(self, feature: Feature) -> None:
        feature_tags = self.check_tags(feature["tags"])
        for child in _children(feature):
            if "rule" in child:
                rule: Rule = child["rule"]
                outer = {"feature": feature_tags, "rule": self.check_tags(rule["tags"])}
                for rule_child in _children(rule):
                    if "scenario" in rule_child:
                        self.scenario(rule_child["scenario"], outer)
                    elif "background" in rule_child:
                        self.steps(rule_child["background"]["steps"])
            elif "scenario" in child:
                self.scenario(child["scenario"], {"feature": feature_tags})
            elif "background" in child:
                self.steps(child["background"]["steps"])

    def scenario(self, scenario: Scenario, outer: dict[str, list[Tag]]) -> None:
        """Resolved with the tags that passed their own checks, so a bad tag on an outer level
        does not hide a problem of the scenario (every problem of a file in one run)."""
        self.steps(scenario["steps"])
        scenario_tags = self.check_tags(scenario["tags"])
        blocks: list[list[Tag]] = [ex["tags"] for ex in scenario["examples"]] or [[]]
        for examples_tags in blocks:
            good_examples = self.check_tags(examples_tags)
            if self.registry is not None:
                levels = {**outer, "scenario": scenario_tags, "examples": good_examples}
                self.resolve(levels, scenario["location"]["line"])

    def steps(self, steps: Iterable[Any]) -> None:
        """MBD008 (a warning): a step that looks like a shipped phrase but matches none;
        MBD010: a shipped phrase without the table or docstring it takes, or whose JSON body
        is not JSON (the step would fail when run)."""
        for step in steps:
            phrase = matching_phrase(step["text"])
            if phrase is not None:
                self.diagnostics += step_diagnostics(self.path, step, phrase)
                continue
            hint = closest_phrase(step["text"])
            if hint is not None:
                at = step["location"]
                message = f"step {step['text']!r} matches no shipped phrase; {hint.text}"
                self.diagnostics.append(
                    Diagnostic(
                        self.path, at["line"], at.get("column") or 1, "MBD008", message, "warning"
                    )
                )

    def check_tags(self, tags: Iterable[Tag]) -> list[Tag]:
        """The tags without errors; a diagnostic for each problem (once per tag)."""
        good: list[Tag] = []
        for tag in tags:
            found = self.tag_diagnostics(tag)
            self.diagnostics += found
            if all(d.severity != "error" for d in found):
                good.append(tag)
        return good

    def tag_diagnostics(self, tag: Tag) -> list[Diagnostic]:
        name = tag["name"]
        line, column = tag["location"]["line"], tag["location"].get("column") or 1
        try:
            parsed = parse_tag(name)
        except MockBddError as exc:
            return [Diagnostic(self.path, line, column, exc.code, exc.summary)]
        if isinstance(parsed, MockTag) and self.registry is None and self.missing:
            looked, self.missing = self.missing, None  # once per file
            message = (
                f"{parsed.tag} and the other mock tags of this file cannot be checked: no tag "
                f"maps found (looked for {looked}); {SET_TAG_MAPS}"
            )
            return [Diagnostic(self.path, line, column, "MBD001", message)]
        if isinstance(parsed, MockTag) and self.registry is not None:
            try:
                check_tag(self.registry, parsed)
            except MockBddError as exc:
                return [Diagnostic(self.path, line, column, exc.code, exc.summary)]
        return []

    def resolve(self, levels: Mapping[str, list[Tag]], line: int) -> None:
        assert self.registry is not None
        names = {lvl: [t["name"] for t in levels.get(lvl, [])] for lvl in LEVELS}
        try:
            resolution = resolve(
                self.registry,
                feature=names["feature"],
                rule=names["rule"],
                scenario=names["scenario"],
                examples=names["examples"],
                feature_file=self.path,
                line=line,
                extensions=self.extensions,
            )
        except TagMapError as exc:
            self.diagnostics += [map_diagnostic(e) for e in exc.all()]
        except MockBddError as exc:
            at = self.tag_location(exc, levels) or (line, 1)
            self.diagnostics.append(Diagnostic(self.path, *at, exc.code, exc.summary))
        else:
            if self.allowed is not None:
                self.reach(resolution, levels, line)

    def reach(self, resolution: Resolution, levels: Mapping[str, list[Tag]], line: int) -> None:
        """MBD009 at the tag for a proxy target a parameter made (the others are reported at
        the map)."""
        assert self.registry is not None
        assert self.allowed is not None
        for stub in resolution.stubs:
            static = _static_targets(self.registry.get(stub.map_name))
            for _, url, what in outbound_targets(stub.mapping):
                refused = None if url in static else reach_refusal(url, self.allowed)
                if refused is not None:
                    at = self.map_tag_location(stub.map_name, levels) or (line, 1)
                    told = reach_message(url, what, refused, stub.map_name)
                    message = f"as applied here, {told}"
                    self.diagnostics.append(Diagnostic(self.path, *at, "MBD009", message))

    @staticmethod
    def map_tag_location(name: str, levels: Mapping[str, list[Tag]]) -> tuple[int, int] | None:
        """Where the most specific tag applying map ``name`` is written."""
        for level in reversed(LEVELS):
            for tag in levels.get(level, []):
                parsed = parse_tag(tag["name"])
                if isinstance(parsed, MockTag) and parsed.name == name and not parsed.off:
                    return tag["location"]["line"], tag["location"].get("column") or 1
        return None

    @staticmethod
    def tag_location(exc: MockBddError, levels: Mapping[str, list[Tag]]) -> tuple[int, int] | None:
        """Where the tag that caused ``exc`` is written."""
        if isinstance(exc, TagConflictError):
            wanted, order = set(exc.tags), [exc.level]
        elif isinstance(exc, TagParamError) and exc.tag:
            wanted, order = {exc.tag}, list(LEVELS)
        else:
            return None
        for level in order:
            for tag in levels.get(level, []):
                if tag["name"] in wanted:
                    return tag["location"]["line"], tag["location"].get("column") or 1
        return None


_OUTLINE_VALUE = re.compile(r"<[^<>\s]+>")


def step_diagnostics(path: str, step: Mapping[str, Any], phrase: Phrase) -> list[Diagnostic]:
    """MBD010 for what running ``step`` as ``phrase`` would fail on at once: a table or a
    docstring missing (a warning for one the phrase ignores), a JSON body that is not JSON."""
    at = step["location"]
    line, column = at["line"], at.get("column") or 1
    told = f"phrase {phrase.number} ({display(phrase.pattern)})"
    doc = step.get("docString")
    table = step.get("dataTable")
    if phrase.extra is Extra.TABLE and table is None:
        return [Diagnostic(path, line, column, "MBD010", f"{told} needs a table under it")]
    if phrase.extra is Extra.DOCSTRING and doc is None:
        message = f'{told} needs a docstring under it (the text between two """ lines)'
        return [Diagnostic(path, line, column, "MBD010", message)]
    if phrase.extra not in (Extra.TABLE, Extra.DOCSTRING) and (doc or table):
        what = "docstring" if doc else "table"
        message = f"{told} takes no {what}: the {what} under it is ignored"
        return [Diagnostic(path, line, column, "MBD010", message, "warning")]
    if doc is not None and "JSON body" in phrase.pattern:
        content = str(doc.get("content") or "")
        if _OUTLINE_VALUE.search(content):  # a Scenario Outline's <value>: JSON once filled
            return []
        try:
            json.loads(content)
        except ValueError as exc:
            where = doc["location"]
            at_line = where["line"] + getattr(exc, "lineno", 1)
            message = f"the JSON body of {told} is not valid JSON: {getattr(exc, 'msg', exc)}"
            return [Diagnostic(path, at_line, where.get("column") or 1, "MBD010", message)]
    return []


def _children(node: Feature | Rule) -> list[dict[str, Any]]:
    """Children envelopes: ``{"scenario": ...}``, ``{"rule": ...}`` or ``{"background": ...}``."""
    return cast("list[dict[str, Any]]", node["children"])
