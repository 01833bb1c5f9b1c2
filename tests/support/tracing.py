"""In-process tracing for tests: one SDK provider exporting to memory, switched on per test."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON

from shared import tracing_setup


@cache
def memory_tracing() -> tuple[TracerProvider, InMemorySpanExporter]:
    """The process's test provider (OpenTelemetry allows one global provider per process)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: "test"}),
        sampler=tracing_setup.DropUnparentedClientSpans(ALWAYS_ON),
    )
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on for one test; the spans it finished are in the exporter."""
    provider, exporter = memory_tracing()
    exporter.clear()
    tracing_setup.install(provider)
    try:
        yield exporter
    finally:
        tracing_setup.uninstall()
        exporter.clear()
