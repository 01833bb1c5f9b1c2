"""Tracing: one trace per case, from the HTTP request in intake through every service it reaches.

The W3C trace context (``traceparent``/``tracestate``) travels in the Kafka headers of each
event. Services publish through the outbox, so the context is injected when the message is
built (``outgoing_headers``, called by ``shared.outbox.event_message``) and stored with the row;
the relay sends the headers as they are. The consumer extracts it per delivery
(``shared.consumer_observer``). FastStream's telemetry middleware reads and writes the same
headers, so a FastStream-instrumented consumer elsewhere continues these traces; Relais does not
install it because it gives a batch one root span with links, not a span per delivery.

A staff command over HTTP comes long after its case was consumed: projections store the
``traceparent`` each fact travelled with (``traceparent_of``), and the command's work runs in
``rejoined(stored, ...)``, which continues the case's trace and links the HTTP request's span.

Setting up the provider, exporter and instrumentations is ``shared.tracing_setup``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from uuid import UUID

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes

from shared.headers import RawHeaders, as_text, value_of

TRACER = "relais"
TRACE_HEADERS = ("traceparent", "tracestate")

# event_id of each delivery in the batch being applied -> the context of its CONSUMER span, so
# an event a handler derives from it (causation_id) is published as that span's child.
_causes: ContextVar[Mapping[UUID, Context] | None] = ContextVar("relais_trace_causes", default=None)


class _Tracing:
    """Process-wide: one tracer provider per process (a service is one process); set up by
    ``shared.tracing_setup``."""

    provider: TracerProvider | None = None


def enabled() -> bool:
    """Whether this process records traces (exporter other than 'none')."""
    return _Tracing.provider is not None


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


def incoming_context(headers: RawHeaders) -> Context:
    """The trace context a Kafka record carries (empty when it carries none)."""
    carrier = {k: v for k, v in as_text(headers).items() if k in TRACE_HEADERS and v}
    return propagate.extract(carrier) if carrier else Context()


def traceparent_of(headers: RawHeaders | Mapping[str, str]) -> str | None:
    """The ``traceparent`` a Kafka record (or an outgoing message's headers) carries, if any:
    what a projection stores to continue the case's trace later (``rejoined``)."""
    if isinstance(headers, Mapping):
        return headers.get("traceparent")
    return value_of(headers, "traceparent") or None


@contextlib.contextmanager
def rejoined(traceparent: str | None, name: str, attributes: Attributes = None) -> Iterator[None]:
    """Work done now on a case whose trace began long ago (a staff command over HTTP): an
    INTERNAL span continuing the stored context, linked to the current span (the HTTP request)
    and current for the block, so the queries run and the events published in it join the
    case's trace. Without tracing, or without a stored context, nothing changes.

    A refusal raised in the block is recorded on the span but does not mark it as an error:
    a command refused (409) is an answer, not a failure."""
    parent = propagate.extract({"traceparent": traceparent}) if traceparent else Context()
    if _Tracing.provider is None or not trace.get_current_span(parent).get_span_context().is_valid:
        yield
        return
    here = trace.get_current_span().get_span_context()
    with tracer().start_as_current_span(
        name,
        context=parent,
        kind=SpanKind.INTERNAL,
        links=[Link(here)] if here.is_valid else [],
        attributes=attributes,
        set_status_on_exception=False,
    ):
        yield


def current_ids() -> tuple[str, str] | None:
    """(trace_id, span_id) of the current span in hex, for logs; None outside a trace."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return trace.format_trace_id(context.trace_id), trace.format_span_id(context.span_id)
