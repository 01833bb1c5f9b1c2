"""One member request is one trace, from intake's HTTP span through every service it reaches,
with each service's database work inside it. The services are real processes exporting their
spans to files (console exporter)."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from relais_cli.demo_data import stream
from shared.events import REQUEST_RECEIVED, ROUTED
from tests.support.auth import CHANNEL
from tests.support.traces import (
    Span,
    ancestors,
    hex_id,
    parent_id,
    service_of,
    span_id,
    wait_for_spans,
)

# (service, topic it consumes, topic it publishes), in pipeline order. A service joining the
# pipeline is one more line here (with its session fixture in conftest.py).
PIPELINE: list[tuple[str, str | None, str]] = [
    ("intake", None, REQUEST_RECEIVED),
    ("routing", REQUEST_RECEIVED, ROUTED),
]
SERVICES = [name for name, _, _ in PIPELINE]


def named(spans: list[Span], service: str, name: str, kind: str) -> list[Span]:
    return [
        s
        for s in spans
        if service_of(s) == service and s["name"] == name and s["kind"] == f"SpanKind.{kind}"
    ]


def complete(spans: list[Span]) -> bool:
    """Every hop has exported its publish span (so the whole chain up to it is there)."""
    return all(named(spans, svc, f"{out} publish", "PRODUCER") for svc, _, out in PIPELINE)


def database_work(span: Span, spans: list[Span], by_id: dict[str, Span]) -> list[Span]:
    """PostgreSQL spans under ``span`` or under the consumer batch that applied it."""
    roots = {span_id(span)}
    roots |= {span_id(a) for a in ancestors(span, by_id) if a["name"].endswith("process batch")}
    roots |= {hex_id(link["context"]["span_id"]) or "" for link in span.get("links", [])}
    return [
        s
        for s in spans
        if s["kind"] == "SpanKind.CLIENT"
        and s["attributes"].get("db.system") == "postgresql"
        and ({parent_id(s)} | {span_id(a) for a in ancestors(s, by_id)}) & roots
    ]


async def test_one_request_is_one_trace_across_the_services(
    request: pytest.FixtureRequest,
) -> None:
    processes: dict[str, Any] = {name: request.getfixturevalue(name) for name in SERVICES}
    # Given a client that starts a trace of its own and sends its context with the request
    trace_id, client_span = secrets.token_hex(16), secrets.token_hex(8)
    headers = {**CHANNEL, "traceparent": f"00-{trace_id}-{client_span}-01"}
    # When a member request goes in
    async with httpx.AsyncClient(base_url=processes["intake"].url) as client:
        response = await client.post("/requests", json=stream(1, seed=808)[0], headers=headers)
    assert response.status_code == 202
    case_id = response.json()["case_id"]
    # Then every service's spans for it are in that one trace
    spans = await wait_for_spans(SERVICES, trace_id, complete)
    assert complete(spans), sorted((service_of(s), s["name"]) for s in spans)
    assert {hex_id(s["context"]["trace_id"]) for s in spans} == {trace_id}
    by_id = {span_id(s): s for s in spans}
    # And intake's HTTP span continues the client's, and publishes the event as its child
    (server,) = named(spans, "intake", "POST /requests", "SERVER")
    assert parent_id(server) == client_span
    (published,) = named(spans, "intake", f"{REQUEST_RECEIVED} publish", "PRODUCER")
    assert parent_id(published) == span_id(server)
    assert database_work(server, spans, by_id), "intake's INSERT is inside the request span"
    # And each next service consumes the previous one's event as a descendant of its publish
    # span, does its database work inside the trace, and publishes as a child of the delivery
    for service, consumed, produced in PIPELINE[1:]:
        (delivery,) = named(spans, service, f"{consumed} process", "CONSUMER")
        assert published in ancestors(delivery, by_id)
        assert delivery["attributes"]["relais.case_id"] == case_id
        assert database_work(delivery, spans, by_id), f"{service}'s queries are in the trace"
        (published,) = named(spans, service, f"{produced} publish", "PRODUCER")
        assert parent_id(published) == span_id(delivery)
