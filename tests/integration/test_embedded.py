"""The embedded server (server/embedded.py): starting it with a bad mappings folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockbdd.server.embedded import MockServer


def test_embedded_start_with_a_bad_folder_raises_instead_of_hanging(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a directory"):
        MockServer(mappings=tmp_path / "missing").start()
