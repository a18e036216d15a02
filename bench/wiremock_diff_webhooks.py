"""Differential test of webhooks: the same callback stubs on real WireMock and on mockbdd.

    .venv/bin/python bench/wiremock_diff_webhooks.py [--only SUBSTRING] [--verbose]
        [--show-expected] [--write-golden]
    make wiremock-diff-webhooks

Needs Java and the WireMock standalone jar: ``make`` installs it (``make wiremock-jar``, from
the ``wiremock`` npm package) and passes it as ``WIREMOCK_JAR``. A local aiohttp :class:`Receiver` in this process records every
request it gets. Each case of :func:`cases` runs on each server in turn: reset, its stubs posted
(``serveEventListeners`` webhooks, or the older ``postServeActions``), its trigger requests sent,
then the callbacks awaited. What is compared: whether each stub was accepted, each trigger's
answer, and each callback as received (method, path and query, headers but those that
legitimately differ, :data:`IGNORED_HEADERS`, body), whether it came after its ``delay`` (and
not while the answer was held), and the serve event's sub-event types.

``--write-golden`` stores WireMock's side in ``tests/data/wiremock_3_13_2/webhooks.json``:
``tests/integration/test_wiremock_webhooks_diff.py`` compares mockbdd with it on every test run,
with no Java. Known, deliberate differences (``EXPECTED``) are listed apart; exits 1 when an
unexplained difference remains.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/'s modules, under pytest too
from wiremock_diff_recording import AppThread, finish, run_all

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "wiremock_3_13_2" / "webhooks.json"
Json = Any
RECEIVER = "{{receiver}}"  # replaced by the receiver's URL in every stub

# headers each HTTP client sets its own way; none is part of what a webhook says
IGNORED_HEADERS: dict[str, str] = {
    "user-agent": "the client library's name (WireMock: Apache HttpClient; mockbdd: aiohttp)",
    "host": "the receiver's port, which each run picks",
    "connection": "connection reuse, the client's choice (WireMock sends keep-alive)",
    "accept-encoding": "compressions the client can decode: the client library's own list",
    "accept": "aiohttp's default Accept: */*, which WireMock's client leaves out",
}


class Receiver(AppThread):
    """Records every request: (method, path?query, headers, body, monotonic time)."""

    def __init__(self) -> None:
        super().__init__()
        self.got: list[dict[str, Json]] = []
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self.got.clear()

    def app(self) -> web.Application:
        async def record(request: web.Request) -> web.Response:
            body = await request.read()
            entry = {
                "method": request.method,
                "url": request.path_qs,
                "headers": [[k, v] for k, v in request.headers.items()],
                "body": body.decode("utf-8", errors="replace"),
                "at": time.monotonic(),
            }
            with self._lock:
                self.got.append(entry)
            status = 500 if request.path.endswith("/fail") else 200
            return web.Response(status=status, text="received")

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", record)
        return app

    def wait(self, count: int, within_s: float) -> list[dict[str, Json]]:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.got) >= count:
                    break
            time.sleep(0.01)
        time.sleep(0.15)  # anything beyond the count comes now, or is not coming
        with self._lock:
            return list(self.got)


@dataclass(frozen=True)
class Trigger:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None


@dataclass(frozen=True)
class WCase:
    """``stubs`` (``{{receiver}}`` anywhere in them is the receiver's URL), the ``triggers``
    sent, the number of callbacks awaited, and the least delay (ms) before the first."""

    name: str
    stubs: tuple[Mapping[str, Json], ...]
    triggers: tuple[Trigger, ...]
    callbacks: int = 1
    min_delay_ms: int = 0


def webhook(**parameters: Json) -> dict[str, Json]:
    return {"name": "webhook", "parameters": {"url": RECEIVER + "/callback", **parameters}}


def stub(
    path: str, *listeners: Mapping[str, Json], method: str = "POST", **extra: Json
) -> dict[str, Json]:
    return {
        "request": {"method": method, "urlPath": path},
        "response": {"status": 201, "body": "created"},
        "serveEventListeners": list(listeners),
        **extra,
    }


JSON = (("Content-Type", "application/json"),)
ORDER = Trigger("POST", "/orders?source=web", (*JSON, ("X-Trace", "t-1")), b'{"id": 42}')


def cases() -> list[WCase]:
    return [
        WCase(
            "post-static-body",
            (
                stub(
                    "/orders",
                    webhook(
                        method="POST",
                        headers={"Content-Type": "application/json", "X-Sig": "abc"},
                        body='{"event": "order.created"}',
                    ),
                ),
            ),
            (ORDER,),
        ),
        WCase(
            "default-method-no-body",
            (stub("/orders", webhook()),),
            (ORDER,),
        ),
        WCase(
            "get-drops-the-body",
            (stub("/orders", webhook(method="GET", body="ignored")),),
            (ORDER,),
        ),
        WCase(
            "body-without-content-type",
            (stub("/orders", webhook(method="POST", body="plain words")),),
            (ORDER,),
        ),
        WCase(
            "put-patch-delete",
            (
                stub(
                    "/orders",
                    webhook(method="PUT", body="p"),
                    webhook(method="PATCH", body="q", url=RECEIVER + "/patched"),
                    webhook(method="DELETE", url=RECEIVER + "/gone"),
                ),
            ),
            (ORDER,),
            callbacks=3,
        ),
        WCase(
            "post-no-body",
            (stub("/orders", webhook(method="POST")),),
            (ORDER,),
        ),
        WCase(
            "delete-drops-the-body",
            (stub("/orders", webhook(method="DELETE", body="ignored")),),
            (ORDER,),
        ),
        WCase(
            "query-in-url",
            (stub("/orders", webhook(method="POST", url=RECEIVER + "/cb?x=1&x=2&e=", body="q")),),
            (ORDER,),
        ),
        WCase(
            "unreachable-target",
            (stub("/orders", webhook(method="POST", url="http://127.0.0.1:9/nothing", body="x")),),
            (ORDER,),
            callbacks=0,
        ),
        WCase(
            "templated",
            (
                stub(
                    "/orders",
                    webhook(
                        method="{{originalRequest.method}}",
                        url=RECEIVER + "/cb/{{jsonPath originalRequest.body '$.id'}}"
                        "?from={{originalRequest.query.source}}",
                        headers={
                            "Content-Type": "application/json",
                            "X-Trace": "{{originalRequest.headers.X-Trace}}",
                            "X-Path": "{{originalRequest.path}}",
                        },
                        body='{"id": {{jsonPath originalRequest.body \'$.id\'}}, '
                        '"url": "{{originalRequest.url}}", "seg": "{{originalRequest.path.[0]}}"}',
                    ),
                ),
            ),
            (ORDER,),
        ),
        WCase(
            "templated-escaping",
            (
                stub(
                    "/orders",
                    webhook(
                        method="POST",
                        headers={"X-Echo": "{{originalRequest.headers.X-Odd}}"},
                        body="{{originalRequest.body}}|{{{originalRequest.body}}}",
                    ),
                ),
            ),
            (Trigger("POST", "/orders", (*JSON, ("X-Odd", "a&b<c>\"d'")), b'{"q": "<&>"}'),),
        ),
        WCase(
            "callback-url-from-the-request",
            (
                stub(
                    "/orders",
                    webhook(
                        method="POST",
                        url="{{jsonPath originalRequest.body '$.callbackUrl'}}",
                        body="{{jsonPath originalRequest.body '$.id'}}",
                    ),
                ),
            ),
            (
                Trigger(
                    "POST", "/orders", JSON,
                    b'{"id": 7, "callbackUrl": "' + RECEIVER.encode() + b'/dynamic?k=v"}',
                ),
            ),
        ),
        WCase(
            "templated-helpers",
            (
                stub(
                    "/orders",
                    webhook(
                        method="POST",
                        body="{{upper (jsonPath originalRequest.body '$.name')}} "
                        "{{size originalRequest.pathSegments}} {{originalRequest.query.source.[0]}} "
                        "{{#each (jsonPath originalRequest.body '$.tags') as |t|}}[{{t}}]{{/each}} "
                        "{{math 6 '*' 7}} {{base64 'hi'}}",
                    ),
                ),
            ),
            (
                Trigger(
                    "POST", "/orders?source=app", JSON,
                    b'{"name": "ada", "tags": ["x", "y"]}',
                ),
            ),
        ),
        WCase(
            "templated-response-and-webhook",
            (
                {
                    "request": {"method": "POST", "urlPath": "/orders"},
                    "response": {
                        "status": 201,
                        "body": "made {{jsonPath request.body '$.id'}}",
                        "transformers": ["response-template"],
                    },
                    "serveEventListeners": [
                        webhook(method="POST", body="told {{jsonPath originalRequest.body '$.id'}}")
                    ],
                },
            ),
            (ORDER,),
        ),
        WCase(
            "templated-parameters",
            (
                stub(
                    "/orders",
                    webhook(method="POST", body="{{parameters.greeting}} {{parameters.n}}",
                            greeting="hello", n=3),
                ),
            ),
            (ORDER,),
        ),
        WCase(
            "multi-value-header",
            (stub("/orders", webhook(method="POST", headers={"X-Multi": ["a", "b"]}, body="m")),),
            (ORDER,),
        ),
        WCase(
            "base64-body",
            (stub("/orders", webhook(method="POST", base64Body="aGVsbG8gYnl0ZXM=")),),
            (ORDER,),
        ),
        WCase(
            "fixed-delay",
            (
                stub(
                    "/orders",
                    webhook(method="POST", body="late",
                            delay={"type": "fixed", "milliseconds": 300}),
                ),
            ),
            (ORDER,),
            min_delay_ms=300,
        ),
        WCase(
            "uniform-delay",
            (
                stub(
                    "/orders",
                    webhook(method="POST", body="late",
                            delay={"type": "uniform", "lower": 150, "upper": 250}),
                ),
            ),
            (ORDER,),
            min_delay_ms=150,
        ),
        WCase(
            "post-serve-actions-list",
            (
                {
                    "request": {"method": "POST", "urlPath": "/orders"},
                    "response": {"status": 201, "body": "created"},
                    "postServeActions": [webhook(method="POST", body="old form")],
                },
            ),
            (ORDER,),
        ),
        WCase(
            "post-serve-actions-object",
            (
                {
                    "request": {"method": "POST", "urlPath": "/orders"},
                    "response": {"status": 201, "body": "created"},
                    "postServeActions": {
                        "webhook": {"method": "POST", "url": RECEIVER + "/callback",
                                    "body": "older form"}
                    },
                },
            ),
            (ORDER,),
        ),
        WCase(
            "receiver-fails",
            (stub("/orders", webhook(method="POST", body="x", url=RECEIVER + "/fail")),),
            (ORDER,),
        ),
        WCase(
            "each-trigger-calls-back",
            (stub("/orders", webhook(method="POST", body="n")),),
            (ORDER, ORDER, ORDER),
            callbacks=3,
        ),
        WCase(
            "unmatched-trigger-no-callback",
            (stub("/orders", webhook(method="POST", body="n")),),
            (Trigger("GET", "/elsewhere"),),
            callbacks=0,
        ),
    ]  # fmt: skip


def _filled(value: Json, receiver: str) -> Json:
    return json.loads(json.dumps(value).replace(RECEIVER, receiver))


def _headers(pairs: list[list[str]]) -> dict[str, Json]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        if name.lower() in IGNORED_HEADERS:
            continue
        out.setdefault(name.lower(), []).append(value)
    return dict(sorted(out.items()))


def session(base: str, receiver: Receiver, case: WCase) -> Json:
    """Run ``case`` on the server at ``base``: what it accepted, answered and sent."""
    out: dict[str, Json] = {}
    with httpx.Client(base_url=base, timeout=10) as http:
        http.post("/__admin/reset").raise_for_status()
        http.delete("/__admin/mappings").raise_for_status()
        receiver.clear()
        accepted = []
        for mapping in case.stubs:
            r = http.post("/__admin/mappings", json=_filled(mapping, receiver.url))
            accepted.append(r.status_code)
        out["accepted"] = accepted
        answers, sent_at = [], []
        for t in case.triggers:
            body = t.body.replace(RECEIVER.encode(), receiver.url.encode()) if t.body else None
            sent_at.append(time.monotonic())
            r = http.request(t.method, t.path, headers=list(t.headers), content=body)
            answers.append([r.status_code, r.text if r.status_code != 404 else "(not matched)"])
        answered_at = time.monotonic()
        out["answers"] = answers
        got = receiver.wait(case.callbacks, within_s=5 + case.min_delay_ms / 1000)
        out["callbacks"] = sorted(
            (
                {
                    "method": g["method"],
                    "url": g["url"].replace(receiver.url, ""),
                    "headers": _headers(g["headers"]),
                    "body": g["body"],
                }
                for g in got
            ),
            key=lambda c: json.dumps(c, sort_keys=True),
        )
        if got and case.min_delay_ms:
            first = min(g["at"] for g in got)
            out["delayed"] = (first - sent_at[0]) * 1000 >= case.min_delay_ms * 0.95
            out["answered-first"] = answered_at <= first  # the delay does not hold the answer
        out["subEvents"] = _sub_events(http, 2 * max(case.callbacks, 1))
    return out


def _sub_events(http: httpx.Client, want: int) -> Json:
    """Each matched serve event's sub-event types and their data's keys, once ``want`` are
    there (a request and a response per callback) or 2 s have passed."""
    deadline = time.monotonic() + 2
    while True:
        events = http.get("/__admin/requests").json().get("requests", [])
        seen = [  # sorted: concurrent callbacks of one stub log in any order
            sorted([s.get("type"), sorted(s.get("data", {}))] for s in e.get("subEvents", []))
            for e in events
            if e.get("wasMatched")
        ]
        if not seen or time.monotonic() > deadline or sum(map(len, seen)) >= want:
            return sorted(seen)
        time.sleep(0.05)


# (case glob, JSON path glob) -> why mockbdd differs on purpose
EXPECTED: dict[tuple[str, str], str] = {
    ("*delete*", "$.callbacks[[]*].headers.content-length"): (
        "a DELETE callback carries no body in both; aiohttp announces the empty body "
        "(Content-Length: 0) on every method but GET, HEAD, OPTIONS, TRACE and CONNECT, "
        "WireMock's client sends no length; the receiver reads the same (no) body"
    ),
}


def fingerprint() -> str:
    """Of the cases' definitions: the golden file says which cases WireMock answered."""
    return hashlib.sha256(repr(cases()).encode()).hexdigest()


def main() -> int:
    from wiremock_diff import JarMissing, arguments, both_servers

    parser = arguments(__doc__, "cases")
    parser.add_argument("--write-golden", action="store_true", help=f"write {GOLDEN}")
    parser.add_argument("--dump", type=Path, help="write both sides' JSON into this folder")
    args = parser.parse_args()
    chosen = [c for c in cases() if args.only in c.name]
    started = time.perf_counter()
    try:
        with Receiver() as receiver, both_servers() as (wm_url, mb_url):
            diffs, golden, ours = run_all(
                lambda c: session(wm_url, receiver, c),
                lambda c: session(mb_url, receiver, c),
                chosen,
                args.verbose,
                EXPECTED,
            )
    except JarMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    return finish(
        args,
        diffs,
        golden,
        ours,
        lambda unexplained, expected, elapsed: (
            f"{len(chosen)} webhook cases, {sum(c.callbacks for c in chosen)} callbacks in "
            f"{elapsed:.1f} s: {len(unexplained)} unexplained, {len(expected)} expected differences"
        ),
        started,
        golden_path=GOLDEN,
        expected_reasons=EXPECTED,
        cases_fingerprint=fingerprint,
    )


if __name__ == "__main__":
    sys.exit(main())
