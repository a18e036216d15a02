"""``clash`` registers the delay type ``exactly`` a second time; ``broken`` names a module
that does not exist."""

from __future__ import annotations

from mockbdd.domain.delays import FixedDelay
from mockbdd.extensions import Extensions
from mockbdd.wire.delays import DELAY_TYPES, FIXED


def register_clash(extensions: Extensions) -> None:
    assert FIXED.distribution is FixedDelay
    extensions.add(DELAY_TYPES, "exactly", FIXED)
