"""unittest integration: ``MockBDDMixin`` gives each test its own mock namespace.

```python
class CheckoutTest(MockBDDMixin, unittest.TestCase):
    mock_tags = ("checkout_failure", "search_results:query=lamp")  # as written after @mock:

    def test_retry(self):
        shop = Shop(payments_url=self.mock.url("payments"))
        ...
        self.mock.verify(3, "POST", "/v1/charges", service="payments")
```

``self.mock`` is the namespace handle, ``self.mock_scenario`` what the step functions of
:mod:`mockbdd.bdd.steps_impl` take. The namespace is closed by ``addCleanup``. The set-up is
synchronous, in ``setUp``, so it works with ``IsolatedAsyncioTestCase`` too (whose ``setUp``
runs before ``asyncSetUp``). ``mock_strict = True`` (or ``"mockbdd:strict"`` in
``mock_tags``) fails the test on unmatched requests and unused stubs.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any, ClassVar

from mockbdd.bdd.scenario_mocks import ScenarioMocks
from mockbdd.bdd.session import (
    Options,
    TagLevels,
    check_strict,
    close_scenario,
    is_ours,
    open_scenario,
)
from mockbdd.client.namespace import NamespaceHandle
from mockbdd.tagmaps.errors import MockBddError
from mockbdd.tagmaps.tags import MOCK_PREFIX
from mockbdd.unittest_internals import passed_so_far, watch

__all__ = ["MockBDDMixin"]


class MockBDDMixin:
    """Mix in before ``unittest.TestCase`` (or ``IsolatedAsyncioTestCase``)."""

    mock_tags: ClassVar[Sequence[str]] = ()
    mock_strict: ClassVar[bool] = False
    mock_shared: ClassVar[bool] = False
    mock_options: ClassVar[Options] = Options()

    mock: NamespaceHandle
    mock_scenario: ScenarioMocks

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        if isinstance(self.mock_tags, str):  # ("a") is a string, not a tuple: a common slip
            raise MockBddError(
                f"{type(self).__name__}.mock_tags is the string {self.mock_tags!r}; it must be "
                f"a tuple of tag bodies: mock_tags = ({self.mock_tags!r},) (mind the comma)"
            )
        tags = [_tag(t) for t in self.mock_tags]
        file, line = _where(type(self))
        mocks = open_scenario(
            TagLevels(scenario=[(t, line) for t in tags]),
            options=self.mock_options,
            file=file,
            line=line,
            extra_strict=self.mock_strict,
            extra_shared=self.mock_shared,
        )
        self.addCleanup(close_scenario, mocks)  # type: ignore[attr-defined]
        self.addCleanup(self._mockbdd_check_strict, mocks)  # type: ignore[attr-defined]
        self.mock_scenario = mocks
        self.mock = mocks.handle

    def run(self, result: Any = None) -> Any:
        """Run with a result that notes failures, for strict mode (see unittest_internals)."""
        return super().run(watch(self, result) if result is not None else None)  # type: ignore[misc]

    def _mockbdd_check_strict(self, mocks: ScenarioMocks) -> None:
        if passed_so_far(self):
            check_strict(mocks)


def _tag(body: str) -> str:
    text = body.removeprefix("@")
    return text if is_ours(text) else MOCK_PREFIX + text


def _where(cls: type[Any]) -> tuple[str | None, int | None]:
    try:
        return inspect.getsourcefile(cls), inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):
        return None, None
