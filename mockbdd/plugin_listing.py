"""``mockbdd plugins``: the installed ``mockbdd.plugins`` entry points and everything each
kind of extension has registered, with where it came from."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from mockbdd.extensions import ENTRY_POINT_GROUP, Extensions


def installed() -> list[dict[str, str]]:
    """Each entry point of the group: its name, its target and the distribution shipping it."""
    found: list[dict[str, str]] = []
    for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = ep.dist
        found.append(
            {
                "name": ep.name,
                "value": ep.value,
                "distribution": dist.metadata["Name"] if dist is not None else "?",
                "version": dist.version if dist is not None else "?",
            }
        )
    return found


def registered(extensions: Extensions) -> dict[str, list[dict[str, str]]]:
    """Kind label → its entries, each with its origin (``mockbdd`` for the built-ins)."""
    return {
        kind.label: [
            {"name": name, "origin": extensions.origin(kind, name) or "mockbdd"}
            for name in extensions.names(kind)
        ]
        for kind in extensions.kinds()
    }


def as_json(extensions: Extensions) -> dict[str, Any]:
    return {"plugins": installed(), "extensions": registered(extensions)}


def as_text(extensions: Extensions) -> str:
    plugins = installed()
    lines = [
        f"{len(plugins)} plugin{'' if len(plugins) == 1 else 's'} installed "
        f"(entry point group {ENTRY_POINT_GROUP})"
    ]
    for p in plugins:
        lines.append(f"  {p['name']}: {p['value']} ({p['distribution']} {p['version']})")
    lines.append("")
    lines.append("registered extensions:")
    table = registered(extensions)
    width = max((len(label) for label in table), default=0)
    for label, entries in table.items():
        by_origin: dict[str, list[str]] = {}
        for entry in entries:
            by_origin.setdefault(entry["origin"], []).append(entry["name"])
        first = True
        for origin, names in by_origin.items():
            head = label if first else ""
            lines.append(f"  {head:<{width}}  {', '.join(names)}  [{origin}]")
            first = False
    return "\n".join(lines)
