"""The layers as a user feels them: importing the client loads no engine."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_client_loads_neither_the_engine_nor_pydantic() -> None:
    probe = (
        "import sys, mockbdd.client\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('mockbdd.', 'pydantic', 'aiohttp')))\n"
        "print('\\n'.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "mockbdd.client.sync" in out
    heavy = [
        m
        for m in out
        if m.startswith(
            (
                "pydantic",
                "aiohttp",
                "mockbdd.domain",
                "mockbdd.wire",
                "mockbdd.server",
                "mockbdd.tagmaps",
            )
        )
    ]
    assert heavy == []
    assert [m for m in out if m.startswith("mockbdd.admin.")] == ["mockbdd.admin.spec"]
