"""``--otel``: a server span per served request, caught by the SDK's in-memory exporter, with
the namespace, stub, scenario and matched as attributes, continuing an incoming traceparent."""

from __future__ import annotations

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from mockbdd.config import ServerConfig
from mockbdd.server.runner import MockHttpServer

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


async def test_spans_continue_the_traceparent_with_mockbdd_attributes() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    server = MockHttpServer(ServerConfig.embedded(), tracer_provider=provider)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.origin(), timeout=10) as http:
            created = await http.post("/__admin/namespaces", json={"name": "pay"})
            assert created.status_code == 201
            stub = {
                "name": "charge",
                "scenarioName": "checkout",
                "request": {"method": "POST", "urlPath": "/charge"},
                "response": {"status": 201, "fixedDelayMilliseconds": 30},
            }
            assert (await http.post("/__ns/pay/__admin/mappings", json=stub)).status_code == 201
            traced = await http.post(
                "/__ns/pay/charge", headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"}
            )
            assert traced.status_code == 201
            assert (await http.get("/nothing")).status_code == 404
            await http.get("/__admin/health")  # admin calls are not served traffic: no span
    finally:
        await server.stop()
    spans = exporter.get_finished_spans()
    assert len(spans) == 2
    charge, miss = spans
    assert charge.kind == SpanKind.SERVER
    assert charge.context is not None
    assert charge.parent is not None
    assert format(charge.context.trace_id, "032x") == TRACE_ID
    assert format(charge.parent.span_id, "016x") == PARENT_ID
    assert charge.name == "POST charge"
    attributes = dict(charge.attributes or {})
    assert attributes["mockbdd.namespace"] == "pay"
    assert attributes["mockbdd.stub"] == "charge"
    assert attributes["mockbdd.scenario"] == "checkout"
    assert attributes["mockbdd.matched"] is True
    assert attributes["http.response.status_code"] == 201
    assert charge.end_time is not None
    assert charge.start_time is not None
    assert charge.end_time - charge.start_time >= 25_000_000  # the 30 ms delay, roughly
    assert miss.parent is None  # no traceparent: a new trace
    assert miss.name == "GET unmatched"
    assert dict(miss.attributes or {})["mockbdd.matched"] is False
    assert miss.status.status_code == StatusCode.UNSET


async def test_otel_flag_builds_an_otlp_provider_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "mock-under-test")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")  # nothing there
    server = MockHttpServer(ServerConfig.embedded(otel=True))
    assert server.tracing is not None
    resource = server.tracing.provider.resource
    assert resource.attributes["service.name"] == "mock-under-test"
    await server.start()
    await server.stop()


def test_the_service_name_defaults_to_mockbdd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    server = MockHttpServer(ServerConfig.embedded(otel=True))
    assert server.tracing is not None
    assert server.tracing.provider.resource.attributes["service.name"] == "mockbdd"
    server.tracing.shutdown()
