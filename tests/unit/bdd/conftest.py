"""Shared fixtures of the BDD-layer tests."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from mockbdd.tagmaps.registry import TagMapRegistry

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def wire_validator(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolution validates each stub with ``mockbdd.wire.mappings.parse_stub_mapping``; while
    that module is not importable, tests run against a pass-through stand-in."""
    try:
        import mockbdd.wire.mappings  # noqa: F401
    except ImportError:
        fake = types.ModuleType("mockbdd.wire.mappings")
        fake.parse_stub_mapping = lambda obj, pointer="": obj  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "mockbdd.wire.mappings", fake)


@pytest.fixture
def make_registry() -> Callable[..., TagMapRegistry]:
    def build(text: str, file: str = "tag_maps/test.yaml", **more: str) -> TagMapRegistry:
        texts = {file: text, **{f"tag_maps/{k}.yaml": v for k, v in more.items()}}
        return TagMapRegistry.from_texts(texts)

    return build


@pytest.fixture
def shop_registry() -> TagMapRegistry:
    return TagMapRegistry.load_dir(DATA / "tag_maps")
