"""mockbdd: a WireMock-compatible HTTP mock server whose face is BDD."""

from __future__ import annotations

__version__ = "0.1.0"
