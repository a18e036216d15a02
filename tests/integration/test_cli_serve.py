"""``mockbdd serve`` as a user runs it: mapping files, env settings, bad files, clean Ctrl-C."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(
    *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockbdd", "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/__admin/health", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()
                time.sleep(0.05)
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)


def write_mappings(folder: Path) -> None:
    folder.mkdir()
    (folder / "users.json").write_text(
        json.dumps(
            {
                "request": {"method": "GET", "url": "/api/users/1"},
                "response": {"jsonBody": {"id": 1}},
            }
        )
    )
    (folder / "more.yaml").write_text(
        "mappings:\n"
        "  - request: {method: GET, urlPath: /yaml}\n"
        "    response: {status: 200, body: from yaml}\n"
    )


def test_serves_mapping_files_and_reset_restores_them(tmp_path: Path) -> None:
    write_mappings(tmp_path / "mappings")
    with serving("--mappings", str(tmp_path / "mappings")) as (_, url):
        assert httpx.get(f"{url}/api/users/1").json() == {"id": 1}
        assert httpx.get(f"{url}/yaml").text == "from yaml"
        httpx.delete(f"{url}/__admin/mappings")
        assert httpx.get(f"{url}/yaml").status_code == 404
        httpx.post(f"{url}/__admin/reset")
        assert httpx.get(f"{url}/yaml").text == "from yaml"
        httpx.delete(f"{url}/__admin/mappings")
        httpx.post(f"{url}/__admin/mappings/reset")
        assert httpx.get(f"{url}/api/users/1").status_code == 200


def test_ctrl_c_shuts_down_cleanly(tmp_path: Path) -> None:
    with serving() as (proc, _):
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "stopped" in out
    assert "Traceback" not in err


BURST = 600  # connections at once: past aiohttp's default backlog of 128


def test_a_burst_of_connections_waits_in_the_accept_queue_not_on_the_floor() -> None:
    """A load test opening hundreds of connections at once while the server is busy (here:
    stopped) finds them queued by the kernel, all answered once it runs again; with a
    backlog of 128 the rest of the SYNs were dropped and each client retried after 1 s."""
    with serving() as (proc, url):
        port = int(url.rsplit(":", 1)[1])
        proc.send_signal(signal.SIGSTOP)
        socks: list[socket.socket] = []
        try:
            for _ in range(BURST):
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", port))
                socks.append(s)
            pending = set(socks)
            deadline = time.monotonic() + 5
            while pending and time.monotonic() < deadline:  # handshakes the kernel completes
                _, ready, _ = select.select([], list(pending)[:500], [], 0.2)
                pending.difference_update(ready)
            connected = [s for s in socks if s not in pending]
            assert len(connected) == BURST, f"{BURST - len(connected)} SYNs dropped"
            proc.send_signal(signal.SIGCONT)
            for s in connected:
                s.setblocking(True)
                s.settimeout(20)
                s.sendall(b"GET /__admin/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            for s in connected:
                assert s.recv(12) == b"HTTP/1.1 200"
        finally:
            proc.send_signal(signal.SIGCONT)
            for s in socks:
                s.close()


def test_settings_from_environment(tmp_path: Path) -> None:
    with serving(env={"MOCKBDD_ADMIN_TOKEN": "t0k"}) as (_, url):
        assert httpx.get(f"{url}/__admin/mappings").status_code == 401
        assert (
            httpx.get(
                f"{url}/__admin/mappings", headers={"Authorization": "Bearer t0k"}
            ).status_code
            == 200
        )


def test_journal_caps_from_flags() -> None:
    with serving("--journal-max", "3", "--journal-max-bytes", "500") as (_, url):
        for i in range(2):
            httpx.post(f"{url}/big/{i}", content=b"x" * 300)  # 600 bytes: the first goes
        assert httpx.get(f"{url}/__admin/requests").json()["meta"]["total"] == 1
        for i in range(4):
            httpx.get(f"{url}/small/{i}")  # 5 entries: the entry cap of 3 evicts two more
        listing = httpx.get(f"{url}/__admin/requests").json()
        assert [r["request"]["url"] for r in listing["requests"]] == [
            "/small/3",
            "/small/2",
            "/small/1",
        ]
        assert listing["journalEvicted"] == 3


def run_serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockbdd", "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_broken_mapping_file_stops_serve_with_file_field_reason(tmp_path: Path) -> None:
    folder = tmp_path / "mappings"
    folder.mkdir()
    (folder / "bad.json").write_text(
        json.dumps({"request": {"url": "/x"}, "response": {"status": 999}})
    )
    result = run_serve("--mappings", str(folder))
    assert result.returncode == 2
    assert f"{folder / 'bad.json'}: /response/status:" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_json_file_names_line(tmp_path: Path) -> None:
    folder = tmp_path / "mappings"
    folder.mkdir()
    (folder / "broken.json").write_text('{\n  "request": {\n  oops\n}')
    result = run_serve("--mappings", str(folder))
    assert result.returncode == 2
    assert "broken.json: line 3: invalid JSON" in result.stderr


def test_public_bind_without_token_is_refused() -> None:
    result = run_serve("--host", "0.0.0.0")
    assert result.returncode == 2
    assert "refusing to bind 0.0.0.0" in result.stderr
    assert "--admin-token" in result.stderr


def test_a_bad_flag_value_is_named_and_nothing_starts() -> None:
    result = run_serve("--journal-max", "-1", "--port", "70000")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "mockbdd serve: --port: must be at most 65535, got '70000'; "
        "--journal-max: must be at least 0, got '-1'"
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("--port", "abc"), {}, "--port: must be a whole number, got 'abc'"),
        (("--seed", "x"), {}, "--seed: must be a whole number, got 'x'"),
        (
            ("--statsd", "nope"),
            {},
            "--statsd: must be HOST:PORT with a port in 1..65535, e.g. 127.0.0.1:8125",
        ),
        ((), {"MOCKBDD_METRICS": "maybe"}, "MOCKBDD_METRICS: must be true or false, got 'maybe'"),
    ],
)
def test_a_bad_setting_is_told_in_mockbdds_words(
    args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockbdd", "serve", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, **env},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"mockbdd serve: {message}"
    assert "Input should be" not in result.stderr
    assert result.stdout == ""


def test_a_bad_environment_value_names_the_variable() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockbdd", "serve"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "MOCKBDD_JOURNAL_MAX": "lots"},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "mockbdd serve: MOCKBDD_JOURNAL_MAX: must be a whole number, got 'lots'"
    )
    assert "Traceback" not in result.stderr


def test_an_unknown_flag_is_refused() -> None:
    result = run_serve("--jounral-max", "5")
    assert result.returncode == 2
    assert "unrecognized arguments: --jounral-max 5" in result.stderr


LAZY = (
    "pydantic_settings",
    "mockbdd.admin.verify_tasks",
    "mockbdd.admin.tag_map_tasks",
    "mockbdd.admin.namespace_tasks",
    "mockbdd.domain.patterns_json",
    "mockbdd.domain.patterns_datetime",
    "mockbdd.crud.transformer",
    "mockbdd.llm.openai",
    "prometheus_client",  # built at the first scrape
    # the template engines and what they bring: imported when a stub first names them
    "mockbdd.templating.handlebars",
    "mockbdd.templating.wiremock_helpers",
    "mockbdd.templating.jinja",
    "mockbdd.templating.schema_data",
    "jinja2",
    "faker",
)
NEVER = ("pybars",)  # mockbdd's Handlebars is its own (templating/handlebars.py)

IDLE_THEN_USED = """
import asyncio, json, sys
import httpx
from mockbdd.config import ServerConfig
from mockbdd.server.embedded import new_event_loop
from mockbdd.server.runner import MockHttpServer

LAZY, NEVER = %r
server = MockHttpServer(ServerConfig.from_environment(port=0))

def loaded():
    return [name for name in LAZY + NEVER if name in sys.modules]

async def main():
    await server.start()
    url = server.origin()
    async with httpx.AsyncClient(base_url=url) as http:
        await http.post("/__admin/mappings", json={"request": {"url": "/a"}, "response": {}})
        assert (await http.get("/a")).status_code == 200
        idle = loaded()
        stubs = [
            {"request": {"url": "/j", "bodyPatterns": [{"equalToJson": {"a": 1}}]}, "response": {}},
            {"request": {"url": "/d", "headers": {"D": {"before": "now"}}}, "response": {}},
            {"request": {"urlPathPattern": "/users.*"}, "response": {"transformers": ["crud"], "transformerParameters": {"collection": "users"}}},
            {"request": {"url": "/v1/models"}, "response": {"transformers": ["openai-models"]}},
            {"request": {"urlPath": "/hb"}, "response": {"body": "{{request.query.q}}", "transformers": ["response-template"]}},
            {"request": {"urlPath": "/jj"}, "response": {"body": "{{ faker.name() | length > 0 }}", "transformers": ["jinja"]}},
            {"request": {"urlPath": "/gen"}, "response": {"jsonBodyFromSchema": {"type": "integer"}}},
        ]
        for stub in stubs:
            created = await http.post("/__admin/mappings", json=stub)
            assert created.status_code == 201, created.text
        answers = [
            (await http.post("/j", json={"a": 1})).status_code,
            (await http.get("/d", headers={"D": "2001-01-01T00:00:00Z"})).status_code,
            (await http.get("/users")).status_code,
            (await http.get("/v1/models")).status_code,
            (await http.get("/hb?q=ok")).text,
            (await http.get("/jj")).text,
            (await http.get("/gen")).status_code,
            (await http.post("/__admin/requests/verify", json={"pattern": {"url": "/a"}})).json()["holds"],
            (await http.get("/__admin/tag-maps")).status_code,
            (await http.get("/__admin/namespaces")).status_code,
            (await http.get("/__admin/metrics")).status_code,
        ]
    await server.stop()
    print(json.dumps({"idle": idle, "answers": answers, "used": loaded()}))

loop = new_event_loop()
loop.run_until_complete(main())
"""


def test_an_idle_server_loads_what_it_serves_and_the_rest_on_first_use(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("MOCKBDD_")}
    done = subprocess.run(
        [sys.executable, "-c", IDLE_THEN_USED % ((LAZY, NEVER),)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["idle"] == []  # no env, no .env: not even pydantic-settings
    # 422: no tag-map folder
    assert report["answers"] == [200, 200, 200, 200, "ok", "True", 200, True, 422, 200, 200]
    assert set(report["used"]) == set(LAZY) - {"pydantic_settings"}


def test_a_dotenv_file_is_still_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MOCKBDD_JOURNAL_MAX=3\n")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("MOCKBDD_")}
    code = "from mockbdd.config import ServerConfig; print(ServerConfig.from_environment().journal_max)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
        check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "3"


WIRE_AND_ADMIN = (
    "mockbdd.wire.models",
    "mockbdd.wire.mappings",
    "mockbdd.wire.patterns",  # with them (the content operators: at the first pattern)
    "mockbdd.wire.journal",  # with the journal tasks, or the first event encoded
    "mockbdd.admin.types",  # with the route table
    "mockbdd.admin.spec",  # with the route table
    "mockbdd.admin.routes",
    "mockbdd.sim.timeline",  # with the settings tasks, or the first namespace with a timeline
)
UNTIL_USED = (
    "mockbdd.domain.websockets",  # the first webSocket stub decoded
    "statistics",  # the first delay summary, or the first normal or percentiles delay
    "mockbdd.server.deadline",  # the first delay
    "mockbdd.wire.delays",  # the first delay decoded: the delay types' models
    "mockbdd.sim.distributions",  # with them: the samplers beyond WireMock's three
    "mockbdd.wire.operators",  # the first content pattern decoded (bodyPatterns, headers)
    "mockbdd.server.pressure",  # the first pressure or reset call
    "mockbdd.server.websockets",  # the first webSocket session (or look at their messages)
    "mockbdd.templating.file_routes",  # the first stub of a tag map's templates: folder
    "mockbdd.server.tracing",  # only with --otel
    "mockbdd.server.statsd",  # only with --statsd
    "orjson",  # the first event encoded (a listener)
    "mockbdd.admin.event_encoding",  # with it
    "difflib",  # the first close name suggested (a mistake)
    "mockbdd.webhooks.webhook",  # the first stub with a webhook
    "mockbdd.domain.collections",  # the first CRUD collection
    "mockbdd.sim.token_bucket",  # the first rate limit
    "mockbdd.sim.degradation",  # the first degraded request
    "mockbdd.server.websocket_player",  # the first webSocket session
    "mockbdd.server.plugin_sockets",
)
UNCONFIGURED_THEN_ADMIN = """
import asyncio, json, sys
import httpx
from mockbdd.config import ServerConfig
from mockbdd.server.embedded import new_event_loop
from mockbdd.server.runner import MockHttpServer

HEAVY = %r
server = MockHttpServer(ServerConfig.from_environment(port=0))

def loaded():
    return [name for name in HEAVY if name in sys.modules]

async def main():
    await server.start()
    async with httpx.AsyncClient(base_url=server.origin()) as http:
        unmatched = (await http.get("/nothing")).status_code
        started = loaded()
        created = await http.post("/__admin/mappings", json={"request": {"url": "/a"}, "response": {}})
        answers = [unmatched, created.status_code, (await http.get("/a")).status_code]
    await server.stop()
    print(json.dumps({"started": started, "answers": answers, "after": loaded()}))

loop = new_event_loop()
loop.run_until_complete(main())
"""


def test_a_server_without_mappings_loads_the_wire_codecs_at_the_first_admin_request(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("MOCKBDD_")}
    done = subprocess.run(
        [sys.executable, "-c", UNCONFIGURED_THEN_ADMIN % (WIRE_AND_ADMIN + UNTIL_USED,)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["started"] == []  # started, and an unmatched request answered: none loaded
    assert report["answers"] == [404, 201, 200]
    assert report["after"] == list(WIRE_AND_ADMIN)  # no delay was served
