"""A failing scenario's journal, attached to its failure (DESIGN §12): the requests its
namespace received as text for the runner's output, and as a HAR file under
``reports/mockbdd/`` (browser devtools open it), labelled with the feature, scenario and
example row so the file says which test it belongs to."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mockbdd.bdd.scenario_mocks import ScenarioMocks

REPORTS = Path("reports") / "mockbdd"
MAX_LINES = 50
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def _line(entry: Mapping[str, Any]) -> str:
    request, response = entry["request"], entry["response"]
    own = entry.get("_mockbdd", {})
    stub = own.get("stub") or {}
    served = stub.get("name") or stub.get("id") or "no stub matched"
    status = own.get("fault") or response["status"]
    return f"  {request['method']} {request['url']} -> {status} ({served}, {entry['time']:.0f} ms)"


def attach_journal(
    mocks: ScenarioMocks, labels: Mapping[str, str], reports: Path = REPORTS
) -> tuple[str, Path | None] | None:
    """The journal of ``mocks``' namespace as text, and the HAR file written for it; None
    when no request reached the namespace (nothing to attach)."""
    har: dict[str, Any] = mocks.admin.export("har")
    log = har["log"]
    if not log["entries"]:
        return None
    log.setdefault("_mockbdd", {})["test"] = {**labels, "namespace": mocks.handle.name}
    for entry in log["entries"]:
        entry["comment"] = " / ".join(v for v in labels.values() if v)
    reports.mkdir(parents=True, exist_ok=True)
    stem = _UNSAFE.sub("_", " ".join(v for v in labels.values() if v))[:80] or "scenario"
    path = reports / f"{stem}-{mocks.handle.name}.har"
    path.write_text(json.dumps(har, indent=2), encoding="utf-8")
    entries = log["entries"]
    noun = "request" if len(entries) == 1 else "requests"
    lines = [f"mockbdd: {len(entries)} {noun} reached namespace {mocks.handle.name}:"]
    lines.extend(_line(e) for e in entries[:MAX_LINES])
    if len(entries) > MAX_LINES:
        lines.append(f"  ... {len(entries) - MAX_LINES} more in the HAR")
    lines.append(f"HAR: {path}")
    return "\n".join(lines), path
