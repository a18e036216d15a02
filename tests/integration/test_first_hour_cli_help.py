"""Issue 10, point 6: every subcommand's ``--help`` describes every option, shows the defaults
and has no raw reST backticks (read from the real command, in a subprocess). ``mockbdd lint``
owns its parser: its own options are checked, not the stub the top-level parser lists."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from mockbdd.bdd.lint import build_parser as lint_parser
from mockbdd.cli import build_parser
from mockbdd.config import ServerConfig

_SUBCOMMANDS = {
    **next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices,
    "lint": lint_parser(),
}
_NO_DEFAULT = (None, False, True, (), [], argparse.SUPPRESS)
_FLAGS = (argparse._HelpAction, argparse._StoreTrueAction, argparse._StoreFalseAction)


def _default(action: argparse.Action) -> object:
    """What the option amounts to when not given: serve's settings leave it to ServerConfig."""
    if action.default is argparse.SUPPRESS and action.dest in ServerConfig.model_fields:
        return ServerConfig.model_fields[action.dest].default
    return action.default


def test_every_subcommand_is_checked() -> None:
    assert set(_SUBCOMMANDS) >= {"serve", "record", "lint", "tags", "schema", "plugins", "load"}


@pytest.mark.parametrize("name", sorted(_SUBCOMMANDS))
def test_every_option_is_described_with_its_default(name: str) -> None:
    for action in _SUBCOMMANDS[name]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        text = action.help or ""
        where = f"mockbdd {name} {'/'.join(action.option_strings) or action.dest}"
        assert text, f"{where} has no help"
        default = _default(action)
        if isinstance(action, argparse.BooleanOptionalAction):
            assert "default on" in text or "default off" in text, f"{where}: {text!r}"
        elif not isinstance(action, _FLAGS) and default not in _NO_DEFAULT:
            assert "default" in text, f"{where} does not show its default ({default!r})"


@pytest.mark.parametrize("name", ["", *sorted(_SUBCOMMANDS)])
def test_help_has_no_rest_markup_and_lists_every_option(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mockbdd", *([name] if name else []), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "`" not in done.stdout, done.stdout
    if name:
        for action in _SUBCOMMANDS[name]._actions:
            for option in action.option_strings:
                assert option in done.stdout, f"mockbdd {name} --help does not list {option}"
    if name == "lint":
        flat = " ".join(done.stdout.split())
        assert "--tag-maps DIR tag-map folder (default $MOCKBDD_TAG_MAPS" in flat
        assert "--proxy-allow ORIGIN an origin the server is started with --proxy-allow" in flat


@pytest.mark.parametrize("name", sorted(_SUBCOMMANDS))
def test_option_values_are_named_alike(name: str) -> None:
    """A value is shown as what it is (DIR, URL, TOKEN, FILE), the same in every subcommand,
    never argparse's made-up TAG_MAPS or ADMIN_TOKEN; a tag-map folder says where it is
    looked for when not given (the same place for every subcommand)."""
    named = {"--tag-maps": "DIR", "--admin-token": "TOKEN", "--out": "DIR", "--url": "URL"}
    for action in _SUBCOMMANDS[name]._actions:
        if action.nargs == 0 or not action.option_strings:
            continue
        where = f"mockbdd {name} {'/'.join(action.option_strings)}"
        shown = action.metavar or action.dest.upper()
        assert "_" not in str(shown), f"{where} shows its value as {shown}"
        for option in action.option_strings:
            if option in named and action.choices is None:
                assert shown == named[option], f"{where} shows its value as {shown}"
            if option == "--tag-maps" and name != "serve":  # serve reads none unless given
                assert "default $MOCKBDD_TAG_MAPS, else tag_maps/" in (action.help or ""), where


@pytest.mark.parametrize("name", sorted(_SUBCOMMANDS))
def test_every_subcommand_says_what_it_does(name: str) -> None:
    """``mockbdd X --help`` opens with a sentence of what X does, not only its usage line."""
    description = _SUBCOMMANDS[name].description or ""
    assert description[:1].isupper(), name
    assert description.rstrip().endswith((".", ")")), name
