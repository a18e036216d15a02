"""``/__admin/load-runs``: start a load script on the server, follow it, read its report."""

from __future__ import annotations

from typing import Any

from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse, Conflict
from mockbdd.domain.errors import InvalidInput, NotFound
from mockbdd.load.runs import TooManyRuns, is_loopback
from mockbdd.load.script import load_script_text, parse_script


def _script_data(body: dict[str, Any]) -> tuple[Any, str]:
    """The script and the pointer it sits at: ``{"script": {...}}``, ``{"script": "yaml"}``,
    or the script itself as the body."""
    if "script" not in body:
        return body, ""
    raw = body["script"]
    if isinstance(raw, str):
        try:
            return load_script_text(raw), "/script"
        except InvalidInput as exc:
            raise InvalidInput("/script", exc.reason) from None
    return raw, "/script"


async def start_load_run(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    data, base = _script_data(req.json_object())
    try:
        script = parse_script(data, default_target=ctx.runtime.base_url(ctx.ns))
    except InvalidInput as exc:
        raise InvalidInput(base + exc.pointer, exc.reason) from None
    if not is_loopback(script.host):
        raise InvalidInput(
            f"{base}/target",
            f"a load run started over the admin API may only target this machine (127.0.0.1, "
            f"::1, localhost), got {script.host!r}: run mockbdd load for other targets",
        )
    try:
        run_id = ctx.runtime.load_runs().start(script)
    except TooManyRuns as exc:
        raise Conflict(str(exc)) from None
    return AdminResponse(
        201, {"id": run_id, "state": "running"}, headers={"Location": f"load-runs/{run_id}"}
    )


async def list_load_runs(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    runs = ctx.runtime.load_runs()
    described = (runs.describe(i) for i in runs.ids())
    return AdminResponse(
        json={"loadRuns": [{k: v for k, v in d.items() if k != "report"} for d in described if d]}
    )


async def get_load_run(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    found = ctx.runtime.load_runs().describe(req.params["id"])
    if found is None:
        raise NotFound(f"no load run {req.params['id']!r}")
    return AdminResponse(json=found)


async def cancel_load_run(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    if not ctx.runtime.load_runs().cancel(req.params["id"]):
        raise NotFound(f"no load run {req.params['id']!r}")
    return AdminResponse(200, {})
