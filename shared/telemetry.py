"""Tracing: one trace per case, from the HTTP request in intake through every service it reaches.

The W3C trace context (``traceparent``/``tracestate``) travels in the Kafka headers of each
event. Services publish through the outbox, so the context is injected when the message is
built (``outgoing_headers``, called by ``shared.outbox.event_message``) and stored with the row;
the relay sends the headers as they are. The consumer extracts it per delivery
(``shared.consumer_observer``). FastStream's telemetry middleware reads and writes the same
headers, so a FastStream-instrumented consumer elsewhere continues these traces; Relais does not
install it because it gives a batch one root span with links, not a span per delivery.

Exporter by settings (``RELAIS_TRACES_EXPORTER`` or ``OTEL_TRACES_EXPORTER``): ``otlp`` (the
standard ``OTEL_EXPORTER_OTLP_*`` variables), ``console`` (JSON lines, to ``RELAIS_TRACES_FILE``
when set) or ``none``: no provider, no instrumentation, no cost. Sampling follows the standard
``OTEL_TRACES_SAMPLER`` variables."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import IO, Any
from uuid import UUID

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import (
    Decision,
    Sampler,
    SamplingResult,
    _get_from_env_or_default,  # the sampler OTEL_TRACES_SAMPLER names
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes

from shared.settings import Settings

TRACER = "relais"
TRACE_HEADERS = ("traceparent", "tracestate")

# event_id of each delivery in the batch being applied -> the context of its CONSUMER span, so
# an event a handler derives from it (causation_id) is published as that span's child.
_causes: ContextVar[Mapping[UUID, Context] | None] = ContextVar("relais_trace_causes", default=None)


class _Tracing:
    """Process-wide: one tracer provider per process (a service is one process)."""

    provider: TracerProvider | None = None


def enabled() -> bool:
    """Whether this process records traces (exporter other than 'none')."""
    return _Tracing.provider is not None


class DropUnparentedClientSpans(Sampler):
    """Database queries outside any traced operation (outbox polling, readiness, migrations)
    would each start a trace of their own: noise. Everything else follows the configured
    sampler (``OTEL_TRACES_SAMPLER``, parent-based by default)."""

    def __init__(self, delegate: Sampler) -> None:
        self._delegate = delegate

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        parent = trace.get_current_span(parent_context).get_span_context()
        if kind is SpanKind.CLIENT and not parent.is_valid:
            return SamplingResult(Decision.DROP)
        return self._delegate.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"DropUnparentedClientSpans({self._delegate.get_description()})"


def exporter_for(settings: Settings) -> SpanExporter | None:
    """The span exporter the settings choose, or None for 'none'."""
    if settings.traces_exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()  # endpoint, headers, timeout: the OTEL_EXPORTER_OTLP_* variables
    if settings.traces_exporter == "console":
        out: IO[str] = open(settings.traces_file, "a") if settings.traces_file else sys.stdout  # noqa: SIM115 - lives as long as the process
        return ConsoleSpanExporter(out=out, formatter=lambda span: span.to_json(indent=None) + "\n")
    return None


def start_tracing(service: str, settings: Settings) -> TracerProvider | None:
    """Sets up this process's tracing once: provider, exporter, asyncpg instrumentation."""
    if _Tracing.provider is not None:
        return _Tracing.provider
    exporter = exporter_for(settings)
    if exporter is None:
        return None
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: service}),
        sampler=DropUnparentedClientSpans(_get_from_env_or_default()),
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    install(provider)
    return provider


def install(provider: TracerProvider) -> None:
    """Makes ``provider`` this process's tracer provider and traces asyncpg queries with it."""
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(provider)  # for the FastAPI instrumentation
    _Tracing.provider = provider
    instrumentor = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider)


def uninstall() -> None:
    """Stops tracing in this process (flushing what is buffered); tests use it."""
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    flush()
    _Tracing.provider = None
    instrumentor = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()


def flush() -> None:
    """Exports the spans still buffered (at shutdown)."""
    if _Tracing.provider is not None:
        _Tracing.provider.force_flush(timeout_millis=5_000)


def instrument_app(app: Any, settings: Settings) -> None:
    """HTTP server spans for a service's FastAPI app (probes and scrapes left out)."""
    if settings.traces_exporter == "none":
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app, excluded_urls="/(health|ready|metrics)$", exclude_spans=["receive", "send"]
    )


def tracer() -> trace.Tracer:
    """Relais's own tracer (batches, deliveries, publishes), from this process's provider."""
    if _Tracing.provider is not None:
        return _Tracing.provider.get_tracer(TRACER)
    return trace.get_tracer(TRACER)


@contextlib.contextmanager
def causes(contexts: Mapping[UUID, Context]) -> Iterator[None]:
    """While a batch is applied: which span each consumed event's follow-ups descend from."""
    token = _causes.set(contexts)
    try:
        yield
    finally:
        _causes.reset(token)


def outgoing_headers(
    topic: str, causation_id: UUID | None, attributes: Attributes = None
) -> dict[str, str]:
    """W3C headers for an event going into the outbox: a PRODUCER span, child of the delivery
    that caused the event (or of the current span: the HTTP request), carries the context."""
    if _Tracing.provider is None:
        return {}
    causes_now = _causes.get()
    parent = causes_now.get(causation_id) if causes_now and causation_id is not None else None
    span = tracer().start_span(
        f"{topic} publish",
        context=parent,
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.operation.type": "create",
            **(attributes or {}),
        },
    )
    span.end()  # the message is created now; the outbox relay sends it later
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=trace.set_span_in_context(span))
    return carrier


def incoming_context(headers: Sequence[tuple[str, bytes]] | None) -> Context:
    """The trace context a Kafka record carries (empty when it carries none)."""
    carrier = {k: v.decode(errors="replace") for k, v in headers or () if k in TRACE_HEADERS}
    return propagate.extract(carrier) if carrier else Context()


def current_ids() -> tuple[str, str] | None:
    """(trace_id, span_id) of the current span in hex, for logs; None outside a trace."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return trace.format_trace_id(context.trace_id), trace.format_span_id(context.span_id)
