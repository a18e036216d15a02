"""Differential test: the same mappings and requests against real WireMock and against mockbdd.

    .venv/bin/python bench/wiremock_diff.py [--only SUBSTRING] [--show-expected]
    make wiremock-diff

Needs Java and the WireMock standalone jar (``WIREMOCK_JAR``; by default the one the peers'
``wiremock`` npm package ships). Both servers bind 127.0.0.1 on free ports. For every case of
``wiremock_diff_cases.py``: reset both servers, POST the mappings to both (did each accept
them?), send each request to both (status, and the body when both matched), then count the
journal for the case's patterns. Prints a markdown table of the differences; known, deliberate
ones (``EXPECTED``) are listed apart. Exits 1 when an unexplained difference remains.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
from common import free_port, stop
from wiremock_diff_cases import EXPECTED, Case, Req, all_cases

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_JAR = "/tmp/mockbdd-peers/node_modules/wiremock/build/wiremock-standalone-3.13.2.jar"


@contextmanager
def process(cmd: list[str], health: str, cwd: Path | None = None) -> Iterator[str]:
    """Start ``cmd``, wait for ``health`` to answer 200, yield; always stop the process."""
    with tempfile.TemporaryFile() as log:
        yield from _supervise(cmd, health, cwd, log)


def _supervise(cmd: list[str], health: str, cwd: Path | None, log: IO[bytes]) -> Iterator[str]:
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=cwd)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(
                    f"{cmd[0]} exited: {log.read().decode(errors='replace')[-2000:]}"
                )
            try:
                if httpx.get(health, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{health} did not answer within 60 s")
            time.sleep(0.1)
        yield health.split("/__admin", 1)[0]
    finally:
        stop(proc)


class JarMissing(Exception):
    pass


@contextmanager
def both_servers(
    write_files: Callable[[Path], None] | None = None,
) -> Iterator[tuple[str, str]]:
    """Real WireMock (``$WIREMOCK_JAR``) and ``mockbdd serve`` on free 127.0.0.1 ports; yields
    their base URLs and stops both after. ``write_files`` fills a ``__files`` folder both serve."""
    jar = os.environ.get("WIREMOCK_JAR", DEFAULT_JAR)
    if not Path(jar).is_file():
        raise JarMissing(f"WireMock jar not found: {jar} (set WIREMOCK_JAR)")
    wm_port, mb_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as root:
        wm_cmd = ["java", "-jar", jar, "--port", str(wm_port), "--bind-address", "127.0.0.1"]
        wm_cmd += ["--disable-banner", "--root-dir", root]
        mb_cmd = [sys.executable, "-m", "mockbdd", "serve", "--host", "127.0.0.1"]
        mb_cmd += ["--port", str(mb_port)]
        if write_files is not None:
            files = Path(root) / "__files"
            write_files(files)
            mb_cmd += ["--files", str(files)]
        with (
            process(wm_cmd, f"http://127.0.0.1:{wm_port}/__admin/health") as wm_url,
            process(mb_cmd, f"http://127.0.0.1:{mb_port}/__admin/health", cwd=ROOT) as mb_url,
        ):
            yield wm_url, mb_url


def report(unexplained: str | None, expected: str | None) -> None:
    """Print the unexplained differences' table, and the expected ones' when given."""
    for title, text in (("Unexplained", unexplained), ("Expected", expected)):
        if text:
            print(f"## {title} differences\n")
            print(text)
            print()


@dataclass(frozen=True)
class Outcome:
    status: int
    body: str
    stub_header: bool = False  # the answer carried Matched-Stub-Id

    def show(self) -> str:
        if self.status in (404, 500) or (self.status >= 400 and not self.body.strip()):
            return str(self.status)
        body = self.body if len(self.body) <= 40 else self.body[:40] + "…"
        mark = "" if self.stub_header else " (no Matched-Stub-Id)"
        return f"{self.status} {body!r}{mark}"


@dataclass(frozen=True)
class Difference:
    ident: str
    wiremock: str
    mockbdd: str
    reason: str | None  # set when the difference is expected


class Server:
    def __init__(self, name: str, base: str) -> None:
        self.name = name
        self.base = base
        self.http = httpx.Client(base_url=base, timeout=10)
        # WireMock's Jetty caches the parsed Cookie header per connection and reuses it for a
        # next header that differs only in case: requests with cookies get a fresh connection.
        self.fresh = httpx.Client(timeout=10, limits=httpx.Limits(max_keepalive_connections=0))

    def reset(self) -> None:
        self.http.post("/__admin/reset").raise_for_status()
        self.http.delete("/__admin/mappings").raise_for_status()

    def add(self, mapping: dict[str, object]) -> Outcome:
        r = self.http.post("/__admin/mappings", json=mapping)
        return Outcome(r.status_code, r.text)

    def send(self, req: Req) -> Outcome:
        request = self.http.build_request(
            req.method, self.base + req.url, headers=list(req.headers), content=req.body
        )
        fresh = any(name.lower() == "cookie" for name, _ in req.headers)
        try:
            r = (self.fresh if fresh else self.http).send(request)
        except httpx.HTTPError as exc:
            return Outcome(-1, f"{type(exc).__name__}: {exc}")
        return Outcome(r.status_code, r.text, "Matched-Stub-Id" in r.headers)

    def count(self, pattern: dict[str, object]) -> Outcome:
        r = self.http.post("/__admin/requests/count", json=pattern)
        if r.status_code != 200:
            return Outcome(r.status_code, r.text)
        return Outcome(200, str(r.json().get("count")))


def accepted(outcome: Outcome) -> str:
    return "accepted" if outcome.status == 201 else f"refused {outcome.status}"


def run_case(
    case: Case, wm: Server, mb: Server, verbose: bool = False
) -> list[tuple[str, str, str]]:
    """The raw differences of one case: (id, WireMock, mockbdd)."""
    found: list[tuple[str, str, str]] = []
    wm.reset()
    mb.reset()
    acceptance_differs = False
    for i, mapping in enumerate(case.mappings):
        w, m = accepted(wm.add(mapping)), accepted(mb.add(mapping))
        if w != m:
            acceptance_differs = True
            found.append((f"{case.name}/accept#{i}", w, m))
    for i, req in enumerate(case.requests):
        w_out, m_out = wm.send(req), mb.send(req)
        if verbose:
            print(
                f"{case.name}/#{i} {req.label()}: WireMock {w_out.show()}, mockbdd {m_out.show()}"
            )
        if acceptance_differs:
            continue  # different stubs: the requests would only repeat the acceptance line
        same = w_out.status == m_out.status and (
            w_out.status == 404
            or (w_out.body == m_out.body and w_out.stub_header == m_out.stub_header)
            or w_out.status >= 500
        )
        if m_out.status >= 500 and w_out.status < 500:
            same = False
        if not same:
            found.append((f"{case.name}/#{i} {req.label()}", w_out.show(), m_out.show()))
    if not acceptance_differs:
        for i, pattern in enumerate(case.counts):
            w_out, m_out = wm.count(pattern), mb.count(pattern)
            if w_out.status != m_out.status or (w_out.status == 200 and w_out.body != m_out.body):
                found.append((f"{case.name}/count#{i}", w_out.show(), m_out.show()))
    return found


def explain(ident: str, expected: Mapping[str, str] = EXPECTED) -> str | None:
    """The reason of the first ``expected`` pattern (fnmatch) that ``ident`` matches."""
    for pattern, reason in expected.items():
        if fnmatch.fnmatchcase(ident, pattern):
            return reason
    return None


def arguments(doc: str | None, what: str) -> argparse.ArgumentParser:
    """The options every harness takes: --only, --verbose, --show-expected."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--only", default="", help=f"only the {what} whose name contains this")
    parser.add_argument("--verbose", action="store_true", help="print every outcome")
    parser.add_argument("--show-expected", action="store_true", help="list expected ones too")
    return parser


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "\\n")


def table(rows: list[Difference], with_reason: bool) -> str:
    head = "| difference | WireMock 3.13.2 | mockbdd |" + (" why |" if with_reason else "")
    rule = "|---|---|---|" + ("---|" if with_reason else "")
    lines = [head, rule]
    for d in rows:
        line = f"| {cell(d.ident)} | {cell(d.wiremock)} | {cell(d.mockbdd)} |"
        if with_reason:
            line += f" {cell(d.reason or '')} |"
        lines.append(line)
    return "\n".join(lines)


def main() -> int:
    args = arguments(__doc__, "cases").parse_args()

    cases = [c for c in all_cases() if args.only in c.name]
    started = time.perf_counter()
    diffs: list[Difference] = []
    try:
        with both_servers() as (wm_url, mb_url):
            wm, mb = Server("WireMock", wm_url), Server("mockbdd", mb_url)
            for case in cases:
                for ident, w, m in run_case(case, wm, mb, args.verbose):
                    diffs.append(Difference(ident, w, m, explain(ident)))
    except JarMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started

    unexplained = [d for d in diffs if d.reason is None]
    expected = [d for d in diffs if d.reason is not None]
    requests = sum(len(c.requests) for c in cases)
    counts = sum(len(c.counts) for c in cases)
    report(
        table(unexplained, with_reason=False) if unexplained else None,
        table(expected, with_reason=True) if expected and args.show_expected else None,
    )
    used = {p for p in EXPECTED if any(fnmatch.fnmatchcase(d.ident, p) for d in expected)}
    stale = sorted(set(EXPECTED) - used) if not args.only else []
    for pattern in stale:
        print(f"note: EXPECTED entry matched nothing: {pattern}")
    print(
        f"{len(cases)} cases, {requests} requests, {counts} journal counts in {elapsed:.1f} s: "
        f"{len(unexplained)} unexplained, {len(expected)} expected differences"
    )
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
