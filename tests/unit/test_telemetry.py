"""Tracing rules: which spans are kept, what an outgoing event carries, what logs say."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import orjson
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, Decision
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags

from shared import telemetry, tracing_setup
from shared.logs import JsonFormatter
from shared.settings import Settings

SAMPLER = tracing_setup.DropUnparentedClientSpans(ALWAYS_ON)
PARENT = trace.set_span_in_context(
    NonRecordingSpan(SpanContext(1, 2, is_remote=True, trace_flags=TraceFlags(1)))
)


def decision(kind: SpanKind, parent: Context | None) -> Decision:
    return SAMPLER.should_sample(parent, 7, "x", kind).decision


def test_queries_outside_any_trace_are_dropped_everything_else_kept() -> None:
    assert decision(SpanKind.CLIENT, None) is Decision.DROP
    assert decision(SpanKind.CLIENT, PARENT) is Decision.RECORD_AND_SAMPLE
    assert decision(SpanKind.SERVER, None) is Decision.RECORD_AND_SAMPLE
    assert decision(SpanKind.CONSUMER, None) is Decision.RECORD_AND_SAMPLE


def test_without_tracing_an_event_carries_no_trace_headers() -> None:
    assert not telemetry.enabled()
    assert telemetry.outgoing_headers("routed", uuid.uuid4()) == {}


def test_an_event_is_published_as_a_child_of_its_cause(spans: InMemorySpanExporter) -> None:
    cause = uuid.uuid4()
    delivery = telemetry.tracer().start_span("delivery")
    # Given the batch knows which span each consumed event belongs to, while another is current
    with (
        telemetry.tracer().start_as_current_span("batch of other traces") as batch,
        telemetry.causes({cause: trace.set_span_in_context(delivery)}),
    ):
        headers = telemetry.outgoing_headers("routed", cause)
    # Then the outgoing headers name a publish span whose parent is the delivery's span
    (publish,) = [s for s in spans.get_finished_spans() if s.name == "routed publish"]
    assert publish.parent is not None
    assert publish.parent.span_id == delivery.get_span_context().span_id
    assert publish.kind is SpanKind.PRODUCER
    incoming = telemetry.incoming_context([(k, v.encode()) for k, v in headers.items()])
    carried = trace.get_current_span(incoming).get_span_context()
    assert carried.span_id == publish.context.span_id
    assert carried.trace_id == delivery.get_span_context().trace_id
    assert carried.trace_id != batch.get_span_context().trace_id


def test_log_lines_carry_the_trace_of_the_work_at_hand(spans: InMemorySpanExporter) -> None:
    formatter = JsonFormatter()

    def line(**extra: object) -> dict[str, str]:
        record = logging.LogRecord("t", logging.INFO, __file__, 1, "hello", None, None)
        record.__dict__.update(extra)
        entry: dict[str, str] = orjson.loads(formatter.format(record))
        return entry

    outside = line(case_id="c-1", event_id=None)
    assert outside["case_id"] == "c-1"
    assert "event_id" not in outside
    assert "trace_id" not in outside
    with telemetry.tracer().start_as_current_span("work") as span:
        inside = line(case_id="c-1", event_id="e-1")
    assert inside["trace_id"] == trace.format_trace_id(span.get_span_context().trace_id)
    assert inside["event_id"] == "e-1"


def test_the_exporter_is_chosen_by_settings(tmp_path: Path) -> None:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    def settings(**values: str) -> Settings:
        return Settings().model_copy(update=values)

    assert tracing_setup.exporter_for(settings(traces_exporter="none")) is None
    assert isinstance(
        tracing_setup.exporter_for(settings(traces_exporter="otlp")), OTLPSpanExporter
    )
    file = tmp_path / "spans.jsonl"
    console = tracing_setup.exporter_for(settings(traces_exporter="console", traces_file=str(file)))
    assert isinstance(console, ConsoleSpanExporter)
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(console))
    provider.get_tracer("t").start_span("one").end()
    provider.shutdown()
    (line,) = file.read_text().splitlines()
    assert orjson.loads(line)["name"] == "one"


def test_a_stored_context_is_read_from_records_and_messages_alike() -> None:
    value = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    assert telemetry.traceparent_of([("event_id", b"e"), ("traceparent", value.encode())]) == value
    assert telemetry.traceparent_of({"traceparent": value}) == value
    assert telemetry.traceparent_of([]) is None
    assert telemetry.traceparent_of(None) is None


def test_a_command_without_a_stored_context_stays_in_its_request(
    spans: InMemorySpanExporter,
) -> None:
    with telemetry.tracer().start_as_current_span("request") as request:
        for stored in (None, "", "not a traceparent"):
            with telemetry.rejoined(stored, "Claim command"):
                assert trace.get_current_span() is request
    assert [s.name for s in spans.get_finished_spans()] == ["request"]


def test_without_tracing_a_stored_context_changes_nothing() -> None:
    stored = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    with telemetry.rejoined(stored, "Claim command"):
        assert not trace.get_current_span().get_span_context().is_valid
