"""Templated stubs against a static one, in the same run of one server (goal: a typical
templated stub at ≥ 0.5× the static stub's throughput), and the engine's render cost.

    .venv/bin/python bench/templating.py [--seconds 5]

Starts ``mockbdd serve`` pinned to CPU ``SERVER_CPU`` (default 0) and drives it with ``wrk``
pinned to ``LOAD_CPU`` (default 1; 50 connections), ``--seconds`` per stub, in the order
static, Handlebars, Jinja, static again (the two static runs show the machine's drift), and
reads the server's CPU time per request too: on a busy machine req/s follows the machine's
load, CPU per request does not. Then renders the same
Handlebars template in-process to give µs per render (compiled once) against µs per compile,
the cost a per-request compilation would have added. Figures from a loaded machine are not
worth quoting.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import free_port, mockbdd_cmd, pinned, wait_ready, wrk_cpu

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USER = {"id": 1, "name": "Ada", "roles": ["admin", "dev"]}
HANDLEBARS = {
    "id": "{{request.path.id}}",
    "name": "{{request.query.name}}",
    "agent": "{{request.headers.User-Agent}}",
    "method": "{{request.method}}",
}
STUBS = {
    "static": {
        "request": {"method": "GET", "urlPathPattern": "/static/[0-9]+"},
        "response": {"status": 200, "jsonBody": USER},
    },
    "handlebars": {
        "request": {"method": "GET", "urlPathTemplate": "/hb/{id}"},
        "response": {"status": 200, "jsonBody": HANDLEBARS, "transformers": ["response-template"]},
    },
    "jinja": {
        "request": {"method": "GET", "urlPathPattern": "/jinja/[0-9]+"},
        "response": {
            "status": 200,
            "body": '{"id": "{{ request.pathSegments[1] }}", "name": "{{ request.query.name }}", '
            '"agent": "{{ request.headers["User-Agent"] }}", "method": "{{ request.method }}"}',
            "transformers": ["jinja"],
        },
    },
}
PATHS = {
    "static": "/static/7?name=Ada",
    "handlebars": "/hb/7?name=Ada",
    "jinja": "/jinja/7?name=Ada",
}


def render_cost(rounds: int = 20_000) -> tuple[float, float]:
    """µs per render of the compiled Handlebars body, µs per compile of it."""
    import json

    from mockbdd.templating.handlebars import Compiler
    from mockbdd.templating.values import CaseInsensitive, ListOrSingle, PathSegments
    from mockbdd.templating.wiremock_helpers import helpers

    compiler = Compiler(helpers())
    source = json.dumps(HANDLEBARS)
    template = compiler.compile(source)
    context = {
        "request": {
            "path": PathSegments("/hb/7", {"id": "7"}),
            "query": {"name": ListOrSingle(["Ada"])},
            "headers": CaseInsensitive({"User-Agent": ListOrSingle(["wrk"])}),
            "method": "GET",
        }
    }
    started = time.perf_counter()
    for _ in range(rounds):
        template.render(context)
    render_us = (time.perf_counter() - started) / rounds * 1e6
    started = time.perf_counter()
    for _ in range(rounds // 10):
        compiler.compile(source)
    compile_us = (time.perf_counter() - started) / (rounds // 10) * 1e6
    return render_us, compile_us


def against_pybars3(rounds: int = 20_000) -> str:
    """The choice of engine, measured: pybars3 0.9.7 (when installed: ``pip install
    pybars3==0.9.7``) against mockbdd's on the same template and plain-dict data."""
    import json

    try:
        import pybars  # type: ignore[import-not-found]
    except ImportError:
        return "pybars3 not installed: no comparison"
    from mockbdd.templating.handlebars import Compiler
    from mockbdd.templating.wiremock_helpers import helpers

    source = json.dumps(
        {**HANDLEBARS, "id": "{{request.path.[1]}}", "agent": "{{request.headers.agent}}"}
    )
    data = {
        "request": {
            "path": ["hb", "7"],
            "query": {"name": "Ada"},
            "headers": {"agent": "wrk"},
            "method": "GET",
        }
    }
    lines = []
    ours = Compiler(helpers())
    for label, compile_ in (
        ("pybars3", pybars.Compiler().compile),
        ("mockbdd", lambda s: ours.compile(s).render),
    ):
        started = time.perf_counter()
        for _ in range(50):
            render = compile_(source)
        compile_us = (time.perf_counter() - started) / 50 * 1e6
        started = time.perf_counter()
        for _ in range(rounds):
            render(data)
        render_us = (time.perf_counter() - started) / rounds * 1e6
        lines.append(f"{label}: {compile_us:.0f} µs per compile, {render_us:.1f} µs per render")
    try:
        pybars.Compiler().compile("{{#each items as |item|}}{{item}}{{/each}}")
    except Exception as exc:
        lines.append(f"pybars3 and block params: {type(exc).__name__}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    render_us, compile_us = render_cost()
    print(f"handlebars, in process: {render_us:.1f} µs per render, {compile_us:.1f} µs per compile")
    print(against_pybars3())
    if shutil.which("wrk") is None:
        print("wrk not found: the throughput part needs it (peers.sh install)", file=sys.stderr)
        return 2
    port = free_port()
    with tempfile.TemporaryDirectory(), pinned(mockbdd_cmd(port, "--journal-max", "0")) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/__admin/health")
        for stub in STUBS.values():
            httpx.post(f"{base}/__admin/mappings", json=stub).raise_for_status()
        for name, path in PATHS.items():
            answer = httpx.get(base + path)
            assert (answer.status_code == 200 and '"7"' in answer.text) or name == "static", (
                answer.text
            )
        results: dict[str, tuple[float, float]] = {}
        for name in ("static", "handlebars", "jinja", "static-again"):
            path = PATHS[name.removesuffix("-again")]
            results[name] = wrk_cpu(base + path, args.seconds, proc.pid)
        static_rate = (results["static"][0] + results["static-again"][0]) / 2
        static_cpu = (results["static"][1] + results["static-again"][1]) / 2
        # on a busy machine req/s follows the load; the server's CPU per request does not:
        # static CPU / this CPU is the throughput ratio the server itself allows
        print("\n| stub | req/s | × static | server CPU µs/req | × static by CPU |")
        print("|---|---|---|---|---|")
        for name, (rate, cpu) in results.items():
            print(
                f"| {name} | {rate:,.0f} | {rate / static_rate:.2f} | {cpu:.0f} "
                f"| {static_cpu / cpu:.2f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
