"""A staff command on a case consumed long ago joins the case's trace (real PostgreSQL, advisory's
and admin's own code): the trace context the case's routing, or the resolution that opened the
task, travelled with is stored with the fact; the command's work and the event it publishes
continue that trace, linked to the span of the HTTP request that carried the command."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from functools import partial
from typing import Any

import asyncpg
import orjson
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.admin import commands as admin_commands
from services.admin import handlers as admin_handlers
from services.admin.decisions import CompleteTask
from services.admin.due_dates import DEFAULT_DUE
from services.advisory import commands
from services.advisory import handlers as advisory_handlers
from services.advisory.decisions import Claim
from shared import telemetry
from shared.consumer import Apply, BatchConsumer
from shared.db import PoolHolder
from shared.events import RESOLVED, ROUTED, AdminAct, CaseResolved, Event, Outcome, Tier
from shared.service import then
from tests.integration.conftest import ScratchFactory
from tests.support.cases import ADA, ANN, T0, first_routing
from tests.support.lifecycles import as_records

Record = Any


def holder_of(pool: asyncpg.Pool) -> PoolHolder:
    holder = PoolHolder()
    holder.pool = pool
    return holder


async def consume(pool: asyncpg.Pool, service: str, apply: Apply, records: list[Record]) -> None:
    await BatchConsumer(holder_of(pool), service=service, group=service, apply=apply).process(
        records
    )


def published_in_a_trace(topic: str, event: Event) -> tuple[Record, trace.SpanContext]:
    """The event's record as its producer sent it: its trace context in the headers."""
    (record,) = as_records([(topic, event)])
    with telemetry.tracer().start_as_current_span(f"{topic} publish") as span:
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
    headers = [*record.headers, *((k, v.encode()) for k, v in carrier.items())]
    return dataclasses.replace(record, headers=headers), span.get_span_context()


def the(spans: InMemorySpanExporter, name: str) -> ReadableSpan:
    (span,) = [s for s in spans.get_finished_spans() if s.name == name]
    return span


def queries_under(spans: InMemorySpanExporter, parent: ReadableSpan) -> list[ReadableSpan]:
    return [
        s
        for s in spans.get_finished_spans()
        if s.kind is SpanKind.CLIENT and s.parent and s.parent.span_id == parent.context.span_id
    ]


async def outgoing(pool: asyncpg.Pool, event_id: uuid.UUID) -> dict[str, str]:
    """The headers the outbox holds for an event."""
    for row in await pool.fetch("SELECT headers FROM outbox"):
        headers: dict[str, str] = orjson.loads(row["headers"])
        if headers["event_id"] == str(event_id):
            return headers
    raise AssertionError(f"{event_id} is not in the outbox")


def parent_of(headers: dict[str, str]) -> trace.SpanContext:
    return trace.get_current_span(propagate.extract(headers)).get_span_context()


def assert_continues(
    spans: InMemorySpanExporter, command: ReadableSpan, cause: trace.SpanContext, http: Any
) -> None:
    """The command's span is a child of ``cause``, links the HTTP span, holds its queries."""
    assert command.parent is not None
    assert (command.parent.trace_id, command.parent.span_id) == (cause.trace_id, cause.span_id)
    assert [link.context.span_id for link in command.links] == [http.get_span_context().span_id]
    assert command.context.trace_id != http.get_span_context().trace_id
    assert queries_under(spans, command), "the command's transaction is inside its span"


async def test_a_claim_over_http_continues_the_trace_of_the_cases_routing(
    scratch_schema: ScratchFactory, spans: InMemorySpanExporter
) -> None:
    pool = await scratch_schema("advisory")
    case_id = uuid.uuid4()
    # Given advisory consumed the case's routing, published inside the case's trace
    record, routing = published_in_a_trace(ROUTED, first_routing(case_id))
    await consume(pool, "advisory", advisory_handlers.apply_case_events, [record])
    # When an adviser claims the case over HTTP (a request span of the caller's own trace)
    with telemetry.tracer().start_as_current_span("POST claim", kind=SpanKind.SERVER) as http:
        event, _ = await commands.execute(
            holder_of(pool), case_id, Claim(), ANN, event_id=uuid.uuid4(), now=T0
        )
    # Then the command's work continues the routing's trace, linked to the HTTP request
    command = the(spans, "Claim command")
    assert_continues(spans, command, routing, http)
    # And the claim goes out as a child of the command's publish span, and is stored so
    headers = await outgoing(pool, event.event_id)
    publish = the(spans, "case-activity publish")
    assert publish.parent is not None
    assert publish.parent.span_id == command.context.span_id
    assert parent_of(headers).span_id == publish.context.span_id
    stored = await pool.fetchval(
        "SELECT traceparent FROM case_history WHERE event_id = $1", event.event_id
    )
    assert stored == headers["traceparent"]


def resolution(case_id: uuid.UUID) -> CaseResolved:
    return CaseResolved(
        type="CaseResolved",
        schema_version=1,
        event_id=uuid.uuid4(),
        occurred_at=T0,
        case_id=case_id,
        member_id="M-100001",
        correlation_id=case_id,
        causation_id=None,
        producer="advisory",
        outcome=Outcome.SOLVED,
        admin_act=AdminAct.PAYMENT,
        resolved_by="sam",
        tier=Tier.SUPPORT,
        office="liege",
        note="",
        resolved_at=T0,
    )


async def test_completing_a_task_continues_the_trace_of_the_resolution(
    scratch_schema: ScratchFactory, spans: InMemorySpanExporter
) -> None:
    pool = await scratch_schema("admin")
    # Given admin consumed a resolution published inside the case's trace, and opened a task
    record, resolved = published_in_a_trace(RESOLVED, resolution(uuid.uuid4()))
    live = then(
        admin_handlers.apply_case_resolved,
        partial(admin_handlers.decide_case_resolved, due=DEFAULT_DUE),
    )
    await consume(pool, "admin", live, [record])
    opened = the(spans, "admin-tasks publish")
    assert opened.context.trace_id == resolved.trace_id
    task_id = await pool.fetchval("SELECT task_id FROM tasks")
    # When the administrative team completes it over HTTP
    with telemetry.tracer().start_as_current_span("POST completion", kind=SpanKind.SERVER) as http:
        await admin_commands.execute(
            holder_of(pool),
            task_id,
            CompleteTask(note="paid"),
            ADA,
            event_id=uuid.uuid4(),
            now=T0 + timedelta(hours=1),
        )
    # Then the completion continues from the resolution that opened the task (a context the
    # log holds, unlike the opening's own publish span), linked to the HTTP request
    assert_continues(spans, the(spans, "CompleteTask command"), resolved, http)
    stored = await pool.fetch("SELECT type, traceparent FROM task_history ORDER BY occurred_at")
    assert [r["type"] for r in stored] == ["AdminTaskOpened", "AdminTaskCompleted"]
    assert all(r["traceparent"] for r in stored)
