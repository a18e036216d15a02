"""Print pip constraints pinning every runtime dependency (and the user-facing extras) of
pyproject.toml to the lowest version it admits: ``make test-matrix`` installs with them, so the
lower bounds are tested rather than claimed. The dev tools are left to resolve to the newest."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib

LOWER = re.compile(r">=\s*([0-9][0-9A-Za-z.]*)")
NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def lowest(requirement: str) -> str | None:
    """``"aiohttp>=3.10.11,<4"`` -> ``"aiohttp==3.10.11"``; None without a lower bound."""
    spec = requirement.split(";")[0]
    name, bound = NAME.match(spec), LOWER.search(spec)
    if name is None or bound is None or "[" in spec:
        return None
    return f"{name.group(1)}=={bound.group(1)}"


def main() -> int:
    project = tomllib.loads(
        Path(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml").read_text()
    )["project"]
    extras = project.get("optional-dependencies", {})
    requirements = [*project["dependencies"]]
    for extra, listed in extras.items():
        if extra != "dev":
            requirements += listed
    pins = sorted({pin for pin in map(lowest, requirements) if pin is not None}, key=str.lower)
    print("\n".join(pins))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
