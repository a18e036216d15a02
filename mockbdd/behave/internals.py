"""Every use of behave beyond its documented API, in one place (pinned by
``tests/contracts/test_behave_contract.py``).

- ``scenario._row``: behave builds each row of a Scenario Outline as a ``Scenario`` whose
  ``parent`` is the outline and whose ``_row`` is the Examples table's row it was made from;
  no public attribute says which Examples block (and so which tags) a row came from.
- The shapes ``mockbdd.behave.scenario_levels`` reads: ``scenario.parent`` (outline, rule or
  feature), ``outline.examples[].table`` (rows, compared by identity) and ``.tags``/``.line``,
  tags as ``str`` with a ``line``, and a row's ``tags`` being the outline's followed by its
  Examples block's.
"""

from __future__ import annotations

from typing import Any


def outline_row(scenario: Any) -> Any | None:
    """The Examples row a Scenario Outline row was built from; None for a plain scenario."""
    return getattr(scenario, "_row", None)
