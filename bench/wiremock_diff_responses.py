"""Differential test of stub ANSWERS: the same response definitions served by real WireMock and
by mockbdd, read by several clients, compared on what a client can see.

    .venv/bin/python bench/wiremock_diff_responses.py [--only SUBSTRING] [--verbose]
    make wiremock-diff-responses

Needs Java and the WireMock standalone jar (``WIREMOCK_JAR``; by default the one the peers'
``wiremock`` npm package ships). Both servers bind 127.0.0.1 on free ports and share one
``__files`` folder (WireMock: ``--root-dir``, mockbdd: ``--files``). Every case stubs one
response definition on both and requests it with the case's probes:

- ``get``/``head``: httpx with ``Accept-Encoding: identity`` (status, reason, headers, body);
- ``raw11``: a raw HTTP/1.1 keep-alive GET (status line, headers, framing, body, and whether a
  second request on the connection is answered); ``close``: the same with ``Connection: close``;
  ``raw10``: HTTP/1.0; ``rawhead``: a raw HEAD (no body may follow);
- ``fault``: which exception httpx raises, and what a raw socket reads;
- ``delay``: only that the answer took at least the case's minimum.

Ignored: ``Date`` and ``Server``, the value of ``Matched-Stub-Id``, and Content-Length versus
chunked framing (a client reads the same body). Known, explained differences are in
``EXPECTED``; the run exits 1 when an unexplained one remains.
"""

from __future__ import annotations

import fnmatch
import json
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from wiremock_diff import JarMissing, arguments, both_servers, cell, explain, report

Facets = dict[str, str]
IGNORED_HEADERS = frozenset({"date", "server", "content-length", "transfer-encoding"})
TIMEOUT = 5.0

# (case/probe/facet) glob -> why the difference is expected
EXPECTED: dict[str, str] = {
    "*/raw10/status-line": "HTTP/1.0 request: Jetty answers 'HTTP/1.1', aiohttp 'HTTP/1.0'; "
    "both are valid (RFC 9110 2.5) and an HTTP/1.0 client reads either",
    "*/header:content-type": "a body without Content-Type: mockbdd sends application/octet-stream "
    "(aiohttp follows RFC 9110 8.3), application/json for jsonBody; WireMock sends none. "
    "Clients treat a missing type as octet-stream anyway (Spring, aiohttp); a stub that needs a "
    "type names it, and that is sent as given",
    "header-non-ascii/*/header:x-name": "non-ASCII header value: Jetty writes ISO-8859-1 and "
    "drops what it cannot encode, mockbdd writes UTF-8 (aiohttp's encoding on every path); "
    "RFC 9110 5.5 asks for ASCII, so portable stubs do not rely on either",
    "content-length-given-wrong/*/body": "a stub's own Content-Length that does not match its "
    "body: WireMock sends it (the client reads a cut body, or hangs when it is too large, and "
    "the rest poisons the keep-alive connection); mockbdd frames the body itself",
    "connection-keep-alive-given/*/header:connection": "a stub's 'Connection: keep-alive': "
    "WireMock repeats it (garbled to an empty 'Connection:' on HTTP/1.0 or beside the "
    "request's close); mockbdd leaves the connection to the transport (keep-alive is HTTP/1.1's "
    "default)",
    "connection-close-given/close/header:connection": "Jetty repeats 'Connection: close' when "
    "the request and the stub both say it; once is enough",
    "bodyFileName-missing/*/body": "missing body file: both answer 500; WireMock with Jetty's "
    "HTML error page, mockbdd with a one-line plain-text reason",
    "bodyFileName-missing/*/header:*": "missing body file: Jetty's error page headers "
    "(text/html, Cache-Control, Connection: close); mockbdd's plain-text 500",
    "bodyFileName-missing/raw11/connection-after": "missing body file: Jetty closes the "
    "connection after its error page; mockbdd keeps it (the answer is complete)",
    "jsonBody-decimal-text/*/body": "WireMock keeps a jsonBody number as written (BigDecimal: "
    "10.50 stays 10.50, 1E+2 is 100, all 19 digits of 0.1234567890123456789); mockbdd's admin "
    "API parses numbers as doubles (10.5, 100.0, 0.12345678901234568): same values to a JSON "
    "reader, not the same text",
}


@dataclass(frozen=True)
class RCase:
    name: str
    response: dict[str, Any]
    probes: tuple[str, ...] = ("get", "head", "raw11", "close", "raw10", "rawhead")
    extra: dict[str, Any] = field(default_factory=dict)  # more mapping fields (scenarios)
    response_text: str | None = None  # the response as raw JSON text (numbers as written)
    requests: int = 1  # how many times each probe asks (scenarios step on)
    min_delay_ms: float = 0.0
    settings: dict[str, Any] | None = None  # global settings for the case, reset after it


ALL_PROBES = ("get", "head", "raw11", "close", "raw10", "rawhead")
FAULT = ("fault",)


def cases() -> list[RCase]:
    c: list[RCase] = []
    for status in (200, 201, 202, 204, 205, 301, 302, 304, 400, 418, 451, 500, 503, 599):
        c.append(RCase(f"status-{status}", {"status": status, "body": "x"}))
    for status in (204, 304):
        c.append(RCase(f"status-{status}-no-body", {"status": status}))
    c.append(RCase("status-default", {"body": "hello"}))
    c.append(RCase("status-message", {"status": 200, "statusMessage": "Fine Thanks", "body": "x"}))
    c.append(RCase("status-message-418", {"status": 418, "statusMessage": "Teapot!"}))
    c.append(RCase("status-message-empty", {"status": 200, "statusMessage": "", "body": "x"}))
    c.append(RCase("status-599-no-message", {"status": 599}))
    c.append(RCase("empty-response", {"status": 200}))
    c.append(RCase("empty-body-string", {"status": 200, "body": ""}))
    c.append(RCase("header-single", {"headers": {"X-One": "1"}, "body": "x"}))
    c.append(RCase("header-multi", {"headers": {"X-Multi": ["a", "b", "c"]}, "body": "x"}))
    c.append(
        RCase(
            "header-order",
            {"headers": {"X-B": "b", "X-A": "a", "x-lower": "l", "X-CamelCase": "c"}, "body": "x"},
        )
    )
    c.append(
        RCase(
            "set-cookie-multi",
            {"headers": {"Set-Cookie": ["a=1; Path=/", "b=2; HttpOnly"]}, "body": "x"},
        )
    )
    c.append(RCase("header-non-ascii", {"headers": {"X-Name": "Zoë ✓"}, "body": "x"}))
    c.append(RCase("header-empty-value", {"headers": {"X-Empty": ""}, "body": "x"}))
    c.append(RCase("content-type-given", {"headers": {"Content-Type": "text/plain"}, "body": "hi"}))
    c.append(
        RCase(
            "content-type-json-charset",
            {"headers": {"Content-Type": "application/json; charset=utf-8"}, "body": "{}"},
        )
    )
    c.append(RCase("content-type-absent", {"body": "plain"}))
    c.append(RCase("content-type-absent-empty", {"status": 200, "headers": {"X-A": "1"}}))
    c.append(
        RCase("content-length-given-right", {"headers": {"Content-Length": "5"}, "body": "hello"})
    )
    c.append(
        RCase("content-length-given-wrong", {"headers": {"Content-Length": "3"}, "body": "hello"})
    )
    c.append(
        RCase(
            "transfer-encoding-given",
            {"headers": {"Transfer-Encoding": "chunked"}, "body": "hello"},
        )
    )
    c.append(RCase("connection-close-given", {"headers": {"Connection": "close"}, "body": "x"}))
    c.append(
        RCase(
            "connection-close-file",
            {"headers": {"Connection": "close"}, "bodyFileName": "hello.txt"},
            ("get", "raw11", "rawhead"),
        )
    )
    c.append(RCase("connection-keep-alive-given", {"headers": {"Connection": "keep-alive"}}))
    c.append(RCase("body-unicode", {"body": "héllo ✓ 𝄞"}))
    c.append(RCase("body-crlf", {"body": "a\r\nb\n"}))
    json_bodies: dict[str, Any] = {
        "object": {"b": 1, "a": [1, 2, {"c": None}], "s": "x/y"},
        "nested": {"a": {"b": {"c": [[], {}]}}},
        "float-1.0": {"n": 1.0, "m": 2.50, "k": -0.0},
        "numbers": {"big": 12345678901234567890, "e": 1e20, "small": 1e-7, "f": 123456789.0},
        "unicode": {"name": "Zoë ✓ 𝄞", "ctl": "\u0001\t\n", "q": "\"'<>&"},
        "null": None,
        "array": [1, "two", True, None],
        "string": "just a string",
        "number": 42,
        "bool": False,
        "empty-object": {},
    }
    for name, value in json_bodies.items():
        c.append(RCase(f"jsonBody-{name}", {"jsonBody": value}))
    c.append(
        RCase(
            "jsonBody-with-content-type",
            {"jsonBody": {"a": 1}, "headers": {"Content-Type": "application/vnd.x+json"}},
        )
    )
    decimals = '{"jsonBody": {"price": 10.50, "e": 1E+2, "k": 0.5e1, "p": 0.1234567890123456789}}'
    c.append(RCase("jsonBody-decimal-text", {}, ("get",), response_text=decimals))
    c.append(RCase("body-large", {"body": "0123456789abcdef" * 5000}, ("get", "raw11", "raw10")))
    c.append(RCase("base64Body", {"base64Body": "AAEC/w=="}))  # 00 01 02 ff
    c.append(RCase("base64Body-text", {"base64Body": "aGVsbG8="}))
    c.append(RCase("bodyFileName", {"bodyFileName": "hello.txt"}))
    c.append(RCase("bodyFileName-json", {"bodyFileName": "data.json"}))
    c.append(RCase("bodyFileName-nested", {"bodyFileName": "sub/inner.html"}))
    c.append(
        RCase(
            "bodyFileName-with-headers",
            {"bodyFileName": "hello.txt", "headers": {"Content-Type": "text/plain", "X-A": "1"}},
        )
    )
    c.append(RCase("bodyFileName-missing", {"bodyFileName": "nope.txt"}, ("get", "raw11")))
    c.append(
        RCase(
            "fixed-delay",
            {"body": "x", "fixedDelayMilliseconds": 300},
            ("delay",),
            min_delay_ms=300,
        )
    )
    c.append(
        RCase(
            "delay-uniform",
            {"body": "x", "delayDistribution": {"type": "uniform", "lower": 200, "upper": 250}},
            ("delay",),
            min_delay_ms=200,
        )
    )
    c.append(
        RCase(
            "delay-fixed-distribution",
            {"body": "x", "delayDistribution": {"type": "fixed", "milliseconds": 250}},
            ("delay",),
            min_delay_ms=250,
        )
    )
    c.append(
        RCase(
            "delay-lognormal",
            {
                "body": "x",
                "delayDistribution": {"type": "lognormal", "median": 200, "sigma": 0.001},
            },
            ("delay",),
            min_delay_ms=150,
        )
    )
    c.append(
        RCase(
            "global-fixed-delay",
            {"body": "x"},
            ("delay", "get"),
            min_delay_ms=300,
            settings={"fixedDelay": 300},
        )
    )
    dribble = {"numberOfChunks": 5, "totalDuration": 500}
    c.append(
        RCase(
            "chunked-dribble",
            {"body": "0123456789" * 5, "chunkedDribbleDelay": dribble},
            ("get", "raw11", "raw10", "rawhead", "dribble", "delay"),
            min_delay_ms=350,
        )
    )
    c.append(
        RCase(
            "chunked-dribble-short-body",
            {"body": "ab", "chunkedDribbleDelay": dribble},
            ("get", "raw11"),
        )
    )
    for fault in (
        "CONNECTION_RESET_BY_PEER",
        "EMPTY_RESPONSE",
        "MALFORMED_RESPONSE_CHUNK",
        "RANDOM_DATA_THEN_CLOSE",
    ):
        c.append(RCase(f"fault-{fault}", {"fault": fault}, FAULT))
    scenario = {"scenarioName": "flow", "requiredScenarioState": "Started"}
    c.append(
        RCase(
            "scenario-step",
            {"status": 201, "headers": {"X-Step": "1"}, "jsonBody": {"step": 1}},
            ("get", "raw11"),
            extra={**scenario, "newScenarioState": "Started"},
            requests=2,
        )
    )
    return c


# ---------------------------------------------------------------- clients


def header_facets(pairs: list[tuple[str, str]]) -> Facets:
    """One facet per header name (as sent, values in order); Matched-Stub-Id's value hidden."""
    by_name: dict[str, list[str]] = {}
    for name, value in pairs:
        lower = name.lower()
        if lower in IGNORED_HEADERS:
            continue
        if lower == "matched-stub-id":
            value = "<id>"
        by_name.setdefault(lower, []).append(f"{name}: {value}")
    return {f"header:{k}": " / ".join(v) for k, v in by_name.items()}


def show_body(body: bytes) -> str:
    text = repr(body)[2:-1]
    return f"{len(body)} B: {text[:60]}{'…' if len(text) > 60 else ''}"


def via_httpx(url: str, method: str) -> Facets:
    with httpx.Client(timeout=TIMEOUT, headers={"Accept-Encoding": "identity"}) as client:
        try:
            r = client.request(method, url)
        except httpx.HTTPError as exc:
            return {"error": type(exc).__name__}
    pairs = [(n.decode("latin-1"), v.decode("utf-8", "replace")) for n, v in r.headers.raw]
    return {
        "status": str(r.status_code),
        "reason": repr(r.reason_phrase),
        **header_facets(pairs),
        "body": show_body(r.content),
    }


class Reader:
    """A socket with a buffer; remembers when data arrived (for dribbled answers)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""
        self.arrivals: list[tuple[float, int]] = []
        self.eof = False
        self.error = ""

    def fill(self) -> bool:
        if self.eof:
            return False
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            self.error = "timeout"
            self.eof = True
            return False
        except OSError as exc:
            self.error = type(exc).__name__
            self.eof = True
            return False
        if not data:
            self.eof = True
            return False
        self.arrivals.append((time.monotonic(), len(data)))
        self.buf += data
        return True

    def until(self, marker: bytes) -> bytes | None:
        while marker not in self.buf:
            if not self.fill():
                return None
        head, _, self.buf = self.buf.partition(marker)
        return head

    def exactly(self, n: int) -> bytes:
        while len(self.buf) < n and self.fill():
            pass
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def rest(self) -> bytes:
        while self.fill():
            pass
        out, self.buf = self.buf, b""
        return out


def read_response(reader: Reader, head_request: bool) -> Facets:
    head = reader.until(b"\r\n\r\n")
    if head is None:
        return {"error": f"no complete head ({reader.error or 'eof'}, {len(reader.buf)} B)"}
    lines = head.decode("utf-8", "replace").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code, _, reason = rest.partition(" ")
    pairs = [(n, v.strip()) for n, _, v in (line.partition(":") for line in lines[1:])]
    lower = {n.lower(): v for n, v in pairs}
    facets: Facets = {"status-line": f"{version} {code} {reason!r}", **header_facets(pairs)}
    chunks = 0
    if head_request or code.startswith("1") or code in ("204", "304"):
        framing, body = "none", b""
    elif "chunked" in lower.get("transfer-encoding", "").lower():
        framing, body = "ok", b""
        while True:
            size_line = reader.until(b"\r\n")
            if size_line is None:
                framing = "chunked, cut off"
                break
            try:
                size = int(size_line.split(b";")[0], 16)
            except ValueError:
                framing = f"chunked, bad size {size_line[:20]!r}"
                break
            if size == 0:
                reader.until(b"\r\n")
                break
            chunks += 1
            body += reader.exactly(size)
            reader.exactly(2)
    elif "content-length" in lower:
        framing = "ok"  # Content-Length, chunked or until close: a client reads the same body
        body = reader.exactly(int(lower["content-length"]))
    else:
        framing, body = "ok", reader.rest()
    facets["framing"] = framing
    facets["body"] = show_body(body)
    if head_request:
        # nothing may follow the head of an answer to HEAD
        reader.sock.settimeout(0.3)
        extra = reader.rest()
        facets["after-head"] = f"{len(extra)} B" if extra else "nothing"
    return facets


def raw_request(method: str, path: str, version: str, connection: str | None) -> bytes:
    lines = [f"{method} {path} {version}", "Host: 127.0.0.1", "Accept-Encoding: identity"]
    if connection:
        lines.append(f"Connection: {connection}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def via_socket(port: int, path: str, probe: str) -> Facets:
    method = "HEAD" if probe == "rawhead" else "GET"
    version = "HTTP/1.0" if probe == "raw10" else "HTTP/1.1"
    connection = "close" if probe == "close" else None
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(raw_request(method, path, version, connection))
        reader = Reader(sock)
        started = time.monotonic()
        facets = read_response(reader, method == "HEAD")
        if probe == "dribble":
            facets = {"bursts": str(bursts(reader.arrivals, started))}
        elif probe in ("raw11", "close", "raw10") and "error" not in facets:
            facets["connection-after"] = after_answer(reader, probe)
    return facets


def bursts(arrivals: list[tuple[float, int]], started: float) -> str:
    """How many separate writes the answer came in (gaps over 40 ms split them)."""
    count, last = 0, started - 1.0
    for at, _ in arrivals:
        if at - last > 0.04:
            count += 1
        last = at
    return f"{'several' if count > 1 else 'one'} ({count})"


def after_answer(reader: Reader, probe: str) -> str:
    """Keep-alive: does a second request on the connection get answered? Else: is it closed?"""
    reader.sock.settimeout(2.0)
    if probe == "raw11":
        try:
            reader.sock.sendall(raw_request("GET", "/__admin/health", "HTTP/1.1", None))
        except OSError:
            return "closed"
        return "kept open" if reader.until(b"\r\n\r\n") is not None else "closed"
    reader.rest()
    return "closed" if reader.error in ("", "ConnectionResetError") else f"open ({reader.error})"


def via_fault(base: str, port: int, path: str) -> Facets:
    facets = via_httpx(base + path, "GET")
    out: Facets = {"httpx": facets.get("error", f"answer {facets.get('status')}")}
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(raw_request("GET", path, "HTTP/1.1", None))
        reader = Reader(sock)
        data = reader.rest()
        ending = reader.error or "eof"
    first = data.split(b"\r\n", 1)[0] if data.startswith(b"HTTP/") else b""
    if data and not first:
        shown = f"{len(data)} B of data that is not HTTP"
    else:
        shown = f"{len(data)} B, {first!r}" if data else "nothing"
    out["socket"] = f"{shown}, then {ending}"
    return out


def via_delay(url: str, minimum_ms: float) -> Facets:
    started = time.monotonic()
    facets = via_httpx(url, "GET")
    took = (time.monotonic() - started) * 1000
    if "error" in facets:
        return facets
    if took < minimum_ms:
        return {"delay": f"{took:.0f} ms (< {minimum_ms:.0f})"}
    return {"delay": f">= {minimum_ms:.0f} ms"}


# ---------------------------------------------------------------- servers


class Peer:
    def __init__(self, name: str, base: str) -> None:
        self.name = name
        self.base = base
        self.port = int(base.rsplit(":", 1)[1])
        self.admin = httpx.Client(base_url=base, timeout=10)

    def reset(self) -> None:
        self.admin.post("/__admin/reset").raise_for_status()
        self.admin.delete("/__admin/mappings").raise_for_status()

    def settings(self, body: dict[str, Any]) -> None:
        self.admin.post("/__admin/settings", json=body).raise_for_status()

    def stub(self, mapping: dict[str, Any], response_text: str | None) -> str:
        text = json.dumps(mapping)
        if response_text is not None:  # spliced in as written: numbers keep their spelling
            text = text[:-1] + ', "response": ' + response_text + "}"
        r = self.admin.post("/__admin/mappings", content=text)
        return "accepted" if r.status_code == 201 else f"refused {r.status_code}: {r.text[:80]}"

    def probe(self, case: RCase, probe: str, path: str) -> Facets:
        if probe in ("get", "head"):
            return via_httpx(self.base + path, probe.upper())
        if probe == "fault":
            return via_fault(self.base, self.port, path)
        if probe == "delay":
            return via_delay(self.base + path, case.min_delay_ms)
        return via_socket(self.port, path, probe)


def run_case(case: RCase, wm: Peer, mb: Peer, verbose: bool) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    path = f"/r/{case.name}"
    mapping: dict[str, Any] = {"request": {"method": "ANY", "url": path}, **case.extra}
    if case.response_text is None:
        mapping["response"] = case.response
    for peer in (wm, mb):
        peer.reset()
        if case.settings:
            peer.settings(case.settings)
    try:
        w_acc, m_acc = wm.stub(mapping, case.response_text), mb.stub(mapping, case.response_text)
        if w_acc != m_acc:
            return [(f"{case.name}/accept", w_acc, m_acc)]
        for probe in case.probes:
            for i in range(case.requests):
                w, m = wm.probe(case, probe, path), mb.probe(case, probe, path)
                label = f"{case.name}/{probe}" + (f"#{i}" if case.requests > 1 else "")
                if verbose:
                    print(f"{label}:\n  WireMock {w}\n  mockbdd  {m}")
                for facet in sorted(set(w) | set(m)):
                    wv, mv = w.get(facet, "(absent)"), m.get(facet, "(absent)")
                    if wv != mv:
                        found.append((f"{label}/{facet}", wv, mv))
    finally:
        if case.settings:
            for peer in (wm, mb):
                peer.settings({"fixedDelay": 0})
    return found


# ---------------------------------------------------------------- report


def grouped(rows: list[tuple[str, str, str, str | None]]) -> list[tuple[str, str, str, str]]:
    """Rows differing only by probe are shown once, the probes listed: case/probe,probe/facet."""
    groups: dict[tuple[str, str, str, str, str], list[str]] = {}
    for ident, w, m, reason in rows:
        parts = ident.split("/")
        case, probe, facet = parts[0], "/".join(parts[1:-1]), parts[-1]
        groups.setdefault((case, facet, w, m, reason or ""), []).append(probe)
    return [
        (f"{case}/{','.join(probes)}/{facet}", w, m, reason)
        for (case, facet, w, m, reason), probes in groups.items()
    ]


def table(rows: list[tuple[str, str, str, str]], with_reason: bool) -> str:
    head = "| case/probe/what | WireMock 3.13.2 | mockbdd |" + (" why |" if with_reason else "")
    lines = [head, "|---|---|---|" + ("---|" if with_reason else "")]
    for ident, w, m, reason in rows:
        line = f"| {cell(ident)} | {cell(w)} | {cell(m)} |"
        lines.append(line + (f" {cell(reason)} |" if with_reason else ""))
    return "\n".join(lines)


def write_files(files: Path) -> None:
    (files / "sub").mkdir(parents=True)
    (files / "hello.txt").write_text("hello from a file\n")
    (files / "data.json").write_text('{"from": "file"}')
    (files / "sub" / "inner.html").write_text("<p>inner</p>")


def main() -> int:
    args = arguments(__doc__, "cases").parse_args()

    selected = [c for c in cases() if args.only in c.name]
    started = time.perf_counter()
    rows: list[tuple[str, str, str, str | None]] = []
    try:
        with both_servers(write_files) as (wm_url, mb_url):
            wm, mb = Peer("WireMock", wm_url), Peer("mockbdd", mb_url)
            for case in selected:
                for ident, w, m in run_case(case, wm, mb, args.verbose):
                    rows.append((ident, w, m, explain(ident, EXPECTED)))
    except JarMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started

    unexplained = grouped([r for r in rows if r[3] is None])
    expected = grouped([r for r in rows if r[3] is not None])
    report(
        table(unexplained, with_reason=False) if unexplained else None,
        table(expected, with_reason=True) if expected and args.show_expected else None,
    )
    matched = {p for p in EXPECTED if any(fnmatch.fnmatchcase(r[0], p) for r in rows)}
    for pattern in sorted(set(EXPECTED) - matched) if not args.only else []:
        print(f"note: EXPECTED entry matched nothing: {pattern}")
    probes = sum(len(c.probes) * c.requests for c in selected)
    print(
        f"{len(selected)} cases, {probes} probes in {elapsed:.1f} s: "
        f"{len(unexplained)} unexplained, {len(expected)} expected differences (grouped)"
    )
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
