"""Shared fixtures of the unit tests: tag-map registries built from text or from the test data
(``tests/unit/tagmaps/data``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mockbdd.tagmaps.registry import TagMapRegistry

DATA = Path(__file__).parent / "tagmaps" / "data"


@pytest.fixture
def make_registry() -> Callable[..., TagMapRegistry]:
    def build(text: str, file: str = "tag_maps/test.yaml", **more: str) -> TagMapRegistry:
        texts = {file: text, **{f"tag_maps/{k}.yaml": v for k, v in more.items()}}
        return TagMapRegistry.from_texts(texts)

    return build


@pytest.fixture
def shop_registry() -> TagMapRegistry:
    return TagMapRegistry.load_dir(DATA / "tag_maps")
