"""What mockbdd relies on in unittest (``mockbdd/unittest_internals.py``): a failure, an error
or a failing subtest is reported to the result before the test's cleanups run, under unittest's
runner and under pytest's, so a cleanup can tell whether its test has failed so far."""

from __future__ import annotations

import io
import unittest

import pytest

from mockbdd.unittest import MockBDDMixin
from mockbdd.unittest_internals import passed_so_far, watch

pytest_plugins = ["pytester"]

SEEN: dict[str, bool] = {}


class Watched:
    """Runs its tests watched, as MockBDDMixin does."""

    def run(self, result: object = None) -> object:
        return super().run(watch(self, result) if result is not None else None)  # type: ignore[misc]


class _Cases(Watched, unittest.TestCase):
    __test__ = False

    def setUp(self) -> None:
        self.addCleanup(lambda: SEEN.__setitem__(self._testMethodName, passed_so_far(self)))

    def test_passes(self) -> None:
        pass

    def test_fails(self) -> None:
        self.fail("no")

    def test_errors(self) -> None:
        raise RuntimeError("boom")

    def test_a_sub_test_fails(self) -> None:
        with self.subTest(n=1):
            self.fail("no")


class _AsyncCases(Watched, unittest.IsolatedAsyncioTestCase):
    __test__ = False

    def setUp(self) -> None:
        self.addCleanup(lambda: SEEN.__setitem__(self._testMethodName, passed_so_far(self)))

    async def test_async_passes(self) -> None:
        pass

    async def test_async_fails(self) -> None:
        self.fail("no")


EXPECTED = {
    "test_passes": True,
    "test_fails": False,
    "test_errors": False,
    "test_a_sub_test_fails": False,
    "test_async_passes": True,
    "test_async_fails": False,
}


def test_a_cleanup_knows_whether_its_test_failed_under_unittest() -> None:
    SEEN.clear()
    for case in (_Cases, _AsyncCases):
        suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
        unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
    assert SEEN == EXPECTED


def test_outside_a_run_a_test_has_not_failed() -> None:
    assert passed_so_far(_Cases("test_fails")) is True


INNER = """\
import json
import unittest

from mockbdd.unittest_internals import passed_so_far, watch

SEEN = {}


class Cases(unittest.TestCase):
    def run(self, result=None):
        return super().run(watch(self, result) if result is not None else None)

    def setUp(self):
        self.addCleanup(lambda: SEEN.__setitem__(self._testMethodName, passed_so_far(self)))

    def test_passes(self):
        pass

    def test_fails(self):
        self.fail("no")

    def test_errors(self):
        raise RuntimeError("boom")

    def test_z_write(self):
        with open("seen.json", "w") as out:
            json.dump(SEEN, out)
"""


def test_a_cleanup_knows_the_same_when_pytest_runs_the_test_case(
    pytester: pytest.Pytester,
) -> None:
    """pytest's own TestCaseFunction is the result then."""
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_subprocess(
        "-p", "no:xdist", "-p", "no:asyncio", "-p", "no:randomly"
    )
    result.assert_outcomes(passed=2, failed=2)
    seen = (pytester.path / "seen.json").read_text()
    assert seen == '{"test_errors": false, "test_fails": false, "test_passes": true}'


class _StrictButFailing(MockBDDMixin, unittest.TestCase):
    __test__ = False
    mock_tags = ("mockbdd:strict",)

    def test_fails_with_an_unexpected_request(self) -> None:
        import httpx

        httpx.get(self.mock.url("payments") + "/nothing-here")
        self.fail("the test's own failure")


def test_strict_mode_adds_nothing_to_a_failed_test() -> None:
    stream = io.StringIO()
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(_StrictButFailing)
    result = unittest.TextTestRunner(stream=stream, verbosity=0).run(suite)
    out = stream.getvalue()
    assert (len(result.failures), len(result.errors)) == (1, 0), out
    assert "the test's own failure" in out
    assert "mockbdd: strict mode" not in out
