"""Differential test of recording: the same recording sessions through real WireMock and mockbdd.

    .venv/bin/python bench/wiremock_diff_recording.py [--only SUBSTRING] [--verbose]
        [--show-expected] [--write-golden]
    make wiremock-diff-recording

Needs Java and the WireMock standalone jar: ``make`` installs it (``make wiremock-jar``, from
the ``wiremock`` npm package) and passes it as ``WIREMOCK_JAR``. A tiny aiohttp upstream (:class:`Upstream`) runs in this
process; WireMock and ``mockbdd serve`` each get a ``--root-dir`` of their own. Every case of
:func:`cases` runs on each server in turn: its mapping folders emptied and the server reset,
``POST /__admin/recordings/start`` with the case's ``RecordSpec`` (or, for a snapshot case, a
``proxyBaseUrl`` stub and ``POST /__admin/recordings/snapshot``), the same traffic, then
``/recordings/stop``. What is compared, after :func:`normalised` (ids, uuids and dates):

- the answer of stop or snapshot (status, and the mappings it returns, in order);
- the files ``persist`` wrote (``mappings/*.json`` and extracted bodies under ``__files``);
- load-back: each returned mapping as ``GET /__admin/mappings/{id}`` shows it (unchanged?),
  then after ``POST /__admin/reset`` (persisted files load back) or a re-import (not
  persisted), the traffic replayed against the recorded stubs alone (status and body).

``--write-golden`` stores WireMock's side in ``tests/data/wiremock_3_13_2/recordings.json``:
``tests/integration/test_wiremock_recording_diff.py`` compares mockbdd with it on every test
run, with no Java. Known, deliberate differences (``EXPECTED``) are listed apart; exits 1 when
an unexplained difference remains.
"""

from __future__ import annotations

import asyncio
import base64
import fnmatch
import gzip
import hashlib
import json
import re
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "wiremock_3_13_2" / "recordings.json"
Json = Any

# -- the upstream ------------------------------------------------------------------------------

BIG_TEXT = "".join(f"line {i:04d} of a long text body\n" for i in range(80))  # ~2.5 kB
PNG = bytes(range(256)) * 6  # binary, 1536 bytes
XML = "<order><item>7</item><qty>2</qty></order>"
UPSTREAM_HEADERS = {"Server": "upstream"}  # not aiohttp's, which names the Python version


T = TypeVar("T", bound="AppThread")


class AppThread:
    """An aiohttp app (``app()``) on a free 127.0.0.1 port, in a thread of its own: ``url``."""

    def __init__(self) -> None:
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    def app(self) -> web.Application:
        raise NotImplementedError

    def __enter__(self: T) -> T:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._runner = web.AppRunner(self.app(), access_log=None)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            server = site._server
            assert server is not None
            port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
            self.url = f"http://127.0.0.1:{port}"
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name=type(self).__name__, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise TimeoutError(f"{type(self).__name__} did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


class Upstream(AppThread):
    """The recorded service. ``reset`` restarts its counters (each server records the same
    answers)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: dict[str, int] = {}

    def reset(self) -> None:
        self.calls.clear()

    def _count(self, name: str) -> int:
        self.calls[name] = self.calls.get(name, 0) + 1
        return self.calls[name]

    def app(self) -> web.Application:
        h = UPSTREAM_HEADERS

        async def things(request: web.Request) -> web.Response:
            ident = request.match_info["id"]
            return web.json_response({"id": int(ident)}, headers={**h, "X-Up": "yes"})

        async def orders(request: web.Request) -> web.Response:
            await request.read()
            return web.Response(status=201, text="created", headers={**h, "Location": "/o/1"})

        async def counter(request: web.Request) -> web.Response:
            n = self._count("counter")
            return web.Response(text=f"call {n}", headers=h)

        async def big(request: web.Request) -> web.Response:
            return web.Response(text=BIG_TEXT, headers=h)

        async def image(request: web.Request) -> web.Response:
            return web.Response(body=PNG, content_type="image/png", headers=h)

        async def xml(request: web.Request) -> web.Response:
            await request.read()
            return web.Response(text=XML, content_type="application/xml", headers=h)

        async def zipped(request: web.Request) -> web.Response:
            headers = {**h, "Content-Encoding": "gzip", "Content-Type": "text/plain"}
            return web.Response(body=gzip.compress(b"unzipped text", mtime=0), headers=headers)

        async def multi(request: web.Request) -> web.Response:
            response = web.Response(text="multi", headers=h)
            response.headers.add("X-Multi", "a")
            response.headers.add("X-Multi", "b")
            return response

        async def search(request: web.Request) -> web.Response:
            return web.json_response({"q": request.query.get("q", "")}, headers=h)

        async def missing(request: web.Request) -> web.Response:
            return web.Response(status=404, text="no such thing", headers=h)

        async def empty(request: web.Request) -> web.Response:
            return web.Response(status=204, headers=h)

        async def redirect(request: web.Request) -> web.Response:
            return web.Response(status=302, headers={**h, "Location": "/things/1"})

        async def error(request: web.Request) -> web.Response:
            return web.json_response({"error": "boom"}, status=500, headers=h)

        async def cookies(request: web.Request) -> web.Response:
            response = web.Response(text="cookies", headers=h)
            response.headers.add("Set-Cookie", "a=1; Path=/")
            response.headers.add("Set-Cookie", "b=2; HttpOnly")
            return response

        async def anything(request: web.Request) -> web.Response:
            return web.Response(text="any", headers=h)

        async def untyped(request: web.Request) -> web.Response:
            response = web.Response(body=b"no type", headers=h)
            response.content_type = ""
            return response

        app = web.Application()
        app.router.add_get("/things/{id}", things)
        app.router.add_post("/orders", orders)
        app.router.add_put("/orders", xml)
        app.router.add_get("/counter", counter)
        app.router.add_get("/big", big)
        app.router.add_get("/image.png", image)
        app.router.add_get("/xml", xml)
        app.router.add_get("/zipped", zipped)
        app.router.add_get("/multi", multi)
        app.router.add_get("/search", search)
        app.router.add_get("/missing", missing)
        app.router.add_delete("/things/{id}", empty)
        app.router.add_get("/untyped", untyped)
        app.router.add_get("/redirect", redirect)
        app.router.add_get("/error", error)
        app.router.add_get("/cookies", cookies)
        app.router.add_route("*", "/names/{tail:.*}", anything)
        app.router.add_get("/", anything)
        return app


# -- the cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None


JSON_TYPE = (("Content-Type", "application/json"),)
BASIC: tuple[Req, ...] = (
    Req("GET", "/things/1"),
    Req("POST", "/orders", JSON_TYPE, b'{"item": 7, "tags": ["a", "b"]}'),
    Req("GET", "/counter"),
    Req("GET", "/counter"),
    Req("GET", "/counter"),
    Req("GET", "/search?q=shoes&page=2"),
    Req("GET", "/missing"),
    Req("DELETE", "/things/9"),
)


@dataclass(frozen=True)
class RCase:
    """A recording session: ``spec`` is the RecordSpec (``targetBaseUrl`` added for a recording),
    ``traffic`` what the client sends through the server meanwhile. ``snapshot``: no recording;
    a proxy stub answers the traffic and ``/recordings/snapshot`` takes ``spec``."""

    name: str
    spec: Mapping[str, Json] = field(default_factory=dict)
    traffic: tuple[Req, ...] = BASIC
    snapshot: bool = False
    non_proxied: bool = False  # a snapshot case: one plain stub answers /plain too


def cases() -> list[RCase]:
    tenant = (("X-Tenant", "Acme"), ("Accept", "application/json"))
    return [
        RCase("defaults"),
        RCase("no-persist", {"persist": False}),
        RCase("repeats-dropped", {"repeatsAsScenarios": False, "persist": False}),
        RCase(
            "capture-headers",
            {"captureHeaders": {"X-Tenant": {"caseInsensitive": True}, "Accept": {}}},
            (Req("GET", "/things/1", tenant), Req("GET", "/things/2", (("Accept", "*/*"),))),
        ),
        RCase(
            "filters",
            {"filters": {"method": "GET", "urlPathPattern": "/things/.*"}, "persist": False},
        ),
        RCase(
            "body-equalTo",
            {"requestBodyPattern": {"matcher": "equalTo", "caseInsensitive": True}},
            (Req("POST", "/orders", JSON_TYPE, b'{"item": 7}'),),
        ),
        RCase(
            "body-equalToJson-strict",
            {
                "requestBodyPattern": {
                    "matcher": "equalToJson",
                    "ignoreArrayOrder": False,
                    "ignoreExtraElements": False,
                }
            },
            (Req("POST", "/orders", (("Content-Type", "text/plain"),), b'{"item": 7}'),),
        ),
        RCase(
            "body-auto",
            {"requestBodyPattern": {"matcher": "auto"}, "persist": False},
            (
                Req("POST", "/orders", JSON_TYPE, b'{"item": 7}'),
                Req("PUT", "/orders", (("Content-Type", "application/xml"),), XML.encode()),
                Req("POST", "/orders", (("Content-Type", "text/plain"),), b"seven please"),
                Req("POST", "/orders", (("Content-Type", "text/xml"),), XML.encode()),
            ),
        ),
        RCase(
            "extract-bodies",
            {"extractBodyCriteria": {"textSizeThreshold": "1 kb", "binarySizeThreshold": 1000}},
            (
                Req("GET", "/big"),
                Req("GET", "/image.png"),
                Req("GET", "/things/1"),
                Req("GET", "/xml"),
            ),
        ),
        RCase(
            "names",
            {"persist": False},
            tuple(
                Req("GET", path)
                for path in (
                    "/names/Mixed/Case",
                    "/names/with%20space/caf%C3%A9",
                    "/names/dots.and-dashes_under/file.tar.gz",
                    "/names/trailing/",
                    "/names/a(b)c!d~e*f'g",
                    "/names/" + "long" * 60,
                    "/names/q?x=1&x=2&y=&z",
                    "/names/enc?q=a%20b&r=%2F",
                    "/",
                    "/?only=query",
                )
            ),
        ),
        RCase(
            "repeated-groups",
            {"persist": False},
            (
                Req("GET", "/counter"),
                Req("GET", "/things/1"),
                Req("GET", "/counter"),
                Req("GET", "/things/1"),
                Req("GET", "/things/2"),
            ),
        ),
        RCase(
            "repeated-groups-dropped",
            {"persist": False, "repeatsAsScenarios": False},
            (
                Req("GET", "/counter"),
                Req("GET", "/things/1"),
                Req("GET", "/counter"),
                Req("GET", "/things/1"),
            ),
        ),
        RCase(
            "transformers-unknown",
            {"transformers": ["no-such-transformer"], "persist": False},
            (Req("GET", "/things/1"),),
        ),
        RCase("untyped-body", {"persist": False}, (Req("GET", "/untyped"),)),
        RCase(
            "extract-by-url",
            {"extractBodyCriteria": {"textSizeThreshold": 0, "binarySizeThreshold": 0}},
            (Req("GET", "/untyped"), Req("GET", "/names/x.csv"), Req("GET", "/missing")),
        ),
        RCase(
            "json-body-not-json",
            {"persist": False},
            (Req("POST", "/orders", JSON_TYPE, b"not json"),),
        ),
        RCase(
            "extract-no-persist",
            {"extractBodyCriteria": {"textSizeThreshold": "10"}, "persist": False},
            (Req("GET", "/big"), Req("GET", "/image.png")),
        ),
        RCase(
            "statuses-and-methods",
            {"persist": False},
            (
                Req("GET", "/redirect"),
                Req("GET", "/error"),
                Req("GET", "/cookies"),
                Req("PATCH", "/names/p", (("Content-Type", "text/plain"),), b"patch me"),
                Req("OPTIONS", "/names/o"),
                Req("HEAD", "/things/1"),
                Req(
                    "PUT",
                    "/names/form",
                    (("Content-Type", "application/x-www-form-urlencoded"),),
                    b"a=1&b=two",
                ),
                Req("POST", "/orders", JSON_TYPE, '{"name": "Zoë", "n": [3, 1, 2]}'.encode()),
            ),
        ),
        RCase(
            "stop-ids",
            {"outputFormat": "IDS", "persist": False},
            (Req("GET", "/things/1"), Req("GET", "/counter"), Req("GET", "/counter")),
        ),
        RCase(
            "filters-header-and-body",
            {
                "filters": {
                    "headers": {"X-Rec": {"equalTo": "yes"}},
                    "bodyPatterns": [{"contains": "keep"}],
                },
                "persist": False,
            },
            (
                Req("POST", "/orders", (("X-Rec", "yes"),), b"keep this"),
                Req("POST", "/orders", (("X-Rec", "no"),), b"keep that"),
                Req("POST", "/orders", (("X-Rec", "yes"),), b"drop it"),
            ),
        ),
        RCase("binary-inline", {"persist": False}, (Req("GET", "/image.png"),)),
        RCase(
            "encodings-and-headers",
            {"persist": False},
            (Req("GET", "/zipped"), Req("GET", "/multi"), Req("GET", "/xml")),
        ),
        RCase(
            "transformers",
            {
                "transformers": ["response-template"],
                "transformerParameters": {"greeting": "hi"},
                "persist": False,
            },
            (Req("GET", "/things/1"),),
        ),
        RCase(
            "snapshot",
            {"persist": False},
            snapshot=True,
        ),
        RCase(
            "snapshot-filtered-ids",
            {
                "filters": {"urlPathPattern": "/counter"},
                "outputFormat": "IDS",
                "repeatsAsScenarios": True,
                "persist": False,
            },
            snapshot=True,
        ),
        RCase(
            "snapshot-allow-non-proxied",
            {"filters": {"allowNonProxied": True}, "persist": False},
            (Req("GET", "/plain"), Req("GET", "/things/1")),
            snapshot=True,
            non_proxied=True,
        ),
    ]


# -- one session on one server -----------------------------------------------------------------

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PLAIN_STUB = {
    "priority": 1,
    "request": {"method": "GET", "url": "/plain"},
    "response": {"status": 200, "body": "plain"},
}


def _clear(root: Path) -> None:
    for sub in ("mappings", "__files"):
        folder = root / sub
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)


def _send(http: httpx.Client, req: Req) -> Json:
    r = http.request(req.method, req.path, headers=list(req.headers), content=req.body)
    if r.status_code == 404 and "Request was not matched" in r.text:
        return [404, "(not matched)"]  # each server's own report
    return [r.status_code, _text(r.content)]


def _identity(mapping: Json) -> str:
    """A sort key of a listed mapping that does not depend on its ids."""
    request, response = mapping.get("request", {}), mapping.get("response", {})
    bodies = [next(iter(p.values()), "") for p in request.get("bodyPatterns", [])]
    return json.dumps(
        [
            mapping.get("name"),
            request.get("method"),
            request.get("url") or request.get("urlPath"),
            bodies,
            mapping.get("requiredScenarioState"),
            response.get("status"),
        ]
    )


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(body).decode()


def session(base: str, root: Path, upstream: Upstream, case: RCase) -> Json:
    """Run ``case`` on the server at ``base`` (whose ``--root-dir`` is ``root``); what it
    answered and wrote, normalised."""
    out: dict[str, Json] = {}
    with httpx.Client(base_url=base, timeout=10) as http:
        _clear(root)
        http.delete("/__admin/mappings").raise_for_status()
        # what a reset restores: nothing (mockbdd restores the stubs a save or a persisted
        # recording kept; WireMock re-reads the folder just emptied)
        http.post("/__admin/mappings/save")
        _clear(root)
        http.post("/__admin/reset").raise_for_status()
        http.post("/__admin/requests/reset")
        upstream.reset()
        if case.snapshot:
            proxy = {"request": {"urlPattern": ".*"}, "response": {"proxyBaseUrl": upstream.url}}
            http.post("/__admin/mappings", json={**proxy, "persistent": False}).raise_for_status()
            if case.non_proxied:
                http.post("/__admin/mappings", json=PLAIN_STUB).raise_for_status()
        else:
            started = http.post(
                "/__admin/recordings/start", json={"targetBaseUrl": upstream.url, **case.spec}
            )
            out["start"] = [started.status_code, _maybe_json(started)]
        out["traffic"] = [_send(http, req) for req in case.traffic]
        if case.snapshot:
            answer = http.post("/__admin/recordings/snapshot", json=dict(case.spec))
        else:
            answer = http.post("/__admin/recordings/stop")
        body = _maybe_json(answer)
        out["answer"] = [answer.status_code, normalised(body)]
        mappings = body.get("mappings", []) if isinstance(body, dict) else []
        ids = body.get("ids", []) if isinstance(body, dict) else []
        out["files"] = _files(root)
        # load-back: as the server shows each mapping, then the traffic against them alone
        shown = []
        for ident in [m.get("id") for m in mappings] + ids:
            got = http.get(f"/__admin/mappings/{ident}")
            shown.append([got.status_code, normalised(_maybe_json(got))])
        out["shown"] = shown
        out["unchanged"] = [
            got[1] == normalised(m) for got, m in zip(shown, mappings, strict=False)
        ]
        http.delete("/__admin/mappings").raise_for_status()
        if case.spec.get("persist", True) and mappings:
            _restore(root, out["files"])  # DELETE removed the persisted files WireMock wrote
            http.post("/__admin/reset").raise_for_status()  # load them back from the files
        elif mappings:
            imported = http.post("/__admin/mappings/import", json={"mappings": mappings})
            imported.raise_for_status()
        upstream.reset()
        loaded = http.get("/__admin/mappings").json()["mappings"]
        out["loaded"] = sorted((normalised(m) for m in loaded), key=_identity)
        out["replay"] = [_send(http, req) for req in case.traffic] if mappings else []
    return out


def load_back(base: str, mappings: list[Json]) -> list[str]:
    """Post each recorded mapping (normalised: fresh ids for ``<id>``) to the server at ``base``
    and read it back: what was refused or came back changed. Stubs are removed after."""
    problems = []
    with httpx.Client(base_url=base, timeout=10) as http:
        for mapping in mappings:
            ident = str(uuid.uuid4())
            sent = json.loads(json.dumps(mapping).replace("<id>", ident))
            created = http.post("/__admin/mappings", json=sent)
            if created.status_code != 201:
                problems.append(f"{mapping.get('name')}: refused {created.status_code}")
                continue
            got = http.get(f"/__admin/mappings/{ident}").json()
            if normalised(got) != normalised(sent):
                problems.append(f"{mapping.get('name')}: came back as {json.dumps(got)}")
        http.delete("/__admin/mappings")
    return problems


def _maybe_json(r: httpx.Response) -> Json:
    try:
        return r.json()
    except ValueError:
        return r.text


_RAW: dict[str, bytes] = {}  # files as written, by normalised name: restored for load-back


def _files(root: Path) -> Json:
    """What ``persist`` wrote: normalised name -> normalised content."""
    found: dict[str, Json] = {}
    _RAW.clear()
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        data = path.read_bytes()
        _RAW[rel] = data
        if rel.startswith("mappings/"):
            try:
                content: Json = normalised(json.loads(data))
            except ValueError:
                content = _text(data)
        else:
            content = _text(data)
        name = UUID.sub("<uuid>", rel)
        found.setdefault(name, []).append(content)
    return {name: sorted(v, key=json.dumps) for name, v in sorted(found.items())}


def _restore(root: Path, files: Json) -> None:
    for rel, data in _RAW.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


DATE = re.compile(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT")


def normalised(value: Json, own: str | None = None) -> Json:
    """``value`` with each mapping's own id (also inside its ``bodyFileName``) as ``<id>``, other
    uuids as ``<uuid>`` and HTTP dates as ``<date>``."""
    if isinstance(value, dict):
        ident = value.get("id") if isinstance(value.get("id"), str) else own
        if ident is not None and not UUID.fullmatch(ident):
            ident = own
        return {k: normalised(v, ident) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(v, own) for v in value]
    if isinstance(value, str):
        if own is not None:
            value = value.replace(own, "<id>")
        return DATE.sub("<date>", UUID.sub("<uuid>", value))
    return value


# -- comparing ---------------------------------------------------------------------------------


def compare(path: str, w: Json, m: Json, out: list[tuple[str, str, str]]) -> None:
    """Every place where ``w`` (WireMock) and ``m`` (mockbdd) differ: (JSON path, w, m)."""
    if isinstance(w, dict) and isinstance(m, dict):
        for key in list(w) + [k for k in m if k not in w]:
            if key not in m:
                out.append((f"{path}.{key}", show(w[key]), "(absent)"))
            elif key not in w:
                out.append((f"{path}.{key}", "(absent)", show(m[key])))
            else:
                compare(f"{path}.{key}", w[key], m[key], out)
    elif isinstance(w, list) and isinstance(m, list):
        if len(w) != len(m):
            out.append((f"{path}.length", str(len(w)), str(len(m))))
        for i, (a, b) in enumerate(zip(w, m, strict=False)):
            compare(f"{path}[{i}]", a, b, out)
    elif w != m:
        out.append((path, show(w), show(m)))


def show(value: Json) -> str:
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 120 else text[:120] + "…"


# (case glob, JSON path glob) -> why mockbdd differs on purpose
EXPECTED: dict[tuple[str, str], str] = {
    ("*", "$.files.mappings/*.insertionIndex"): (
        "WireMock writes its internal insertion counter into each persisted file; it is no part "
        "of the mapping (WireMock's own GET leaves it out) and mockbdd does not write it"
    ),
    ("json-body-not-json", "*"): (
        "a body sent as application/json that is not JSON: WireMock's stop fails with 422 "
        "'Error parsing JSON' and the whole recording is lost; mockbdd records it as equalTo"
    ),
    ("transformers-unknown", "*"): (
        "WireMock's `transformers` name StubMappingTransformer extensions and it ignores any "
        "other name silently; mockbdd refuses an unknown name at start (422 naming "
        "/transformers/0) rather than record something else than asked"
    ),
    ("transformers", "*.response.transformer*"): (
        "mockbdd has no StubMappingTransformer extensions: it gives the recorded responses the "
        "named response transformers and transformerParameters; WireMock ignores a name that "
        "is not a StubMappingTransformer, response-template included"
    ),
    ("snapshot-allow-non-proxied", "*.response.headers"): (
        "WireMock copies its own Matched-Stub-Id answer header of the non-proxied stub into the "
        "recorded stub, where it would name a stub that does not answer; mockbdd leaves it out"
    ),
}


def explain(case: str, path: str, expected: Mapping[tuple[str, str], str] = EXPECTED) -> str | None:
    for (case_glob, path_glob), reason in expected.items():
        if fnmatch.fnmatchcase(case, case_glob) and fnmatch.fnmatchcase(path, path_glob):
            return reason
    return None


@dataclass(frozen=True)
class Difference:
    case: str
    path: str
    wiremock: str
    mockbdd: str
    reason: str | None


def differences(
    case: str, w: Json, m: Json, expected: Mapping[tuple[str, str], str] = EXPECTED
) -> list[Difference]:
    raw: list[tuple[str, str, str]] = []
    compare("$", w, m, raw)
    return [Difference(case, p, a, b, explain(case, p, expected)) for p, a, b in raw]


def table(rows: list[Difference], with_reason: bool) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", "\\n")

    head = "| case | where | WireMock 3.13.2 | mockbdd |" + (" why |" if with_reason else "")
    lines = [head, "|---|---|---|---|" + ("---|" if with_reason else "")]
    for d in rows:
        line = f"| {d.case} | {cell(d.path)} | {cell(d.wiremock)} | {cell(d.mockbdd)} |"
        lines.append(line + (f" {cell(d.reason or '')} |" if with_reason else ""))
    return "\n".join(lines)


def finish(
    args: Any,
    diffs: list[Difference],
    golden: dict[str, Json],
    ours: dict[str, Json],
    summary: Callable[[list[Difference], list[Difference], float], str],
    started: float,
    *,
    golden_path: Path | None = None,
    expected_reasons: Mapping[tuple[str, str], str] | None = None,
    cases_fingerprint: Callable[[], str] | None = None,
) -> int:
    """The end of a differential run (recording's and webhooks'): ``--dump`` both sides,
    ``--write-golden`` WireMock's answers with the cases' fingerprint, print the unexplained
    (and with ``--show-expected`` the explained) differences, the EXPECTED entries that matched
    nothing, and ``summary``; exit 1 if anything is unexplained."""
    from wiremock_diff import report

    golden_path = GOLDEN if golden_path is None else golden_path
    expected_reasons = EXPECTED if expected_reasons is None else expected_reasons
    cases_fingerprint = fingerprint if cases_fingerprint is None else cases_fingerprint
    elapsed = time.perf_counter() - started
    if args.dump is not None:
        args.dump.mkdir(parents=True, exist_ok=True)
        for side, data in (("wiremock", golden), ("mockbdd", ours)):
            text = json.dumps(data, indent=1, sort_keys=True)
            (args.dump / f"{side}.json").write_text(text + "\n", encoding="utf-8")
    if args.write_golden and not args.only:
        golden_path.parent.mkdir(parents=True, exist_ok=True)
        stored = {"_cases": cases_fingerprint(), **golden}
        text = json.dumps(stored, indent=1, sort_keys=True)
        golden_path.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {golden_path.relative_to(ROOT)}")
    unexplained = [d for d in diffs if d.reason is None]
    expected = [d for d in diffs if d.reason is not None]
    report(
        table(unexplained, with_reason=False) if unexplained else None,
        table(expected, with_reason=True) if expected and args.show_expected else None,
    )
    used = {k for k, why in expected_reasons.items() if any(d.reason == why for d in expected)}
    for key in sorted(set(expected_reasons) - used) if not args.only else []:
        print(f"note: EXPECTED entry matched nothing: {key}")
    print(summary(unexplained, expected, elapsed))
    return 1 if unexplained else 0


# -- running both ------------------------------------------------------------------------------


@contextmanager
def servers(root: Path) -> Iterator[tuple[str, str]]:
    """Real WireMock and ``mockbdd serve``, each with its own ``--root-dir`` under ``root``."""
    import os

    from common import free_port
    from wiremock_diff import DEFAULT_JAR, JarMissing, process

    jar = os.environ.get("WIREMOCK_JAR", DEFAULT_JAR)
    if not Path(jar).is_file():
        raise JarMissing(f"WireMock jar not found: {jar} (set WIREMOCK_JAR)")
    wm_port, mb_port = free_port(), free_port()
    for side in ("wm", "mb"):
        _clear(root / side)
    wm_cmd = ["java", "-jar", jar, "--port", str(wm_port), "--bind-address", "127.0.0.1"]
    wm_cmd += ["--disable-banner", "--root-dir", str(root / "wm")]
    mb_cmd = [sys.executable, "-m", "mockbdd", "serve", "--host", "127.0.0.1"]
    mb_cmd += ["--port", str(mb_port), "--root-dir", str(root / "mb")]
    with (
        process(wm_cmd, f"http://127.0.0.1:{wm_port}/__admin/health") as wm_url,
        process(mb_cmd, f"http://127.0.0.1:{mb_port}/__admin/health", cwd=ROOT) as mb_url,
    ):
        yield wm_url, mb_url


class _Named(Protocol):
    @property
    def name(self) -> str: ...


C = TypeVar("C", bound=_Named)


def run_all(
    wm: Callable[[C], Json],
    mb: Callable[[C], Json],
    chosen: list[C],
    verbose: bool,
    expected: Mapping[tuple[str, str], str] = EXPECTED,
) -> tuple[list[Difference], dict[str, Json], dict[str, Json]]:
    """Each case on both sides (recording's and webhooks'): the differences, WireMock's answers
    (the golden file) and mockbdd's."""
    diffs: list[Difference] = []
    golden: dict[str, Json] = {}
    ours: dict[str, Json] = {}
    for case in chosen:
        w, m = wm(case), mb(case)
        golden[case.name], ours[case.name] = w, m
        if verbose:
            print(f"## {case.name}\nWireMock: {json.dumps(w)}\nmockbdd:  {json.dumps(m)}\n")
        diffs += differences(case.name, w, m, expected)
    return diffs, golden, ours


def fingerprint() -> str:
    """Of the cases' definitions: the golden file says which cases WireMock answered."""
    return hashlib.sha256(repr(cases()).encode()).hexdigest()


def main() -> int:
    import tempfile

    from wiremock_diff import JarMissing, arguments

    parser = arguments(__doc__, "cases")
    parser.add_argument("--write-golden", action="store_true", help=f"write {GOLDEN}")
    parser.add_argument("--dump", type=Path, help="write both sides' JSON into this folder")
    args = parser.parse_args()
    chosen = [c for c in cases() if args.only in c.name]
    started = time.perf_counter()
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            Upstream() as upstream,
            servers(Path(tmp)) as (wm_url, mb_url),
        ):
            diffs, golden, ours = run_all(
                lambda c: session(wm_url, Path(tmp) / "wm", upstream, c),
                lambda c: session(mb_url, Path(tmp) / "mb", upstream, c),
                chosen,
                args.verbose,
            )
            # each server's recordings load back unchanged into the other one too
            for into, url, results in (("WireMock", wm_url, ours), ("mockbdd", mb_url, golden)):
                source = "mockbdd" if into == "WireMock" else "WireMock"
                where = f"{source}'s mapping into {into}"
                for name, data in results.items():
                    status, answer = data["answer"]
                    for problem in load_back(
                        url, answer.get("mappings", []) if status == 200 else []
                    ):
                        shown = ("", problem) if into == "mockbdd" else (problem, "")
                        diffs.append(Difference(name, where, *shown, explain(name, where)))
    except JarMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    return finish(
        args,
        diffs,
        golden,
        ours,
        lambda unexplained, expected, elapsed: (
            f"{len(chosen)} recording cases in {elapsed:.1f} s: {len(unexplained)} unexplained, "
            f"{len(expected)} expected differences"
        ),
        started,
    )


if __name__ == "__main__":
    sys.exit(main())
