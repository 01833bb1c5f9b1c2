"""One case is one trace, from intake's HTTP span through every service, for its whole life:
request -> routed -> claimed -> escalated -> routed to support -> resolved -> admin task ->
completed, each service's database work inside it. Staff commands arrive over HTTP long after
the case was routed: their work continues the case's trace and links the request's span. The
services are real processes exporting their spans to files (console exporter)."""

from __future__ import annotations

import secrets
from collections import Counter
from typing import Any

import pytest

from shared.events import ADMIN_TASKS, CASE_ACTIVITY, ESCALATED, REQUEST_RECEIVED, RESOLVED, ROUTED
from tests.support.staff import escalated_then_resolved_with_an_act, liege_request, submit
from tests.support.traces import (
    Span,
    ancestors,
    hex_id,
    parent_id,
    read_spans,
    service_of,
    span_id,
    wait_for_spans,
)

SERVICES = ["intake", "routing", "advisory", "admin"]
# The spans of the case's trace: (service, name, kind) -> how many. Each service reads back
# the facts it published itself (its projection is rebuilt from the log alone).
EXPECTED: dict[tuple[str, str, str], int] = {
    ("intake", "POST /requests", "SERVER"): 1,
    ("intake", f"{REQUEST_RECEIVED} publish", "PRODUCER"): 1,
    ("routing", f"{REQUEST_RECEIVED} process", "CONSUMER"): 1,
    ("routing", f"{ROUTED} publish", "PRODUCER"): 2,
    ("routing", f"{ESCALATED} process", "CONSUMER"): 1,
    ("advisory", f"{ROUTED} process", "CONSUMER"): 2,
    ("advisory", "Claim command", "INTERNAL"): 2,
    ("advisory", "Escalate command", "INTERNAL"): 1,
    ("advisory", "Resolve command", "INTERNAL"): 1,
    ("advisory", f"{CASE_ACTIVITY} publish", "PRODUCER"): 2,
    ("advisory", f"{ESCALATED} publish", "PRODUCER"): 1,
    ("advisory", f"{RESOLVED} publish", "PRODUCER"): 1,
    ("advisory", f"{CASE_ACTIVITY} process", "CONSUMER"): 2,
    ("advisory", f"{ESCALATED} process", "CONSUMER"): 1,
    ("advisory", f"{RESOLVED} process", "CONSUMER"): 1,
    ("admin", f"{REQUEST_RECEIVED} process", "CONSUMER"): 1,
    ("admin", f"{RESOLVED} process", "CONSUMER"): 1,
    ("admin", f"{ADMIN_TASKS} publish", "PRODUCER"): 2,
    ("admin", "CompleteTask command", "INTERNAL"): 1,
    ("admin", f"{ADMIN_TASKS} process", "CONSUMER"): 2,
}


def shape(spans: list[Span]) -> Counter[tuple[str, str, str]]:
    return Counter((service_of(s), s["name"], s["kind"].removeprefix("SpanKind.")) for s in spans)


def complete(spans: list[Span]) -> bool:
    seen = shape(spans)
    return all(seen[k] >= n for k, n in EXPECTED.items())


class Trace:
    """The exported spans of one trace, navigable."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans
        self.by_id = {span_id(s): s for s in spans}

    def named(self, service: str, name: str, parent: Span | None = None) -> list[Span]:
        """The spans of that name (children of ``parent``, if given), earliest first."""
        found = [
            s
            for s in self.spans
            if service_of(s) == service
            and s["name"] == name
            and (parent is None or parent_id(s) == span_id(parent))
        ]
        return sorted(found, key=lambda s: str(s["start_time"]))

    def one(self, service: str, name: str, parent: Span | None = None) -> Span:
        (span,) = self.named(service, name, parent)
        return span

    def descends(self, span: Span, ancestor: Span) -> bool:
        return ancestor in ancestors(span, self.by_id)

    def database_work(self, span: Span) -> list[Span]:
        """PostgreSQL spans under ``span`` or under the consumer batch that applied it."""
        roots = {span_id(span)}
        roots |= {span_id(a) for a in ancestors(span, self.by_id) if "process batch" in a["name"]}
        roots |= {hex_id(link["context"]["span_id"]) or "" for link in span.get("links", [])}
        return [
            s
            for s in self.spans
            if s["attributes"].get("db.system") == "postgresql"
            and ({parent_id(s)} | {span_id(a) for a in ancestors(s, self.by_id)}) & roots
        ]


def linked_request(service: str, command: Span) -> Span:
    """The HTTP server span (in the caller's own trace) a command's span links to."""
    (link,) = command["links"]
    trace_id, linked = hex_id(link["context"]["trace_id"]), hex_id(link["context"]["span_id"])
    assert trace_id is not None
    (server,) = [s for s in read_spans([service], trace_id) if span_id(s) == linked]
    return server


async def test_a_case_is_one_trace_from_the_request_to_its_administrative_act(
    request: pytest.FixtureRequest,
) -> None:
    processes: dict[str, Any] = {name: request.getfixturevalue(name) for name in SERVICES}
    # Given a client that starts a trace of its own and sends its context with the request
    trace_id, client_span = secrets.token_hex(16), secrets.token_hex(8)
    traceparent = {"traceparent": f"00-{trace_id}-{client_span}-01"}
    case_id = await submit(processes["intake"], liege_request(808), traceparent)
    # When the case lives its whole life through the staff's HTTP commands
    lived = await escalated_then_resolved_with_an_act(
        processes["advisory"], processes["admin"], case_id
    )
    # Then every service's spans for it are in that one trace, and only those
    mentioning = await wait_for_spans(SERVICES, trace_id, complete)
    spans = [s for s in mentioning if hex_id(s["context"]["trace_id"]) == trace_id]
    # (A batch of several records is a span of its own trace, linked to each record's: the
    # only other spans naming this trace are such batches, of the case's own events.)
    for other in (s for s in mentioning if s not in spans):
        assert other["name"].endswith("process batch")
        assert trace_id in {hex_id(link["context"]["trace_id"]) for link in other["links"]}
    seen = shape(spans)
    assert {k: seen[k] for k in EXPECTED} == EXPECTED
    t = Trace(spans)
    # And intake's HTTP span continues the client's and publishes the request as its child
    server = t.one("intake", "POST /requests")
    assert parent_id(server) == client_span
    received = t.one("intake", f"{REQUEST_RECEIVED} publish", server)
    assert t.database_work(server), "intake's INSERT is inside the request span"
    # And routing routes it inside the trace, its queries too
    routing_in = t.one("routing", f"{REQUEST_RECEIVED} process")
    assert t.descends(routing_in, received)
    assert routing_in["attributes"]["relais.case_id"] == case_id
    assert t.database_work(routing_in), "routing's queries are in the trace"
    first_routing = t.one("routing", f"{ROUTED} publish", routing_in)
    assert t.descends(t.one("admin", f"{REQUEST_RECEIVED} process"), received)
    # And Ann's claim and escalation continue from the routing that queued the case, each
    # linked to its HTTP request, with its database work inside
    first_in, support_in = t.named("advisory", f"{ROUTED} process")
    assert t.descends(first_in, first_routing)
    claim = t.one("advisory", "Claim command", first_routing)
    escalate = t.one("advisory", "Escalate command", first_routing)
    assert linked_request("advisory", claim)["name"] == "POST /cases/{case_id}/claim"
    assert linked_request("advisory", escalate)["kind"] == "SpanKind.SERVER"
    assert t.database_work(claim), "the command's transaction is in the case's trace"
    t.one("advisory", f"{CASE_ACTIVITY} publish", claim)
    escalated = t.one("advisory", f"{ESCALATED} publish", escalate)
    # And routing sends the escalation to the support team inside the trace
    routing_escalation = t.one("routing", f"{ESCALATED} process")
    assert t.descends(routing_escalation, escalated)
    support_routing = t.one("routing", f"{ROUTED} publish", routing_escalation)
    # And Sam's claim and resolution continue from that routing
    assert t.descends(support_in, support_routing)
    assert t.named("advisory", "Claim command", support_routing)
    resolve = t.one("advisory", "Resolve command", support_routing)
    resolved = t.one("advisory", f"{RESOLVED} publish", resolve)
    # And admin opens the task as a child of the resolution's delivery, and Ada's completion
    # continues from the resolution that opened it
    admin_in = t.one("admin", f"{RESOLVED} process")
    assert t.descends(admin_in, resolved)
    t.one("admin", f"{ADMIN_TASKS} publish", admin_in)
    complete_task = t.one("admin", "CompleteTask command", resolved)
    assert complete_task["attributes"]["relais.task_id"] == lived.task_id
    assert linked_request("admin", complete_task)["name"] == "POST /tasks/{task_id}/completion"
    t.one("admin", f"{ADMIN_TASKS} publish", complete_task)
