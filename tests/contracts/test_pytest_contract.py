"""What mockbdd relies on in pytest beyond its documented API (``mockbdd/pytest_internals.py``):
``pytest.mark._markers`` is the set ``--strict-markers`` checks mark names against."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

INNER = """\
import pytest

from mockbdd.pytest_internals import accept_marker_names, restore_marker_names


def refused(name):
    try:
        getattr(pytest.mark, name)
    except pytest.fail.Exception as exc:
        return str(exc)
    return ""


def test_markers_is_the_set_strict_markers_checks():
    registered = pytest.mark._markers
    assert type(registered) is set
    assert "not found in `markers` configuration option" in refused("mock:x")
    assert refused("known") == ""
    assert "known" in pytest.mark._markers  # filled from the ini's markers on first use

    previous = accept_marker_names(lambda name: name.startswith("mock:"))
    assert previous is registered
    assert accept_marker_names(lambda name: True) is None  # already done: kept as it is
    assert refused("mock:x") == ""
    assert refused("known") == ""
    assert "not found" in refused("other")

    restore_marker_names(previous)
    assert pytest.mark._markers is registered
    assert "not found" in refused("mock:x")
"""


def test_strict_markers_consults_the_swappable_marker_set(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\naddopts = --strict-markers\nmarkers =\n    known: a marker\n")
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_subprocess(
        "-p", "no:mockbdd", "-p", "no:pytest-bdd", "-p", "no:xdist", "-p", "no:asyncio"
    )
    result.assert_outcomes(passed=1)


def test_a_colon_in_a_marker_name_cannot_be_registered(pytester: pytest.Pytester) -> None:
    """Why the swap is needed at all: pytest cuts an ini marker line at its first ``:``."""
    pytester.makeini("[pytest]\naddopts = --strict-markers\nmarkers =\n    mock:x: a tag\n")
    pytester.makepyfile(
        test_inner="import pytest\n\n@pytest.mark.mock\ndef test_cut():\n    pass\n\n"
        "def test_refused():\n    with pytest.raises(pytest.fail.Exception):\n"
        "        getattr(pytest.mark, 'mock:x')\n"
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:mockbdd", "-p", "no:pytest-bdd", "-p", "no:xdist", "-p", "no:asyncio"
    )
    result.assert_outcomes(passed=2)
