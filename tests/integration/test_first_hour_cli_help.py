"""Issue 10, point 6: every subcommand's ``--help`` describes every option, shows the defaults
and has no raw reST backticks (read from the real command, in a subprocess)."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from mockbdd.cli import build_parser

_SUBCOMMANDS = next(
    a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
).choices
_NO_DEFAULT = (None, False, True, (), [], argparse.SUPPRESS)


@pytest.mark.parametrize("name", sorted(_SUBCOMMANDS))
def test_every_option_is_described_with_its_default(name: str) -> None:
    for action in _SUBCOMMANDS[name]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        text = action.help or ""
        where = f"mockbdd {name} {'/'.join(action.option_strings) or action.dest}"
        assert text, f"{where} has no help"
        if action.default not in _NO_DEFAULT:
            assert "default" in text, f"{where} does not show its default ({action.default!r})"


@pytest.mark.parametrize("name", sorted(_SUBCOMMANDS))
def test_help_has_no_rest_markup(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mockbdd", name, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "`" not in done.stdout, done.stdout
    if name == "lint":
        assert "--tag-maps DIR  tag-map folder (default $MOCKBDD_TAG_MAPS" in done.stdout
