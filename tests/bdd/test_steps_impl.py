"""The phrases' behaviour, called directly on a real namespace (plain pytest + the marker)."""

from __future__ import annotations

import time

import httpx
import pytest

from mockbdd.bdd import steps_impl as impl
from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepSettings, StepTable, StepUsageError

FAST = StepSettings(timeout=0.3, settle=0.05)


@pytest.fixture
def mocks(mockbdd_scenario: ScenarioMocks) -> ScenarioMocks:
    mockbdd_scenario.settings = FAST
    return mockbdd_scenario


def url(mocks: ScenarioMocks, service: str, path: str) -> str:
    return mocks.handle.url(service) + path


def table(*rows: tuple[str, ...]) -> StepTable:
    return StepTable(rows[0], tuple(rows[1:]))


@pytest.mark.mockbdd("base")
def test_a_step_stub_outranks_the_tag_map_and_ignores_the_query(mocks: ScenarioMocks) -> None:
    charges = url(mocks, "payments", "/v1/charges")
    assert httpx.post(charges).status_code == 201
    impl.respond_status(mocks, "payments", "POST", "/v1/charges", 500)
    reply = httpx.post(charges + "?retry=1")
    assert reply.status_code == 500
    assert reply.content == b""
    impl.respond_status(mocks, "payments", "POST", "/v1/charges", 502)
    assert httpx.post(charges).status_code == 502  # the newest step wins


@pytest.mark.mockbdd("base")
def test_delay_applies_to_the_routes_current_stub(mocks: ScenarioMocks) -> None:
    impl.respond_after(mocks, "payments", "POST", "/v1/charges", 250)
    started = time.perf_counter()
    reply = httpx.post(url(mocks, "payments", "/v1/charges"))
    assert time.perf_counter() - started >= 0.25
    assert reply.status_code == 201
    assert reply.json()["id"] == "ch_base"


def test_delay_on_an_unstubbed_route_answers_200_empty(mocks: ScenarioMocks) -> None:
    impl.respond_after(mocks, "inventory", "GET", "/v1/slow", 100)
    started = time.perf_counter()
    reply = httpx.get(url(mocks, "inventory", "/v1/slow"))
    assert time.perf_counter() - started >= 0.1
    assert (reply.status_code, reply.content) == (200, b"")


@pytest.mark.mockbdd("base")
def test_catch_all_stays_below_tag_map_stubs(mocks: ScenarioMocks) -> None:
    impl.unmatched_get_status(mocks, "inventory", 418)
    assert httpx.get(url(mocks, "inventory", "/v1/items/7")).status_code == 200
    assert httpx.get(url(mocks, "inventory", "/v1/other")).status_code == 418
    assert httpx.get(url(mocks, "payments", "/v1/other")).status_code == 404


def test_unavailable_covers_every_route_until_a_newer_step(mocks: ScenarioMocks) -> None:
    impl.unavailable(mocks, "payments")
    for path in ("", "/", "/v1/charges", "/a/b/c"):
        assert httpx.get(url(mocks, "payments", path)).status_code == 503, path
    assert httpx.get(url(mocks, "inventory", "/x")).status_code == 404
    impl.respond_status(mocks, "payments", "GET", "/v1/health", 200)
    assert httpx.get(url(mocks, "payments", "/v1/health")).status_code == 200


def test_sequence_table_repeats_the_last_row(mocks: ScenarioMocks) -> None:
    rows = table(("status", "body"), ("503", ""), ("200", "ok"))
    impl.respond_in_order(mocks, "payments", "GET", "/v1/x", rows)
    got = [httpx.get(url(mocks, "payments", "/v1/x")) for _ in range(4)]
    assert [r.status_code for r in got] == [503, 200, 200, 200]
    assert got[-1].text == "ok"


def test_sequence_table_rejects_unknown_columns(mocks: ScenarioMocks) -> None:
    with pytest.raises(StepUsageError, match=r"\| status \| body \| delay \|"):
        impl.respond_in_order(mocks, "payments", "GET", "/v1/x", table(("code",), ("200",)))


def test_conditions_on_header_query_and_json(mocks: ScenarioMocks) -> None:
    rows = table(
        ("field", "value"),
        ("header.X-Key", "k1"),
        ("query.q", "lamp"),
        ("json.$.currency", "USD"),
    )
    impl.respond_when_matches(mocks, "payments", "POST", "/v1/charges", 402, rows)
    target = url(mocks, "payments", "/v1/charges")
    good = {"headers": {"X-Key": "k1"}, "params": {"q": "lamp"}, "json": {"currency": "USD"}}
    assert httpx.post(target, **good).status_code == 402  # type: ignore[arg-type]
    assert httpx.post(target, **{**good, "json": {"currency": "EUR"}}).status_code == 404  # type: ignore[arg-type]
    assert httpx.post(target, **{**good, "params": {}}).status_code == 404  # type: ignore[arg-type]


@pytest.mark.mockbdd("base")
def test_switching_replaces_only_the_services_of_the_map(mocks: ScenarioMocks) -> None:
    impl.respond_status(mocks, "payments", "GET", "/v1/health", 200)
    httpx.get(url(mocks, "inventory", "/v1/items/1"))
    impl.switch_map(mocks, "payments", "payments_declined:status=409")
    assert httpx.post(url(mocks, "payments", "/v1/charges")).status_code == 409
    assert httpx.get(url(mocks, "payments", "/v1/health")).status_code == 404  # replaced
    assert httpx.get(url(mocks, "inventory", "/v1/items/1")).status_code == 200  # kept
    assert len(mocks.handle.requests("inventory")) == 2  # the journal stays


def test_switching_to_a_map_without_the_service_is_an_error(mocks: ScenarioMocks) -> None:
    with pytest.raises(StepUsageError, match="configures no stubs for 'inventory'"):
        impl.switch_map(mocks, "inventory", "payments_declined")


def test_clearing_forgets_one_service_only(mocks: ScenarioMocks) -> None:
    httpx.get(url(mocks, "payments", "/a"))
    httpx.get(url(mocks, "inventory", "/a"))
    impl.clear_requests(mocks, "payments")
    assert mocks.handle.requests("payments") == []
    assert len(mocks.handle.requests("inventory")) == 1


def test_paths_with_a_query_are_refused(mocks: ScenarioMocks) -> None:
    with pytest.raises(StepUsageError, match="without a query string"):
        impl.respond_status(mocks, "payments", "GET", "/v1/x?a=1", 200)


# ------------------------------------------------------------------------------ failures


def test_json_assertion_failure_shows_received_closest_and_diff(mocks: ScenarioMocks) -> None:
    httpx.get(url(mocks, "payments", "/v1/health"))
    httpx.post(url(mocks, "payments", "/v1/charges"), json={"amount": 99, "currency": "EUR"})
    with pytest.raises(AssertionError) as failed:
        impl.received_json(mocks, "payments", "POST", "/v1/charges", '{"amount": 100}')
    text = str(failed.value)
    assert (
        'should have received a POST request to /v1/charges with JSON body {"amount": 100}' in text
    )
    assert '"payments" received 2 requests:' in text
    assert "1. GET /v1/health" in text
    assert '2. POST /v1/charges  {"amount":99,"currency":"EUR"}' in text
    assert "closest request: #2 POST /v1/charges" in text
    assert "JSON $.amount: expected 100, got 99" in text


def test_header_and_query_failures_name_the_field(mocks: ScenarioMocks) -> None:
    httpx.get(url(mocks, "inventory", "/v1/items"), params={"q": "chair"}, headers={"X-A": "1"})
    with pytest.raises(AssertionError, match=r'query parameter q: expected "lamp", got "chair"'):
        impl.received_query(mocks, "inventory", "GET", "/v1/items", "q", "lamp")
    with pytest.raises(AssertionError, match=r'header X-A: expected "2", got "1"'):
        impl.received_header(mocks, "inventory", "GET", "/v1/items", "X-A", "2")
    with pytest.raises(AssertionError, match=r'header x-a: expected \(absent\), got "1"'):
        impl.received_no_header(mocks, "inventory", "GET", "/v1/items", "x-a")
    impl.received_no_header(mocks, "inventory", "GET", "/v1/items", "Authorization")


def test_count_failures_both_ways(mocks: ScenarioMocks) -> None:
    httpx.post(url(mocks, "payments", "/v1/charge"))
    with pytest.raises(AssertionError) as failed:
        impl.received_count(mocks, "payments", 1, "POST", "/v1/charges")
    assert "but it received 0 within 0.3 s" in str(failed.value)
    assert "URL path: expected /v1/charges, got /v1/charge" in str(failed.value)
    httpx.post(url(mocks, "payments", "/v1/charges"))
    httpx.post(url(mocks, "payments", "/v1/charges"))
    with pytest.raises(
        AssertionError,
        match="should have received 1 POST request to /v1/charges, but it received 2",
    ):
        impl.received_count(mocks, "payments", 1, "POST", "/v1/charges")
    with pytest.raises(AssertionError, match="should not have received any POST request"):
        impl.not_received(mocks, "payments", "POST", "/v1/charges")


def test_body_order_and_nth_failures(mocks: ScenarioMocks) -> None:
    target = url(mocks, "payments", "/v1/charges")
    httpx.post(target, json={"n": 1})
    httpx.post(target, json={"n": 2})
    impl.nth_request_json(mocks, "payments", 2, "POST", "/v1/charges", '{"n": 2}')
    with pytest.raises(AssertionError, match=r"JSON \$\.n: expected 3, got 2"):
        impl.nth_request_json(mocks, "payments", 2, "POST", "/v1/charges", '{"n": 3}')
    with pytest.raises(AssertionError, match=r"request 3 to POST /v1/charges .* never came"):
        impl.nth_request_json(mocks, "payments", 3, "POST", "/v1/charges", "{}")
    with pytest.raises(AssertionError, match=r'body: expected "x", got "{\\"n\\":2}"'):
        impl.received_body(mocks, "payments", "POST", "/v1/charges", "x")
    wrong_order = table(("method", "path"), ("GET", "/v1/x"), ("POST", "/v1/charges"))
    with pytest.raises(AssertionError, match="after the first 0 of 2"):
        impl.received_in_order(mocks, "payments", wrong_order)
    impl.received_in_order(
        mocks,
        "payments",
        table(("method", "path"), ("POST", "/v1/charges"), ("POST", "/v1/charges")),
    )


@pytest.mark.mockbdd("base")
def test_unexpected_and_unused_reports(mocks: ScenarioMocks) -> None:
    httpx.get(url(mocks, "payments", "/v1/nothing"))
    with pytest.raises(AssertionError) as failed:
        impl.no_unexpected_requests(mocks, "payments")
    text = str(failed.value)
    assert '"payments" received 1 request that no stub matched:\n  GET /v1/nothing\n' in text
    assert "closest stub for GET /v1/nothing:" in text
    with pytest.raises(AssertionError, match=r"POST /v1/charges \(from tag map 'base'\)"):
        impl.all_stubs_used(mocks, "payments")
    impl.no_unexpected_requests(mocks, "inventory")


def test_waiting_step_fails_with_the_count(mocks: ScenarioMocks) -> None:
    with pytest.raises(
        AssertionError, match=r"has not received 1 GET request to /a within 0.1 s \(it received 0\)"
    ):
        impl.wait_received(mocks, "payments", 1, "GET", "/a", 100)


# ------------------------------------------------------------------------------ review fixes


def timed(method: str, target: str, **kwargs: object) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    reply = httpx.request(method, target, **kwargs)  # type: ignore[arg-type]
    return reply, time.perf_counter() - started


def delay_of(mocks: ScenarioMocks, method: str, path: str, service: str) -> object:
    """The delay of the response that would answer ``method path`` now (the server's dry run):
    what "not delayed" means, without an upper bound on wall-clock time."""
    found = mocks.handle.match(method, path, service)
    assert found.matched, (method, path)
    assert found.response is not None
    return found.response.get("fixedDelayMilliseconds")


@pytest.mark.mockbdd("base")
def test_delay_on_one_path_of_a_pattern_stub_leaves_the_others_alone(mocks: ScenarioMocks) -> None:
    impl.respond_after(mocks, "inventory", "GET", "/v1/items/7", 300)
    other = httpx.get(url(mocks, "inventory", "/v1/items/8"))
    delayed, delayed_took = timed("GET", url(mocks, "inventory", "/v1/items/7"))
    assert delay_of(mocks, "GET", "/v1/items/8", "inventory") is None
    assert delayed_took >= 0.3
    assert other.json() == delayed.json() == {"inStock": True, "price": 100}


def test_delay_keeps_conditions_and_methods_apart(mocks: ScenarioMocks) -> None:
    rows = table(("field", "value"), ("header.X-Key", "k1"))
    impl.respond_when_matches(mocks, "payments", "GET", "/v1/x", 402, rows)
    impl.unavailable(mocks, "inventory")
    impl.respond_after(mocks, "payments", "GET", "/v1/x", 300)
    impl.respond_after(mocks, "inventory", "GET", "/v1/x", 300)
    matching, took = timed("GET", url(mocks, "payments", "/v1/x"), headers={"X-Key": "k1"})
    assert (matching.status_code, took >= 0.3) == (402, True)
    other = httpx.get(url(mocks, "payments", "/v1/x"))
    assert other.status_code == 404  # the condition still applies
    assert not mocks.handle.match("GET", "/v1/x", "payments").matched
    down, took = timed("GET", url(mocks, "inventory", "/v1/x"))
    assert (down.status_code, took >= 0.3) == (503, True)
    for path, method in (("/v1/x", "POST"), ("/v1/y", "GET")):  # the ANY stub is left alone
        reply = httpx.request(method, url(mocks, "inventory", path))
        assert reply.status_code == 503, (method, path)
        assert delay_of(mocks, method, path, "inventory") is None, (method, path)


@pytest.mark.mockbdd("base")
def test_delay_edits_an_exact_stub_in_place(mocks: ScenarioMocks) -> None:
    before = mocks.admin.list_stubs()
    stub_id = impl.respond_after(mocks, "payments", "POST", "/v1/charges", 10)
    after = mocks.admin.list_stubs()
    assert [s.id for s in after] == [s.id for s in before]
    assert stub_id in {s.id for s in before}


def test_delay_keeps_the_body_of_a_java_regex_stub(mocks: ScenarioMocks) -> None:
    """The live bug of the engine review: ``\\p{Digit}`` is Java regex, which Python's ``re``
    does not know; the BDD layer decided "no stub answers" and the body became ``200 ''``."""
    mocks.handle.stub(
        {
            "request": {"method": "GET", "urlPathPattern": r"/v1/items/\p{Digit}+"},
            "response": {"status": 200, "jsonBody": {"inStock": True}},
        },
        service="inventory",
    )
    impl.respond_after(mocks, "inventory", "GET", "/v1/items/7", 50)
    reply, took = timed("GET", url(mocks, "inventory", "/v1/items/7"))
    assert (reply.status_code, reply.json()) == (200, {"inStock": True})
    assert took >= 0.05
    assert httpx.get(url(mocks, "inventory", "/v1/items/8")).json() == {"inStock": True}


def test_delay_treats_get_or_head_stubs_as_the_engine_does(mocks: ScenarioMocks) -> None:
    stub_id = mocks.handle.stub(
        {"request": {"method": "GET_OR_HEAD", "urlPath": "/v1/x"}, "response": {"body": "hi"}},
        service="inventory",
    )
    impl.respond_after(mocks, "inventory", "GET", "/v1/x", 50)
    reply, took = timed("GET", url(mocks, "inventory", "/v1/x"))
    assert (reply.status_code, reply.text) == (200, "hi")
    assert took >= 0.05
    # the GET_OR_HEAD stub also answers HEAD: it stays as it was, a delayed GET copy answers GET
    original = mocks.admin.get_stub(stub_id)
    assert "fixedDelayMilliseconds" not in original["response"]
    found = mocks.handle.match("HEAD", "/v1/x", "inventory")
    assert found.stub is not None
    assert found.stub.id == stub_id
    copy = mocks.handle.match("GET", "/v1/x", "inventory").stub
    assert copy is not None
    assert copy.method == "GET"
    assert copy.response is not None
    assert (copy.response["body"], copy.response["fixedDelayMilliseconds"]) == ("hi", 50)


@pytest.mark.mockbdd("base")
def test_switching_is_one_atomic_server_call(
    mocks: ScenarioMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    def several_calls(*args: object, **kwargs: object) -> None:
        raise AssertionError("phrase 14 made more than the one atomic call")

    for name in ("list_stubs", "import_stubs", "delete_stub", "update_settings"):
        monkeypatch.setattr(mocks.admin, name, several_calls)
    impl.switch_map(mocks, "payments", "payments_declined:status=409")
    assert httpx.post(url(mocks, "payments", "/v1/charges")).status_code == 409
    assert httpx.get(url(mocks, "inventory", "/v1/items/1")).status_code == 200


def test_json_subsets_allow_extra_members_and_extra_trailing_array_items(
    mocks: ScenarioMocks,
) -> None:
    target = url(mocks, "payments", "/v1/charges")
    httpx.post(target, json={"items": [{"id": 1, "qty": 2}, {"id": 2}], "note": "x"})
    impl.received_json(mocks, "payments", "POST", "/v1/charges", '{"items": [{"id": 1}]}')
    with pytest.raises(AssertionError, match=r"JSON \$\.items\[1\]\.id: expected 3, got 2"):
        impl.received_json(mocks, "payments", "POST", "/v1/charges", '{"items": [{}, {"id": 3}]}')
    with pytest.raises(AssertionError, match=r"JSON \$\.total: expected 5, got \(missing\)"):
        impl.received_json(mocks, "payments", "POST", "/v1/charges", '{"total": 5}')


def test_order_failures_show_the_closest_request_to_the_missing_one(mocks: ScenarioMocks) -> None:
    httpx.post(url(mocks, "payments", "/v1/charges"))
    httpx.get(url(mocks, "payments", "/v1/charge"))
    rows = table(("method", "path"), ("POST", "/v1/charges"), ("GET", "/v1/charges"))
    with pytest.raises(AssertionError) as failed:
        impl.received_in_order(mocks, "payments", rows)
    text = str(failed.value)
    assert "after the first 1 of 2" in text
    assert "  ok POST /v1/charges\n  -> GET /v1/charges" in text
    assert "closest request: #2 GET /v1/charge" in text
    assert "URL path: expected /v1/charges, got /v1/charge" in text


def test_count_assertions_wait_on_the_server_not_on_the_journal(
    mocks: ScenarioMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_journal(service: str | None = None) -> list[dict[str, object]]:
        raise AssertionError("the journal was fetched although the assertion held")

    monkeypatch.setattr(mocks.handle, "requests", no_journal)
    httpx.post(url(mocks, "payments", "/v1/charges"))
    impl.wait_received(mocks, "payments", 1, "POST", "/v1/charges", 500)
    impl.received_count(mocks, "payments", 1, "POST", "/v1/charges")
    impl.received_count(mocks, "payments", 0, "GET", "/v1/charges")
    impl.not_received(mocks, "payments", "GET", "/v1/charges")


def test_what_only_the_catch_all_answered_is_unexpected_and_it_is_never_unused(
    mocks: ScenarioMocks,
) -> None:
    impl.respond_status(mocks, "inventory", "GET", "/v1/ok", 200)
    impl.unmatched_get_status(mocks, "inventory", 418)
    assert httpx.get(url(mocks, "inventory", "/v1/ok")).status_code == 200
    impl.all_stubs_used(mocks, "inventory")
    impl.no_unexpected_requests(mocks, "inventory")
    assert httpx.get(url(mocks, "inventory", "/v1/typo")).status_code == 418
    with pytest.raises(AssertionError) as failed:
        impl.no_unexpected_requests(mocks, "inventory")
    assert "  GET /v1/typo (only the catch-all answered it, with status 418)" in str(failed.value)


def test_switching_errors_name_the_step(mocks: ScenarioMocks) -> None:
    with pytest.raises(StepUsageError) as failed:
        impl.switch_map(mocks, "payments", "payments_slow:delay=soon", ("features/x.feature", 7))
    assert str(failed.value).startswith("mockbdd: bad value 'soon' for parameter 'delay'")
    assert str(failed.value).endswith(" at features/x.feature:7")
    with pytest.raises(StepUsageError, match=r"invalid tag @mock:Nope: .* at features/x.feature:8"):
        impl.switch_map(mocks, "payments", "Nope", ("features/x.feature", 8))
