"""The sync admin client over real sockets: every method, errors and verification messages."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from mockbdd.admin import spec
from mockbdd.admin.routes import ROUTES, match_route
from mockbdd.client import (
    AdminError,
    Client,
    VerificationError,
    any_method,
    get,
    in_scenario,
    ok,
    post,
)
from mockbdd.server.embedded import MockServer


@pytest.fixture
def client(server: MockServer) -> Iterator[Client]:
    with Client(server.url) as c:
        yield c


def test_stub_crud(client: Client, http: httpx.Client) -> None:
    created = client.create_stub(get("/a").will_return(ok("first")))
    stub_id = created["id"]
    assert client.get_stub(stub_id)["response"]["body"] == "first"
    assert http.get("/a").text == "first"

    updated = client.update_stub(stub_id, get("/a").will_return(ok("second")))
    assert updated["id"] == stub_id
    assert http.get("/a").text == "second"

    client.create_stub({"request": {"urlPath": "/b"}, "response": {"status": 204}})
    assert len(client.list_stubs()) == 2
    assert len(client.list_stubs(limit=1)) == 1
    assert len(client.list_stubs(offset=1)) == 1

    client.delete_stub(stub_id)
    assert [s.request["urlPath"] for s in client.list_stubs()] == ["/b"]
    client.delete_stubs()
    assert client.list_stubs() == []


def test_unknown_stub_is_an_admin_error(client: Client) -> None:
    with pytest.raises(AdminError) as err:
        client.get_stub("no-such-id")
    assert err.value.status == 404
    assert "no-such-id" in str(err.value)


def test_malformed_mapping_names_the_pointer(client: Client) -> None:
    with pytest.raises(AdminError) as err:
        client.create_stub({"request": {"method": "GET", "urlPath": "/x", "bogus": 1}})
    assert err.value.status == 422
    assert err.value.pointer == "/request/bogus"
    assert "/request/bogus" in str(err.value)
    assert "bogus" in err.value.title


def test_import_policies_and_reset_mappings(client: Client) -> None:
    keep = {"id": "00000000-0000-0000-0000-000000000001", **get("/keep").build()}
    client.create_stub(keep)
    client.create_stub(get("/old").build())
    replacement = {**keep, "response": {"status": 201}}
    client.import_stubs([replacement], duplicate_policy="IGNORE")
    assert client.get_stub(keep["id"])["response"]["status"] == 200
    client.import_stubs([replacement], delete_all_not_in_import=True)
    stubs = client.list_stubs()
    assert [(s.id, (s.response or {})["status"]) for s in stubs] == [(keep["id"], 201)]
    with pytest.raises(AdminError) as err:  # no --mappings folder: refused, not pretended
        client.save_stubs()
    assert err.value.status == 409
    client.reset_mappings()
    assert client.list_stubs() == []


def test_metadata_and_unmatched_stubs(client: Client, http: httpx.Client) -> None:
    client.create_stub(get("/pay").with_metadata({"team": "payments"}))
    used = client.create_stub(get("/ship").with_metadata({"team": "shipping"}))
    http.get("/ship")
    team = {"matchesJsonPath": {"expression": "$.team", "equalTo": "payments"}}
    found = client.find_stubs_by_metadata(team)
    assert [s.request["urlPath"] for s in found] == ["/pay"]
    assert [s.request["urlPath"] for s in client.unmatched_stubs()] == ["/pay"]
    client.remove_stubs_by_metadata(team)
    assert [s.id for s in client.list_stubs()] == [used["id"]]


def test_journal_methods(client: Client, http: httpx.Client) -> None:
    stub = client.create_stub(any_method("/a"))
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    http.get("/a")
    http.post("/a", content=b"body")
    http.get("/missing")

    events = client.requests()
    assert [e.request.url for e in events] == ["/missing", "/a", "/a"]  # newest first
    assert len(client.requests(limit=1)) == 1
    assert [e.request.url for e in client.requests(unmatched=True)] == ["/missing"]
    assert len(client.requests(matching_stub=stub["id"])) == 2
    assert len(client.requests(since=before)) == 3
    assert client.requests(since=datetime.now(timezone.utc) + timedelta(hours=1)) == []

    first = events[0]
    assert client.get_request(first.id).request.url == "/missing"
    assert [r.url for r in client.unmatched_requests()] == ["/missing"]

    assert client.count({"method": "ANY", "urlPath": "/a"}) == 2
    assert client.count(get("/a")) == 1
    assert [r.body for r in client.find(post("/a"))] == ["body"]

    client.delete_request(first.id)
    assert client.unmatched_requests() == []
    with pytest.raises(AdminError) as err:
        client.get_request(first.id)
    assert err.value.status == 404

    removed = client.remove_requests(post("/a"))
    assert [e.request.method for e in removed] == ["POST"]
    assert client.count({"method": "ANY"}) == 1
    client.reset_requests()
    assert client.requests() == []


def test_near_misses(client: Client, http: httpx.Client) -> None:
    client.create_stub(get("/orders").will_return(ok()))
    http.get("/orderz")
    unmatched = client.unmatched_near_misses()
    assert unmatched[0].request.url == "/orderz"
    assert unmatched[0].stub.request["urlPath"] == "/orders"

    for_request = client.near_misses_for_request({"method": "GET", "url": "/order"})
    assert for_request[0].stub.request["urlPath"] == "/orders"

    for_pattern = client.near_misses_for_pattern(get("/orders"))
    assert for_pattern[0].request.url == "/orderz"
    assert "/orderz" in for_pattern[0].diff


def test_verify_passes_and_returns_the_count(client: Client, http: httpx.Client) -> None:
    http.get("/v")
    http.get("/v")
    assert client.verify(get("/v"), 2) == 2
    assert client.verify(get("/never"), 0) == 0


def test_verify_failure_shows_counts_and_field_diff(client: Client, http: httpx.Client) -> None:
    http.get("/orders/2")
    with pytest.raises(VerificationError) as err:
        client.verify(get("/orders/1"))
    message = str(err.value)
    assert "Expected 1 request" in message
    assert "but received 0" in message
    assert "/orders/1" in message  # expected URL
    assert "actual: /orders/2" in message  # the URL that was requested
    assert "✗ url" in message
    assert err.value.expected == 1
    assert err.value.actual == 0
    assert err.value.near_misses[0].request.url == "/orders/2"


def test_verify_too_many(client: Client, http: httpx.Client) -> None:
    http.get("/x")
    http.get("/x")
    with pytest.raises(VerificationError, match=r"Expected 1 request .*\nbut received 2"):
        client.verify(get("/x"), 1)


@pytest.mark.timeout(30)  # returns on arrival (after 0.1 s), not on the 60 s timeout
def test_wait_for_returns_when_a_request_arrives_later(server: MockServer, client: Client) -> None:
    def send_later() -> None:
        time.sleep(0.1)
        httpx.get(server.url + "/late")

    sender = threading.Thread(target=send_later)
    sender.start()
    try:
        assert client.wait_for(get("/late"), 1, timeout=60.0) == 1
    finally:
        sender.join()


def test_wait_for_times_out_with_near_misses(client: Client, http: httpx.Client) -> None:
    http.get("/lat")
    with pytest.raises(VerificationError) as err:
        client.wait_for(get("/late"), 1, timeout=0.2)
    message = str(err.value)
    assert "within 0.2 s" in message
    assert "but received 0" in message
    assert "actual: /lat" in message
    assert err.value.timeout == 0.2


def test_scenarios(client: Client, http: httpx.Client) -> None:
    flow = in_scenario("cart").when_scenario_state_is("Started").will_set_state_to("full")
    client.create_stub(post("/cart").in_scenario(flow).will_return(ok("added")))
    client.create_stub(
        get("/cart").in_scenario("cart").when_scenario_state_is("full").will_return(ok("1 item"))
    )
    assert client.scenarios()[0]["state"] == "Started"
    http.post("/cart")
    assert client.scenarios()[0]["state"] == "full"
    assert http.get("/cart").text == "1 item"
    client.reset_scenarios()
    assert client.scenarios()[0]["state"] == "Started"
    client.set_scenario_state("cart", "full")
    assert client.scenarios()[0]["state"] == "full"
    client.set_scenario_state("cart", None)
    assert client.scenarios()[0]["state"] == "Started"
    with pytest.raises(AdminError) as err:
        client.set_scenario_state("nope", "x")
    assert err.value.status == 404


def test_settings_reset_health_version(client: Client, http: httpx.Client) -> None:
    assert client.update_settings(fixed_delay=5) == {"fixedDelay": 5}
    assert client.settings() == {"fixedDelay": 5}
    assert client.update_settings({"fixedDelay": 0}) == {"fixedDelay": 0}
    client.create_stub(get("/r"))
    http.get("/r")
    client.reset()
    assert client.list_stubs() == []
    assert client.requests() == []
    assert client.health()["status"] == "healthy"
    assert client.version() == client.health()["version"]


def test_namespaces_listing(client: Client) -> None:
    handle = client.create_namespace("listed", ttl_seconds=60)
    names = {n["name"]: n for n in client.namespaces()}
    assert names["listed"]["adminUrl"] == handle.admin_url
    assert names["listed"]["expiresAt"] is not None
    assert client.delete_namespace("listed") is True
    assert "listed" not in {n["name"] for n in client.namespaces()}
    with pytest.raises(AdminError) as err:
        client.delete_namespace("listed")
    assert err.value.status == 404
    assert client.delete_namespace("listed", missing_ok=True) is False


def test_duplicate_namespace_is_409(client: Client) -> None:
    with client.create_namespace("twice"):
        with pytest.raises(AdminError) as err:
            client.create_namespace("twice")
        assert err.value.status == 409
        assert "twice" in err.value.title


def test_admin_token() -> None:
    with MockServer(admin_token="s3cret") as server:
        with Client(server.url) as anonymous, pytest.raises(AdminError) as err:
            anonymous.health()
        assert err.value.status == 401
        with Client(server.url, token="s3cret") as c:
            assert c.health()["status"] == "healthy"
            with c.create_namespace() as ns:  # the scoped client carries the token too
                assert ns.admin.list_stubs() == []


def test_base_url_forms(server: MockServer) -> None:
    for given in (server.url, server.url + "/", server.url + "/__admin"):
        with Client(given) as c:
            assert c.admin_url == server.url + "/__admin"
            assert c.base_url == server.url


def _wait_until_down(url: str) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/__admin/health", timeout=1)
        except httpx.TransportError:
            return
        time.sleep(0.02)
    pytest.fail("the server still answers after POST /__admin/shutdown")


def test_every_admin_route_is_reachable_from_the_client(tmp_path: Path) -> None:
    """Fails when a route is added to the table without a client method."""
    seen: set[spec.RouteSpec] = set()

    def record(request: httpx.Request) -> None:
        path = urlsplit(str(request.url)).path.removeprefix("/__admin")
        found = match_route(request.method, path, at_root=True)
        assert found.route is not None, f"{request.method} {path} is not an admin route"
        seen.add(found.route.spec)

    maps = tmp_path / "tag_maps"
    maps.mkdir()
    (maps / "m.yaml").write_text(
        "version: 1\nmaps:\n  up:\n    services:\n      svc:\n"
        "        - request: {path: /up}\n          response: {status: 204}\n"
    )
    (tmp_path / "mappings").mkdir()
    server = MockServer(tag_maps=maps, mappings=tmp_path / "mappings").start()
    with httpx.Client(event_hooks={"request": [record]}) as http:
        c = Client(server.url, http=http)
        stub = c.create_stub(get("/a").with_metadata({"k": 1}).in_scenario("s"))
        c.get_stub(stub["id"])
        c.update_stub(stub["id"], get("/a").in_scenario("s"))
        c.list_stubs()
        c.import_stubs([stub])
        c.save_stubs()
        c.find_stubs_by_metadata({"matchesJsonPath": "$.k"})
        c.remove_stubs_by_metadata({"matchesJsonPath": "$.k"})
        c.unmatched_stubs()
        c.delete_stub(c.create_stub(get("/b"))["id"])
        c.reset_mappings()
        c.delete_stubs()
        httpx.get(server.url + "/a")
        event = c.requests()[0]
        c.get_request(event.id)
        c.count(get("/a"))
        c.find(get("/a"))
        c.wait_for(get("/a"), 1)
        c.near_misses_for_request(event.request)
        c.near_misses_for_pattern(get("/a"))
        c.unmatched_requests()
        c.unmatched_near_misses()
        c.remove_requests(get("/zzz"))
        c.remove_requests_by_metadata({"matchesJsonPath": "$.nothing"})
        c.remove_unmatched_stubs()
        assert c.match(event.request).matched is False
        assert c.verify_requests(get("/a")).holds is True
        assert c.switch_stubs(["svc"], [get("/svc/x")]).removed == ()
        assert [s.service for s in c.unused_stubs()] == ["svc"]
        c.delete_request(event.id)
        c.reset_requests()
        c.create_stub(get("/s").in_scenario("s").will_set_state_to("x"))
        c.scenarios()
        c.set_scenario_state("s", "x")
        c.reset_scenarios()
        c.settings()
        c.update_settings(fixed_delay=0)
        c.health()
        c.plugins()
        c.websocket_messages()
        spec_doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                    "paths": {"/ping": {"get": {"responses": {"200": {"description": "ok"}}}}}}  # fmt: skip
        c.import_openapi(spec_doc)
        assert c.openapi_docs()["openapi"].startswith("3.")
        c.sample_delays({"type": "fixed", "milliseconds": 5}, count=3)
        assert c.recording_status() == "NeverStarted"
        c.start_recording("http://127.0.0.1:9")
        c.stop_recording()
        c.snapshot_recording()
        c.count_websocket_messages({"contains": "x"})
        c.reset_websocket_messages()
        c.collections()
        c.set_collection("users", [{"id": 1}])
        c.collection("users")
        c.clear_collection("users")
        c.apply_pressure(memory_mb=1, duration_ms=50)
        c.pressure()
        c.release_pressure()
        with pytest.raises(AdminError):
            c.mount_plugin("no-such-plugin", "svc")
        with pytest.raises(AdminError):
            c.unmount_service("svc")
        with pytest.raises(AdminError):
            c.configure_mount("svc", {"wsLimit": 2})
        c.version()
        assert c.export("har")["log"]["version"] == "1.2"
        run_id = c.start_load_run(
            {
                "requests": [{"path": "/a"}],
                "stages": [{"kind": "constant", "rate": 5, "duration": "5s"}],
            }
        )
        assert [r["id"] for r in c.load_runs()] == [run_id]
        c.cancel_load_run(run_id)
        assert c.load_run(run_id)["id"] == run_id
        assert "mockbdd_namespaces" in c.metrics()
        assert set(c.metrics_json()) == {"windows", "metrics"}
        with c.events(since=0, types=("stub.created",)) as stream:  # a WebSocket, not httpx
            assert next(stream)["type"] == "stub.created"
            seen.add(spec.EVENTS)
        c.reset()
        assert [m["name"] for m in c.tag_maps()] == ["up"]
        assert c.apply_tag_map("up")["services"] == ["svc"]
        handle = c.create_namespace()
        c.namespaces()
        handle.close()
        c.shutdown()
    _wait_until_down(server.url)
    server.stop()  # a no-op after POST /__admin/shutdown
    assert not server.running
    # PUT /settings and DELETE /requests are aliases of routes the client already uses
    expected = set(spec.ALL) - {spec.UPDATE_SETTINGS_PUT, spec.RESET_REQUESTS_DELETE}
    missing = sorted(f"{r.method} {r.template}" for r in expected - seen)
    assert not missing, f"no client method for: {missing}"


def test_every_route_spec_is_bound_to_one_task() -> None:
    assert [r.spec for r in ROUTES] == list(spec.ALL)


def test_a_non_admin_answer_is_an_error(server: MockServer, client: Client) -> None:
    client.create_stub(
        {"request": {"urlPath": "/fake/__admin/health"}, "response": {"body": "<html>"}}
    )
    with Client(server.url + "/fake") as wrong, pytest.raises(AdminError) as err:
        wrong.health()
    assert "expected a JSON object" in str(err.value)
    assert "<html>" in str(err.value)
