"""``MockBDDMixin`` with ``TestCase`` and ``IsolatedAsyncioTestCase``, run by unittest."""

from __future__ import annotations

import io
import unittest

import httpx

from mockbdd.client.namespace import NamespaceHandle
from mockbdd.unittest import MockBDDMixin

SEEN: dict[str, NamespaceHandle] = {}


class _Checkout(MockBDDMixin, unittest.TestCase):
    __test__ = False
    mock_tags = ("checkout_failure", "search_results:query=chair")

    def test_tags_configure_the_namespace(self) -> None:
        SEEN["sync"] = self.mock
        charges = self.mock.url("payments") + "/v1/charges"
        statuses = [httpx.post(charges).status_code for _ in range(3)]
        assert statuses == [503, 503, 201]
        self.mock.verify(3, "POST", "/v1/charges", service="payments")
        search = self.mock.url("inventory") + "/v1/items"
        assert len(httpx.get(search, params={"q": "chair"}).json()["items"]) == 2
        assert httpx.get(search, params={"q": "lamp"}).status_code == 404


class _Async(MockBDDMixin, unittest.IsolatedAsyncioTestCase):
    __test__ = False
    mock_tags = ("inventory_empty",)

    async def test_works_in_async_tests(self) -> None:
        SEEN["async"] = self.mock
        async with httpx.AsyncClient() as client:
            reply = await client.get(self.mock.url("inventory") + "/v1/items/3")
        assert reply.json()["inStock"] is False


class _Strict(MockBDDMixin, unittest.TestCase):
    __test__ = False
    mock_tags = ("inventory_empty", "mockbdd:strict")

    def test_unused_stub(self) -> None:
        pass


class _Typo(MockBDDMixin, unittest.TestCase):
    __test__ = False
    mock_tags = ("inventory_emty",)

    def test_never_runs(self) -> None:
        raise AssertionError("the set-up should have failed")


def run(case: type[unittest.TestCase]) -> tuple[unittest.TestResult, str]:
    stream = io.StringIO()
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
    result = unittest.TextTestRunner(stream=stream, verbosity=0).run(suite)
    return result, stream.getvalue()


def test_mixin_with_testcase_and_async_testcase() -> None:
    for case in (_Checkout, _Async):
        result, out = run(case)
        assert result.wasSuccessful(), out
    assert {"sync", "async"} <= SEEN.keys()
    for handle in SEEN.values():
        assert handle.closed  # closed by addCleanup


def test_mixin_strict_and_unknown_tags_fail() -> None:
    result, out = run(_Strict)
    assert not result.wasSuccessful()
    assert "mockbdd: strict mode" in out
    assert (
        "GET urlPathPattern /v1/items/[0-9]+ on \"inventory\" (from tag map 'inventory_empty')"
        in out
    )
    result, out = run(_Typo)
    assert not result.wasSuccessful()
    assert "did you mean @mock:inventory_empty?" in out
    assert "the set-up should have failed" not in out
