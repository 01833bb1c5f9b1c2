"""Setting up tracing in a service process: provider, exporter, sampler, instrumentations.

Exporter by settings (``RELAIS_TRACES_EXPORTER`` or ``OTEL_TRACES_EXPORTER``): ``otlp`` (the
standard ``OTEL_EXPORTER_OTLP_*`` variables), ``console`` (JSON lines, to ``RELAIS_TRACES_FILE``
when set) or ``none``: no provider, no instrumentation, no cost. Sampling follows the standard
``OTEL_TRACES_SAMPLER`` variables."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO, Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.sampling import (
    Decision,
    Sampler,
    SamplingResult,
    _get_from_env_or_default,  # the sampler OTEL_TRACES_SAMPLER names
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes

from shared.settings import Settings
from shared.telemetry import _Tracing


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
