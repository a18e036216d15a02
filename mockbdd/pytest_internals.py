"""Every use of pytest beyond its documented API, in one place (pinned by
``tests/contracts/test_pytest_contract.py``).

``pytest.mark._markers`` is the set of registered marker names that ``--strict-markers``
checks ``pytest.mark.<name>`` against (``MarkGenerator.__getattr__``: ``name in
self._markers``). pytest-bdd turns the tags of an Examples block into marks by
``getattr(pytest.mark, tag)``, without calling ``pytest_bdd_apply_tag`` (pytest-bdd 9:
``scenario.collect_example_parametrizations``), and a marker name containing ``:`` cannot be
registered (the ini line is split at the first ``:``), so ``@mock:x`` on an Examples block would
fail collection under ``--strict-markers``. mockbdd swaps the set for one that also answers yes
for mockbdd's tags, and puts the original back at unconfigure. If pytest-bdd routes Examples
tags through ``pytest_bdd_apply_tag`` one day, this module can go.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest


class _AlsoKnows(set[str]):
    """pytest's registered marker names, plus every name ``extra`` accepts."""

    def __init__(self, names: set[str], extra: Callable[[str], bool]) -> None:
        super().__init__(names)
        self.extra = extra

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name) or (isinstance(name, str) and self.extra(name))


def accept_marker_names(extra: Callable[[str], bool]) -> set[str] | None:
    """Make ``--strict-markers`` accept every mark name ``extra`` says yes to. Returns the set
    to give back to :func:`restore_marker_names`, or None when it was already done."""
    current: set[str] = pytest.mark._markers
    if isinstance(current, _AlsoKnows):
        return None
    pytest.mark._markers = _AlsoKnows(current, extra)
    return current


def restore_marker_names(previous: set[str]) -> None:
    pytest.mark._markers = previous
