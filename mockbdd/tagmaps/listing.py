"""``mockbdd tags``: the maps a scenario can use, as text."""

from __future__ import annotations

from mockbdd.tagmaps.registry import DEFAULT_DIR, ENV_VAR, TagMap, TagMapRegistry

RESERVED_HELP = (
    ("@mockbdd:strict", "fail on unmatched requests and unused stubs at scenario end"),
    ("@mockbdd:shared", "use the default namespace, reset before the scenario"),
)


def list_tags(registry: TagMapRegistry) -> str:
    """Every map: tag, file:line, description, extends, params (type, default), services."""
    lines: list[str] = []
    if len(registry) == 0:
        lines.append(f"no tag maps found (looked in ./{DEFAULT_DIR} and ${ENV_VAR})")
    for tag_map in registry:
        lines += _describe(tag_map)
    lines.append("")
    lines.append("reserved tags:")
    width = max(len(tag) for tag, _ in RESERVED_HELP)
    lines += [f"  {tag.ljust(width)}  {text}" for tag, text in RESERVED_HELP]
    return "\n".join(lines) + "\n"


def _describe(tag_map: TagMap) -> list[str]:
    lines = [f"@mock:{tag_map.name}  ({tag_map.file}:{tag_map.line})"]
    if tag_map.description:
        lines.append(f"    {tag_map.description}")
    if tag_map.extends:
        lines.append("    extends: " + ", ".join(f"@mock:{n}" for n in tag_map.extends))
    for param in tag_map.params.values():
        default = f", default {param.default.text}" if param.default else ", required"
        about = f" — {param.description}" if param.description else ""
        lines.append(f"    param {param.name}: {param.type}{default}{about}")
    if tag_map.params:
        example = ";".join(f"{p.name}=<{p.type}>" for p in tag_map.params.values())
        lines.append(f"    usage: @mock:{tag_map.name}:{example}")
    services = [
        f"{s} ({_plural(sum(1 for t in tag_map.stubs if t.service == s), 'stub')})"
        for s in tag_map.services
    ]
    if services:
        lines.append("    services: " + ", ".join(services))
    if tag_map.settings:
        lines.append("    settings: " + ", ".join(sorted(tag_map.settings)))
    if tag_map.scenarios:
        states = ", ".join(f"{k}={v}" for k, v in tag_map.scenarios.items())
        lines.append(f"    scenarios: {states}")
    return lines


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
