"""What mockbdd relies on in unittest to tell whether a test has failed so far (pinned by
``tests/contracts/test_unittest_contract.py``). unittest has no public way for a cleanup to ask;
strict mode needs it (after a failure its report would only add noise).

- :class:`WatchedResult` wraps the result a test runs with (``TestCase.run(result)``, public)
  and notes the failures and errors reported for the test through ``addFailure``, ``addError``
  and ``addSubTest``. Relied on: unittest reports them as they happen, before the cleanups run
  (Python 3.11 and later, under unittest's runners and under pytest's).
- Python 3.10 reports them only after the cleanups, so there ``TestCase._outcome.errors`` (the
  list it reports from) is read instead: the one private access.

``TestCase._outcome.success`` is no help: every cleanup runs in its own ``testPartExecutor``,
which sets it to True first.
"""

from __future__ import annotations

import sys
from typing import Any

WATCH_ATTRIBUTE = "_mockbdd_watched_result"


class WatchedResult:
    """A test result that forwards everything to ``result`` and notes whether a failure or an
    error was reported (a failing subtest counts)."""

    def __init__(self, result: Any) -> None:
        self._result = result
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._result, name)  # an AttributeError stays one: hasattr() is honest
        if name == "addSubTest":
            return self._sub_test
        return value

    def addFailure(self, test: Any, err: Any) -> None:
        self.failed = True
        self._result.addFailure(test, err)

    def addError(self, test: Any, err: Any) -> None:
        self.failed = True
        self._result.addError(test, err)

    def _sub_test(self, test: Any, subtest: Any, err: Any) -> None:
        if err is not None:
            self.failed = True
        self._result.addSubTest(test, subtest, err)


def watch(test: Any, result: Any) -> Any:
    """The result to run ``test`` with, so that :func:`passed_so_far` can tell."""
    watched = WatchedResult(result)
    setattr(test, WATCH_ATTRIBUTE, watched)
    return watched


def passed_so_far(test: Any) -> bool:
    """No failure or error reported for ``test`` yet (True when it was not run watched)."""
    watched = getattr(test, WATCH_ATTRIBUTE, None)
    if watched is not None and watched.failed:
        return False
    if sys.version_info < (3, 11):  # pragma: no cover - reported after the cleanups there
        errors = getattr(getattr(test, "_outcome", None), "errors", ())
        return not any(exc_info is not None for _, exc_info in errors)
    return True
