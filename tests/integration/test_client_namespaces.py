"""Namespace handles over real sockets: isolation, services, journal, verification, lifecycle."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from mockbdd.client import (
    AdminError,
    Client,
    NamespaceHandle,
    VerificationError,
    any_method,
    get,
    ok,
    post,
)
from mockbdd.server.embedded import MockServer


@pytest.fixture
def client(server: MockServer) -> Iterator[Client]:
    with Client(server.url) as c:
        yield c


@pytest.fixture
def ns(client: Client) -> Iterator[NamespaceHandle]:
    with client.create_namespace() as handle:
        yield handle


def test_handle_addresses(server: MockServer, client: Client) -> None:
    with client.create_namespace("shop-1", ttl_seconds=30) as handle:
        assert handle.name == "shop-1"
        assert handle.base_url == f"{server.url}/__ns/shop-1"
        assert handle.admin_url == f"{server.url}/__ns/shop-1/__admin"
        assert handle.url() == handle.base_url
        assert handle.url("payments") == f"http://127.0.0.1:{server.port}/__ns/shop-1/payments"
        assert handle.admin.admin_url == handle.admin_url
        with pytest.raises(ValueError):
            handle.url("../x")


def test_stubs_are_isolated_per_namespace(server: MockServer, client: Client) -> None:
    with client.create_namespace() as a, client.create_namespace() as b, httpx.Client() as http:
        stub_id = a.stub(get("/x").will_return(ok("from A")))
        assert http.get(a.url() + "/x").text == "from A"
        assert http.get(b.url() + "/x").status_code == 404
        assert http.get(server.url + "/x").status_code == 404

        assert [s.id for s in a.admin.list_stubs()] == [stub_id]
        assert b.admin.list_stubs() == []
        assert client.list_stubs() == []

        assert len(a.requests()) == 1
        assert [r.url for r in b.requests()] == ["/x"]  # only B's own miss
        assert b.count("GET", "/x") == 1
        assert a.count("GET", "/x") == 1
        assert len(client.requests()) == 1  # the root's own request only


def test_closed_namespace_serves_404_and_close_is_idempotent(client: Client) -> None:
    handle = client.create_namespace()
    handle.stub(get("/x"))
    url = handle.url() + "/x"
    assert httpx.get(url).status_code == 200
    handle.close()
    assert handle.closed
    response = httpx.get(url)
    assert response.status_code == 404
    assert handle.name in response.text
    handle.close()  # again: nothing to do

    other = client.namespace(client.create_namespace().name)
    client.delete_namespace(other.name)  # deleted behind the handle's back
    other.close()  # the 404 is ignored
    assert other.closed


def test_context_manager_closes(client: Client) -> None:
    with client.create_namespace() as handle:
        name = handle.name
        assert name in {n["name"] for n in client.namespaces()}
    assert name not in {n["name"] for n in client.namespaces()}


def test_namespace_lookup(client: Client, ns: NamespaceHandle) -> None:
    again = client.namespace(ns.name)
    assert (again.name, again.base_url, again.admin_url) == (ns.name, ns.base_url, ns.admin_url)
    with pytest.raises(AdminError) as err:
        client.namespace("does-not-exist")
    assert err.value.status == 404


def test_invalid_namespace_name_is_400(client: Client) -> None:
    with pytest.raises(AdminError) as err:
        client.create_namespace("..")
    assert err.value.status == 400


def test_tag_maps_are_sent_to_the_server(client: Client) -> None:
    # this server has no tag-map folder, so it refuses: proof that the field reached it
    with pytest.raises(AdminError) as err:
        client.create_namespace(tag_maps=["checkout_failure"])
    assert err.value.pointer == "/tagMaps"


def test_dedicated_port(client: Client) -> None:
    with client.create_namespace(port=0) as handle:
        assert handle.port
        handle.stub(get("/bare").will_return(ok("bare origin")))
        assert httpx.get(f"http://127.0.0.1:{handle.port}/bare").text == "bare origin"


SERVICE_CASES = [
    ({"url": "/v1/items?x=1"}, "/v1/items?x=1", "/v1/items?x=2"),
    ({"urlPath": "/v1/items"}, "/v1/items?any=1", "/v1/items/2"),
    ({"urlPathTemplate": "/v1/items/{id}"}, "/v1/items/7", "/v1/items"),
    ({"urlPattern": "/v1/items\\?x=[0-9]+"}, "/v1/items?x=42", "/v1/items?x=a"),
    ({"urlPattern": "^/v1/.*"}, "/v1/anything", "/v2/anything"),
    ({"urlPathPattern": "/v1/items/[0-9]+"}, "/v1/items/9", "/v1/items/x"),
    ({}, "/whatever/below", None),
]


@pytest.mark.parametrize(("request_url", "hit", "miss"), SERVICE_CASES)
def test_service_prefix_for_each_url_field(
    ns: NamespaceHandle, request_url: dict[str, str], hit: str, miss: str | None
) -> None:
    ns.stub({"request": {"method": "GET", **request_url}, "response": {"body": "svc"}}, "pay.v1")
    with httpx.Client() as http:
        assert http.get(ns.url("pay.v1") + hit).text == "svc"
        assert http.get(ns.url() + hit).status_code == 404  # not served outside the service
        assert http.get(ns.url("other") + hit).status_code == 404
        if miss is not None:
            assert http.get(ns.url("pay.v1") + miss).status_code == 404


def test_service_without_url_covers_the_service_root(ns: NamespaceHandle) -> None:
    ns.stub(any_method("/").will_return(ok("root")), service="inventory")
    ns.stub({"request": {"method": "ANY"}, "response": {"status": 503}}, service="payments")
    assert httpx.get(ns.url("payments")).status_code == 503
    assert httpx.post(ns.url("payments") + "/v1/charges").status_code == 503
    assert httpx.get(ns.url() + "/paymentsx").status_code == 404
    assert httpx.get(ns.url("inventory") + "/").text == "root"


def test_requests_in_arrival_order_filtered_by_service(ns: NamespaceHandle) -> None:
    with httpx.Client() as http:
        http.get(ns.url("payments") + "/1")
        http.get(ns.url("inventory") + "/a")
        http.post(ns.url("payments") + "/2", content=b"two")
        http.get(ns.url() + "/paymentsx")
        http.get(ns.url("payments"))
    assert [r.url for r in ns.requests()] == [
        "/payments/1",
        "/inventory/a",
        "/payments/2",
        "/paymentsx",
        "/payments",
    ]
    payments = ns.requests("payments")
    assert [(r.method, r.url) for r in payments] == [
        ("GET", "/payments/1"),
        ("POST", "/payments/2"),
        ("GET", "/payments"),
    ]
    assert payments[1].body == "two"
    assert ns.requests("shipping") == []


def test_count_with_service_and_any(ns: NamespaceHandle) -> None:
    with httpx.Client() as http:
        http.post(ns.url("payments") + "/v1/charges?id=1")
        http.post(ns.url("payments") + "/v1/charges")
        http.get(ns.url("payments") + "/v1/charges")
        http.post(ns.url() + "/v1/charges")
    assert ns.count("POST", "/v1/charges", "payments") == 2
    assert ns.count("post", "/v1/charges", service="payments") == 2
    assert ns.count("ANY", "/v1/charges", "payments") == 3
    assert ns.count("POST", "/v1/charges") == 1


def test_verify_through_the_handle(ns: NamespaceHandle) -> None:
    httpx.post(ns.url("payments") + "/v1/charge")
    with pytest.raises(VerificationError) as err:
        ns.verify(1, "POST", "/v1/charges", "payments")
    message = str(err.value)
    # worded as phrase 17 is, paths as the test wrote them (no namespace service prefix)
    assert message.startswith(
        '"payments" should have received 1 POST request to /v1/charges, but it received 0\n'
        '"payments" received 1 request:\n  1. POST /v1/charge\n'
    )
    assert "expected: urlPath /v1/charges" in message  # the near-miss diff
    assert "actual: /v1/charge" in message
    assert "/payments/" not in message
    ns.verify(1, "POST", "/v1/charge", "payments")
    ns.verify(0, "GET", "/v1/charge", "payments")


def test_wait_for_through_the_handle(ns: NamespaceHandle) -> None:
    def send_later() -> None:
        time.sleep(0.1)
        httpx.post(ns.url("payments") + "/v1/charges")

    sender = threading.Thread(target=send_later)
    sender.start()
    try:
        assert ns.wait_for(1, "POST", "/v1/charges", "payments", timeout=10) == 1
    finally:
        sender.join()
    with pytest.raises(VerificationError, match="but received 1"):
        ns.wait_for(2, "POST", "/v1/charges", "payments", timeout=0.1)


def test_reset_clears_only_this_namespace(client: Client, ns: NamespaceHandle) -> None:
    client.create_stub(get("/root"))
    ns.stub(get("/x"))
    httpx.get(ns.url() + "/x")
    ns.reset()
    assert ns.admin.list_stubs() == []
    assert ns.requests() == []
    assert len(client.list_stubs()) == 1


def test_scoped_admin_cannot_reach_root_only_routes(ns: NamespaceHandle) -> None:
    with pytest.raises(AdminError) as err:
        ns.admin.namespaces()
    assert err.value.status == 404


def test_apply_needs_an_applier(client: Client, ns: NamespaceHandle) -> None:
    with pytest.raises(RuntimeError, match="BDD integration"):
        ns.apply("checkout_failure")

    calls: list[tuple[str, str, dict[str, str]]] = []

    def applier(handle: NamespaceHandle, name: str, params: dict[str, str]) -> None:
        calls.append((handle.name, name, params))
        handle.stub(post("/v1/charges").will_return(ok(params["delay"])), service="payments")

    with client.create_namespace(applier=applier) as handle:
        handle.apply("payments_slow", delay="300ms")
        assert calls == [(handle.name, "payments_slow", {"delay": "300ms"})]
        assert httpx.post(handle.url("payments") + "/v1/charges").text == "300ms"
