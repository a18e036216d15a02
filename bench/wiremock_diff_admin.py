"""Differential test of the admin API's JSON: the same operations against real WireMock and mockbdd.

    .venv/bin/python bench/wiremock_diff_admin.py [--only SUBSTRING] [--verbose] [--show-expected]
    make wiremock-diff-admin

Needs Java and the WireMock standalone jar (``WIREMOCK_JAR``; by default the one the peers'
``wiremock`` npm package ships); both servers bind 127.0.0.1 on free ports (``process`` and
``Server`` of ``wiremock_diff.py``). One fixed sequence of operations (``OPERATIONS``) runs
against both servers: stubs of every kind, mock traffic with query, headers, cookies and text,
JSON and binary bodies, then every admin route both servers have, and bad input. For each answer
the *structure* is compared, not the values: the status code, whether the body is JSON, and
recursively the keys of every object and the JSON type of every value (lists element-wise on
their first elements). Ids, dates and timings are values, so they never differ. Prints a markdown
table of the differences; the deliberate ones (``EXPECTED``, each with its reason) are listed
apart. Exits 1 when an unexplained difference remains.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wiremock_diff import JarMissing, Server, arguments, both_servers, cell, report

ADMIN = "/__admin"
LIST_ITEMS = 3  # list elements compared pairwise

S_PLAIN = "00000000-0000-4000-8000-000000000001"
S_JSON = "00000000-0000-4000-8000-000000000002"
S_SCEN_1 = "00000000-0000-4000-8000-000000000003"
S_SCEN_2 = "00000000-0000-4000-8000-000000000004"
S_SEQ = "00000000-0000-4000-8000-000000000005"
S_META = "00000000-0000-4000-8000-000000000006"
S_UNUSED = "00000000-0000-4000-8000-000000000007"
S_BINARY = "00000000-0000-4000-8000-000000000008"
S_IMPORTED = "00000000-0000-4000-8000-000000000009"
S_MINIMAL = "00000000-0000-4000-8000-00000000000a"
UNKNOWN_ID = "00000000-0000-4000-8000-00000000dead"

Json = Any
Context = dict[str, str]


@dataclass(frozen=True)
class Op:
    """One call, sent identically to both servers. ``path`` may name ``{placeholders}`` that
    each server's own context fills (ids the server gave out earlier)."""

    name: str
    method: str
    path: str
    json: Json = None
    content: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    admin: bool = True  # False: mock traffic, only the status is compared
    wm_json: Json = None  # what WireMock gets instead of ``json`` (for a mockbdd extension)
    capture: Callable[[Json, Context], None] | None = None
    fresh: bool = False  # a connection of its own (WireMock's Jetty caches Cookie per connection)


@dataclass(frozen=True)
class Answer:
    status: int
    kind: str  # "json", "text" or "empty"
    data: Json = None
    text: str = ""


@dataclass(frozen=True)
class Difference:
    op: str
    path: str
    wiremock: str
    mockbdd: str
    reason: str | None = None


EXTRA = "an extra key: clients ignore what they do not know"
# (operation glob, JSON path glob, reason[, text the WireMock side shows]): deliberate ones
EXPECTED: list[tuple[str, ...]] = [
    # mockbdd extensions: extra keys
    ("*", "$.journalTruncated", f"{EXTRA}; says the journal dropped entries (mockbdd's cap)"),
    ("*", "$.journalEvicted", f"{EXTRA}; how many entries the journal's cap evicted"),
    ("*", "*.timing.queuedTime", f"{EXTRA}; time queued by mockbdd's concurrency limits"),
    ("*near-misses*", "$.nearMisses[[]*].diff", f"{EXTRA}; the near miss as readable text"),
    (
        "POST /near-misses/request",
        "$.nearMisses[[]*].request.*",
        f"{EXTRA}; the echoed request gets the LoggedRequest defaults WireMock leaves out",
    ),
    (
        "DELETE /mappings/unmatched",
        "$.*",
        f"{EXTRA}; mockbdd answers the removed stubs, WireMock an empty object",
    ),
    (
        "POST /mappings/save",
        "*",
        "mockbdd answers 409 when it has no mapping folder to write to (the harness gives "
        "none), where WireMock writes into its root dir; with --mappings or --root-dir it "
        "writes one file per stub and answers the file names",
    ),
    ("*", "$.errors[[]0].source", f"{EXTRA}; every mockbdd error names the JSON pointer"),
    (
        "*",
        "$.errors[[]0].source.pointer",
        f"{EXTRA}; every mockbdd error names the JSON pointer",
    ),
    (
        "*",
        "(body)",
        "mockbdd answers {} (or its errors document) where WireMock sends no body; no client "
        "reads these bodies, and a JSON answer is easier on generic HTTP clients",
        "empty",
    ),
    (
        "*",
        "*.response.headers",
        f"{EXTRA}; an unmatched answer's (empty) header map, which WireMock leaves out",
    ),
    (
        "POST /settings*",
        "(body)",
        f"{EXTRA}; mockbdd answers the settings now in force, WireMock nothing",
    ),
    # mockbdd's deliberate deviations
    (
        "*",
        "*.protocol",
        "the data plane does not record the HTTP version (recording it is a hot-path change "
        "in mockbdd/server); WireMock's clients take a missing protocol as null",
    ),
    (
        "*",
        "*responseDefinition.body",
        "a response sequence's journal entry does not say which item served it: status only",
        'string "one"',
    ),
    (
        "GET /requests/{id} (json body)",
        "$.response.headers.Content-Type",
        "mockbdd sends Content-Type: application/json with a jsonBody, WireMock no Content-Type "
        "(response behaviour, not the admin API's: the journal shows what was sent)",
    ),
    (
        "GET /mappings/unmatched (after journal removals)",
        "$.mappings.length",
        "mockbdd remembers which stubs served a request; WireMock derives 'unmatched' from the "
        "journal, so removing journal entries (or a capped journal) makes stubs unmatched again",
    ),
    (
        "POST /requests/reset",
        "(status)",
        "WireMock 2's route, gone in WireMock 3 (404); kept for older clients",
    ),
    (
        "*/settings*",
        "$.settings.proxyPassThrough",
        "accepted and ignored (README): reporting it would claim a behaviour mockbdd lacks",
    ),
    (
        "*",
        "$.errors[[]0].detail",
        "mockbdd puts the reason in 'title' and the field in 'source.pointer'; 'detail' is "
        "optional in WireMock's Errors model",
    ),
    (
        "*(malformed JSON)",
        "(status)",
        "a body that is not JSON is a malformed call: 400 (mockbdd/server/admin.py _status_of); "
        "invalid content stays 422 as in WireMock",
    ),
    (
        "POST /mappings (invalid: url not a string)",
        "*",
        'stricter: WireMock turns the number 5 into the URL "5"; mockbdd refuses it (422)',
    ),
    (
        "GET /mappings?limit= (bad)",
        "*",
        "WireMock fails with a 500 HTML page on a non-numeric limit; mockbdd answers 400 and why",
    ),
]


def jtype(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def describe(value: Json) -> str:
    kind = jtype(value)
    text = json.dumps(value)
    if kind in ("object", "array"):
        return f"{kind} {text[:60]}{'…' if len(text) > 60 else ''}"
    return f"{kind} {text[:40]}{'…' if len(text) > 40 else ''}"


def compare(path: str, w: Json, m: Json, out: list[tuple[str, str, str]]) -> None:
    """Structural differences of two JSON values: (path, WireMock, mockbdd)."""
    wt, mt = jtype(w), jtype(m)
    if wt != mt:
        out.append((path, describe(w), describe(m)))
        return
    if isinstance(w, dict) and isinstance(m, dict):
        for key in sorted(set(w) | set(m)):
            sub = f"{path}.{key}"
            if key not in m:
                out.append((sub, describe(w[key]), "(missing)"))
            elif key not in w:
                out.append((sub, "(missing)", describe(m[key])))
            else:
                compare(sub, w[key], m[key], out)
    elif isinstance(w, list) and isinstance(m, list):
        if len(w) != len(m):
            out.append((f"{path}.length", str(len(w)), str(len(m))))
        for i, (wi, mi) in enumerate(zip(w[:LIST_ITEMS], m[:LIST_ITEMS], strict=False)):
            compare(f"{path}[{i}]", wi, mi, out)


def call(server: Server, op: Op, ctx: Context) -> Answer:
    url = op.path.format(**ctx)
    if op.admin:
        url = ADMIN + url
    client = server.fresh if op.fresh else server.http
    body = op.wm_json if op.wm_json is not None and server.name == "WireMock" else op.json
    request = server.http.build_request(
        op.method,
        server.base + url,
        json=body if op.content is None else None,
        content=op.content,
        headers=list(op.headers),
    )
    r = client.send(request)
    if not r.content.strip():
        return Answer(r.status_code, "empty")
    try:
        data = r.json()
    except ValueError:
        return Answer(r.status_code, "text", text=r.text)
    if server.name == "mockbdd":
        data = as_wiremock_has_it(data)
    if op.capture is not None and r.status_code < 300:
        op.capture(data, ctx)
    return Answer(r.status_code, "json", data)


def diff_answers(w: Answer, m: Answer, admin: bool) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    if w.status != m.status:
        out.append(("(status)", str(w.status), str(m.status)))
    if not admin:
        return out
    if w.kind != m.kind:
        out.append(("(body)", w.kind + _peek(w), m.kind + _peek(m)))
    elif w.kind == "json":
        compare("$", w.data, m.data, out)
    return out


def _peek(a: Answer) -> str:
    if a.kind == "json":
        return " " + describe(a.data)
    return f" {a.text[:40]!r}" if a.text else ""


# --- the operations ------------------------------------------------------------------------


def mapping(stub_id: str, request: Json, response: Json, **extra: Json) -> Json:
    return {"id": stub_id, "request": request, "response": response, **extra}


STUBS: list[tuple[str, Json]] = [
    (
        "plain",
        mapping(
            S_PLAIN,
            {"method": "GET", "urlPath": "/plain", "queryParameters": {"q": {"equalTo": "1"}}},
            {"status": 200, "body": "plain", "headers": {"Content-Type": "text/plain"}},
            name="plain stub",
            priority=3,
        ),
    ),
    (
        "json",
        mapping(
            S_JSON,
            {
                "method": "POST",
                "url": "/json",
                "headers": {"Content-Type": {"contains": "json"}},
                "bodyPatterns": [{"matchesJsonPath": "$.a"}],
            },
            {"status": 201, "jsonBody": {"ok": True, "n": [1, 2]}},
        ),
    ),
    (
        "scenario-1",
        mapping(
            S_SCEN_1,
            {"method": "GET", "url": "/scenario"},
            {"status": 200, "body": "first"},
            scenarioName="flow",
            requiredScenarioState="Started",
            newScenarioState="second",
        ),
    ),
    (
        "scenario-2",
        mapping(
            S_SCEN_2,
            {"method": "GET", "url": "/scenario"},
            {"status": 200, "body": "second"},
            scenarioName="flow",
            requiredScenarioState="second",
        ),
    ),
    (
        "metadata",
        mapping(
            S_META,
            {"method": "GET", "url": "/meta", "cookies": {"session": {"matches": "[a-z]+"}}},
            {"status": 200, "body": "meta", "fixedDelayMilliseconds": 1},
            metadata={"team": "core", "tags": ["a", "b"]},
        ),
    ),
    (
        "binary",
        mapping(
            S_BINARY,
            {"method": "PUT", "urlPathPattern": "/bin/.*"},
            {"status": 200, "base64Body": base64.b64encode(bytes(range(256))).decode()},
        ),
    ),
    ("minimal", {"id": S_MINIMAL, "request": {"urlPath": "/min"}, "response": {"body": "x"}}),
    (
        "unused",
        mapping(S_UNUSED, {"method": "DELETE", "url": "/never"}, {"status": 204}),
    ),
]

# a mockbdd response sequence; WireMock refuses "responses" and gets its first response instead
SEQUENCE = {
    "id": S_SEQ,
    "request": {"method": "GET", "url": "/seq"},
    "responses": [{"status": 200, "body": "one"}, {"status": 200, "body": "two"}],
}
SEQUENCE_FOR_WIREMOCK = mapping(S_SEQ, {"method": "GET", "url": "/seq"}, {"body": "one"})

TRAFFIC: list[Op] = [
    Op("traffic: plain with query", "GET", "/plain?q=1&r=x&r=y", admin=False),
    Op(
        "traffic: json body",
        "POST",
        "/json",
        content=b'{"a": {"b": [1, 2]}}',
        headers=(("Content-Type", "application/json"), ("X-Multi", "1"), ("X-Multi", "2")),
        admin=False,
    ),
    Op("traffic: scenario first", "GET", "/scenario", admin=False),
    Op("traffic: scenario second", "GET", "/scenario", admin=False),
    Op(
        "traffic: cookies",
        "GET",
        "/meta",
        headers=(("Cookie", "session=abc; other=1"),),
        admin=False,
        fresh=True,
    ),
    Op(
        "traffic: binary body",
        "PUT",
        "/bin/1",
        content=bytes(range(256)),
        headers=(("Content-Type", "application/octet-stream"),),
        admin=False,
    ),
    Op("traffic: sequence", "GET", "/seq", admin=False),
    Op(
        "traffic: unmatched text",
        "POST",
        "/nothing/here?x=1",
        content=b"some text",
        headers=(("Content-Type", "text/plain"),),
        admin=False,
    ),
    Op("traffic: near miss", "GET", "/plain?q=2", admin=False),
]


def grab_requests(data: Json, ctx: Context) -> None:
    """Journal ids by what the request was: newest first, in both servers."""
    for event in data.get("requests", []):
        req = event.get("request", {})
        key = f"req {req.get('method')} {req.get('url', '').split('?')[0]}"
        ctx.setdefault(key.replace(" ", "_").replace("/", "_"), event.get("id", ""))


PATTERN_PLAIN = {"method": "GET", "urlPath": "/plain"}
LOGGED_REQUEST = {
    "url": "/plain?q=3",
    "absoluteUrl": "http://localhost/plain?q=3",
    "method": "GET",
    "headers": {"Accept": "text/plain"},
    "body": "",
}


def operations() -> list[Op]:
    ops: list[Op] = [
        Op("POST /reset", "POST", "/reset"),
        Op("DELETE /mappings", "DELETE", "/mappings"),
    ]
    ops.append(Op("GET /mappings (empty)", "GET", "/mappings"))
    for label, stub in STUBS:
        ops.append(Op(f"POST /mappings ({label})", "POST", "/mappings", json=stub))
    ops.append(
        Op(
            "POST /mappings (sequence)",
            "POST",
            "/mappings",
            json=SEQUENCE,
            wm_json=SEQUENCE_FOR_WIREMOCK,
        )
    )
    ops += [
        Op("GET /mappings", "GET", "/mappings"),
        Op("GET /mappings?limit=2&offset=1", "GET", "/mappings?limit=2&offset=1"),
        Op("GET /mappings/{id}", "GET", f"/mappings/{S_PLAIN}"),
        Op("GET /mappings/{id} (scenario)", "GET", f"/mappings/{S_SCEN_1}"),
        Op("GET /mappings/{id} (unknown)", "GET", f"/mappings/{UNKNOWN_ID}"),
        Op(
            "PUT /mappings/{id}",
            "PUT",
            f"/mappings/{S_META}",
            json={
                "request": {
                    "method": "GET",
                    "url": "/meta",
                    "cookies": {"session": {"matches": "[a-z]+"}},
                },
                "response": {"status": 200, "body": "meta2"},
                "metadata": {"team": "core", "tags": ["a", "b"]},
            },
        ),
        Op(
            "PUT /mappings/{id} (unknown)",
            "PUT",
            f"/mappings/{UNKNOWN_ID}",
            json={"request": {"url": "/x"}, "response": {"status": 200}},
        ),
        Op("GET /mappings/unmatched (before traffic)", "GET", "/mappings/unmatched"),
        Op("GET /scenarios (before traffic)", "GET", "/scenarios"),
        *TRAFFIC,
        Op("GET /requests", "GET", "/requests", capture=grab_requests),
        Op("GET /requests?limit=2", "GET", "/requests?limit=2"),
        Op("GET /requests?unmatched=true", "GET", "/requests?unmatched=true"),
        Op("GET /requests?matchingStub=", "GET", f"/requests?matchingStub={S_PLAIN}"),
        Op("GET /requests?since=", "GET", "/requests?since=2000-01-01T00:00:00Z"),
        Op("GET /requests/{id} (plain)", "GET", "/requests/{req_GET__plain}"),
        Op("GET /requests/{id} (json body)", "GET", "/requests/{req_POST__json}"),
        Op("GET /requests/{id} (cookies)", "GET", "/requests/{req_GET__meta}"),
        Op("GET /requests/{id} (binary)", "GET", "/requests/{req_PUT__bin_1}"),
        Op("GET /requests/{id} (sequence)", "GET", "/requests/{req_GET__seq}"),
        Op("GET /requests/{id} (scenario)", "GET", "/requests/{req_GET__scenario}"),
        Op("GET /requests/{id} (unmatched)", "GET", "/requests/{req_POST__nothing_here}"),
        Op("GET /requests/{id} (unknown)", "GET", f"/requests/{UNKNOWN_ID}"),
        Op("POST /requests/count", "POST", "/requests/count", json=PATTERN_PLAIN),
        Op("POST /requests/count (all)", "POST", "/requests/count", json={"method": "ANY"}),
        Op("POST /requests/find", "POST", "/requests/find", json=PATTERN_PLAIN),
        Op("POST /requests/find (binary)", "POST", "/requests/find", json={"urlPath": "/bin/1"}),
        Op("GET /requests/unmatched", "GET", "/requests/unmatched"),
        Op("GET /requests/unmatched/near-misses", "GET", "/requests/unmatched/near-misses"),
        Op("POST /near-misses/request", "POST", "/near-misses/request", json=LOGGED_REQUEST),
        Op(
            "POST /near-misses/request-pattern",
            "POST",
            "/near-misses/request-pattern",
            json={"method": "GET", "url": "/plain?q=9"},
        ),
        Op("GET /mappings/unmatched", "GET", "/mappings/unmatched"),
        Op("GET /scenarios", "GET", "/scenarios"),
        Op(
            "PUT /scenarios/{name}/state",
            "PUT",
            "/scenarios/flow/state",
            json={"state": "Started"},
        ),
        Op(
            "PUT /scenarios/{name}/state (unknown scenario)",
            "PUT",
            "/scenarios/nope/state",
            json={"state": "Started"},
        ),
        Op(
            "PUT /scenarios/{name}/state (bad state)",
            "PUT",
            "/scenarios/flow/state",
            json={"state": "no-such-state"},
        ),
        Op("GET /scenarios (after set)", "GET", "/scenarios"),
        Op("POST /scenarios/reset", "POST", "/scenarios/reset"),
        Op(
            "POST /mappings/find-by-metadata",
            "POST",
            "/mappings/find-by-metadata",
            json={"matchesJsonPath": {"expression": "$.team", "equalTo": "core"}},
        ),
        Op(
            "POST /mappings/find-by-metadata (none)",
            "POST",
            "/mappings/find-by-metadata",
            json={"matchesJsonPath": "$.nobody"},
        ),
        Op("DELETE /mappings/unmatched", "DELETE", "/mappings/unmatched"),
        Op(
            "POST /requests/remove-by-metadata",
            "POST",
            "/requests/remove-by-metadata",
            json={"matchesJsonPath": "$.team"},
        ),
        Op(
            "POST /requests/remove",
            "POST",
            "/requests/remove",
            json={"method": "GET", "url": "/scenario"},
        ),
        Op("DELETE /requests/{id}", "DELETE", "/requests/{req_GET__seq}"),
        Op("DELETE /requests/{id} (unknown)", "DELETE", f"/requests/{UNKNOWN_ID}"),
        Op("GET /requests (after removals)", "GET", "/requests"),
        Op("GET /mappings/unmatched (after journal removals)", "GET", "/mappings/unmatched"),
        Op(
            "POST /mappings/remove-by-metadata",
            "POST",
            "/mappings/remove-by-metadata",
            json={"matchesJsonPath": "$.team"},
        ),
        Op("DELETE /mappings/{id}", "DELETE", f"/mappings/{S_PLAIN}"),
        Op("DELETE /mappings/{id} (unknown)", "DELETE", f"/mappings/{UNKNOWN_ID}"),
        Op(
            "POST /mappings/import",
            "POST",
            "/mappings/import",
            json={
                "mappings": [
                    mapping(S_IMPORTED, {"method": "GET", "url": "/imported"}, {"status": 200})
                ],
                "importOptions": {"duplicatePolicy": "IGNORE", "deleteAllNotInImport": False},
            },
        ),
        Op("GET /mappings (after import)", "GET", "/mappings"),
        Op("POST /mappings/save", "POST", "/mappings/save"),
        Op("POST /mappings/reset", "POST", "/mappings/reset"),
        Op("DELETE /requests", "DELETE", "/requests"),
        Op("POST /requests/reset", "POST", "/requests/reset"),
        Op("GET /requests (empty)", "GET", "/requests"),
        Op("GET /settings", "GET", "/settings"),
        Op(
            "POST /settings",
            "POST",
            "/settings",
            json={
                "fixedDelay": 0,
                "delayDistribution": {"type": "uniform", "lower": 0, "upper": 1},
            },
        ),
        Op("GET /settings (after update)", "GET", "/settings"),
        Op("POST /settings (back)", "POST", "/settings", json={"fixedDelay": 0}),
        Op("GET /health", "GET", "/health"),
        Op("GET /version", "GET", "/version"),
        # bad input
        Op(
            "POST /mappings (malformed JSON)",
            "POST",
            "/mappings",
            content=b'{"request": ',
            headers=(("Content-Type", "application/json"),),
        ),
        Op(
            "POST /mappings (invalid: url not a string)",
            "POST",
            "/mappings",
            json={"request": {"url": 5}, "response": {"status": 200}},
        ),
        Op(
            "POST /mappings (invalid: status not a number)",
            "POST",
            "/mappings",
            json={"request": {"url": "/x"}, "response": {"status": "abc"}},
        ),
        Op(
            "POST /mappings (unknown operator)",
            "POST",
            "/mappings",
            json={
                "request": {"url": "/x", "headers": {"A": {"equalToo": "1"}}},
                "response": {"status": 200},
            },
        ),
        Op(
            "POST /requests/count (unknown operator)",
            "POST",
            "/requests/count",
            json={"url": "/x", "headers": {"A": {"bogus": "1"}}},
        ),
        Op(
            "POST /requests/count (malformed JSON)",
            "POST",
            "/requests/count",
            content=b"{nope",
            headers=(("Content-Type", "application/json"),),
        ),
        Op(
            "POST /mappings/import (malformed JSON)",
            "POST",
            "/mappings/import",
            content=b"[",
            headers=(("Content-Type", "application/json"),),
        ),
        Op("GET /requests?since= (bad date)", "GET", "/requests?since=yesterday"),
        Op("GET /mappings?limit= (bad)", "GET", "/mappings?limit=abc"),
        Op("POST /settings (malformed JSON)", "POST", "/settings", content=b"{x"),
        Op("POST /reset (final)", "POST", "/reset"),
        Op("DELETE /mappings (final)", "DELETE", "/mappings"),
    ]
    return ops


# --- running -------------------------------------------------------------------------------


def _applies(entry: tuple[str, ...], d: Difference) -> bool:
    op_glob, path_glob, _, *shown = entry
    return (
        fnmatch.fnmatchcase(d.op, op_glob)
        and fnmatch.fnmatchcase(d.path, path_glob)
        and all(text in d.wiremock for text in shown)
    )


def explain(d: Difference) -> str | None:
    for entry in EXPECTED:
        if _applies(entry, d):
            return entry[2]
    return None


def as_wiremock_has_it(data: Json) -> Json:
    """The sequence stub as WireMock got it (its first response), so that lists of stubs
    compare element by element; WireMock refuses ``responses`` (a mockbdd extension)."""
    if isinstance(data, list):
        return [as_wiremock_has_it(x) for x in data]
    if not isinstance(data, dict):
        return data
    out = {k: as_wiremock_has_it(v) for k, v in data.items()}
    if out.get("id") == S_SEQ and isinstance(out.get("responses"), list):
        out["response"] = out.pop("responses")[0]
    return out


def run(wm: Server, mb: Server, only: str, verbose: bool, dump: Path | None) -> list[Difference]:
    wctx: Context = {}
    mctx: Context = {}
    found: list[Difference] = []
    for n, op in enumerate(operations()):
        try:
            w = call(wm, op, wctx)
            m = call(mb, op, mctx)
        except KeyError as exc:
            found.append(Difference(op.name, "(setup)", f"no id captured: {exc}", ""))
            continue
        if verbose:
            print(f"{op.name}: WireMock {w.status}{_peek(w)}, mockbdd {m.status}{_peek(m)}")
        if dump is not None:
            both = {"op": op.name, "wiremock": _raw(w), "mockbdd": _raw(m)}
            (dump / f"{n:03d}.json").write_text(json.dumps(both, indent=2))
        if only and only not in op.name:
            continue
        for path, wv, mv in diff_answers(w, m, op.admin):
            d = Difference(op.name, path, wv, mv)
            found.append(Difference(op.name, path, wv, mv, explain(d)))
    return found


def _raw(a: Answer) -> Json:
    return {"status": a.status, "body": a.data if a.kind == "json" else a.text}


def grouped(rows: list[Difference]) -> list[tuple[Difference, int]]:
    """One row per difference seen in several operations or list elements (first example)."""
    groups: dict[tuple[str | None, str, str, str], list[Difference]] = {}
    for d in rows:
        key = (d.reason, re.sub(r"\[\d+\]", "[*]", d.path), _kind(d.wiremock), _kind(d.mockbdd))
        groups.setdefault(key, []).append(d)
    return [(ds[0], len({d.op for d in ds})) for ds in groups.values()]


def _kind(description: str) -> str:
    return description if description.startswith("(") else description.split(" ", 1)[0]


def table(rows: list[Difference], with_reason: bool) -> str:
    head = "| operation | JSON path | WireMock 3.13.2 | mockbdd |" + (
        " why |" if with_reason else ""
    )
    rule = "|---|---|---|---|" + ("---|" if with_reason else "")
    lines = [head, rule]
    for d, ops in grouped(rows):
        op = d.op + (f" (+{ops - 1} more)" if ops > 1 else "")
        line = f"| {cell(op)} | {cell(d.path)} | {cell(d.wiremock)} | {cell(d.mockbdd)} |"
        if with_reason:
            line += f" {cell(d.reason or '')} |"
        lines.append(line)
    return "\n".join(lines)


def main() -> int:
    parser = arguments(__doc__, "operations")
    parser.add_argument("--dump", type=Path, help="write both raw answers of each operation here")
    args = parser.parse_args()

    if args.dump is not None:
        args.dump.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        with both_servers() as (wm_url, mb_url):
            wm, mb = Server("WireMock", wm_url), Server("mockbdd", mb_url)
            diffs = run(wm, mb, args.only, args.verbose, args.dump)
    except JarMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started

    unexplained = [d for d in diffs if d.reason is None]
    expected = [d for d in diffs if d.reason is not None]
    report(
        table(unexplained, with_reason=False) if unexplained else None,
        table(expected, with_reason=True) if expected and args.show_expected else None,
    )
    if not args.only:
        for entry in EXPECTED:
            if not any(_applies(entry, d) for d in expected):
                print(f"note: EXPECTED entry matched nothing: {entry[0]} | {entry[1]}")
    print(
        f"{len(operations())} operations in {elapsed:.1f} s: {len(unexplained)} unexplained, "
        f"{len(expected)} expected differences (rows above group repeats)"
    )
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
