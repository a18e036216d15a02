"""``--otel`` (extra ``mockbdd[otel]``): a server span per served request, continuing the
request's W3C ``traceparent``, with the namespace, stub, scenario and whether it matched.

Spans are made by an observe stage once the answer has gone out, with the exchange's own start
and end times, so serving never waits for tracing; the SDK's batch processor exports them from
its own thread (OTLP over HTTP, configured by the standard ``OTEL_*`` variables). The provider
belongs to the server (never the process-wide one), so embedded servers do not share spans.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.namespace import Namespace
from mockbdd.server.stages import Hooks, Stage

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

INSTRUMENTATION = "mockbdd.server"


class MissingOtel(RuntimeError):
    """--otel without the extra installed."""


def default_provider() -> TracerProvider:
    """A provider configured from ``OTEL_*``: resource (``OTEL_SERVICE_NAME`` defaults to
    mockbdd), and OTLP/HTTP export (``OTEL_EXPORTER_OTLP_ENDPOINT`` and the rest)."""
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        raise MissingOtel("--otel needs OpenTelemetry: pip install 'mockbdd[otel]'") from None
    resource = Resource.create()  # OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
    if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
        resource = resource.merge(Resource({"service.name": "mockbdd"}))
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


class Tracing:
    """The observe stage making the spans; ``shutdown`` flushes the provider."""

    def __init__(self, provider: TracerProvider | None = None) -> None:
        try:
            from opentelemetry import trace
            from opentelemetry.trace.propagation.tracecontext import (
                TraceContextTextMapPropagator,
            )
        except ImportError:
            raise MissingOtel("--otel needs OpenTelemetry: pip install 'mockbdd[otel]'") from None
        self.provider = provider if provider is not None else default_provider()
        self._tracer = self.provider.get_tracer(INSTRUMENTATION)
        self._propagator = TraceContextTextMapPropagator()
        self._server_kind = trace.SpanKind.SERVER
        self._error = trace.Status(trace.StatusCode.ERROR)
        self.stage: Stage = Hooks(observe=self.observe)

    def observe(self, ns: Namespace, event: ServeEvent) -> None:
        request = event.request
        carrier = {name: values[0] for name, values in request.headers.items() if values}
        parent = self._propagator.extract(carrier)
        start_ns = int(event.logged_at * 1e9)
        answer = event.response
        stub = event.stub
        attributes: dict[str, Any] = {
            "http.request.method": request.method,
            "url.path": request.path,
            "url.full": request.url,
            "mockbdd.namespace": ns.name,
            "mockbdd.matched": event.was_matched,
            "mockbdd.event_id": event.id,
        }
        if answer.status:
            attributes["http.response.status_code"] = answer.status
        if event.stub_id is not None:
            attributes["mockbdd.stub"] = (
                stub.name if stub is not None and stub.name else event.stub_id
            )
            attributes["mockbdd.stub_id"] = event.stub_id
        if stub is not None and stub.scenario_name is not None:
            attributes["mockbdd.scenario"] = stub.scenario_name
        if answer.fault is not None:
            attributes["mockbdd.fault"] = answer.fault
        label = attributes.get("mockbdd.stub", "unmatched")  # never the raw path: bounded names
        span = self._tracer.start_span(
            f"{request.method} {label}",
            context=parent,
            kind=self._server_kind,
            attributes=attributes,
            start_time=start_ns,
        )
        if answer.status >= 500 or answer.fault is not None:
            span.set_status(self._error)
        span.end(end_time=start_ns + int(event.total_ms * 1e6))

    def shutdown(self) -> None:
        self.provider.shutdown()
