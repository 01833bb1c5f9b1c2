"""Spans written by service processes (console exporter, one JSON span a line, one file each)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from tests.support.processes import LOGS

Span = dict[str, Any]


def spans_file(service: str) -> Path:
    return LOGS / f"{service}.spans.jsonl"


def tracing_env(service: str) -> dict[str, str]:
    """Environment that makes a service process export its spans to its file, promptly."""
    return {
        "RELAIS_TRACES_EXPORTER": "console",
        "RELAIS_TRACES_FILE": str(spans_file(service)),
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }


def read_spans(services: list[str], trace_id: str) -> list[Span]:
    """Every exported span of ``trace_id`` (hex, no 0x) in the services' files."""
    found: list[Span] = []
    for service in services:
        path = spans_file(service)
        if not path.exists():
            continue
        for line in path.read_bytes().splitlines():
            if trace_id.encode() in line:
                found.append(orjson.loads(line))
    return found


async def wait_for_spans(
    services: list[str], trace_id: str, done: Callable[[list[Span]], bool], timeout: float = 30.0
) -> list[Span]:
    """Reads the files until ``done(spans)`` or the timeout; returns what was found."""
    deadline = time.monotonic() + timeout
    spans = read_spans(services, trace_id)
    while not done(spans) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        spans = read_spans(services, trace_id)
    return spans


def hex_id(value: str | None) -> str | None:
    """'0xabc…' as the exporter writes ids -> 'abc…'."""
    return value[2:] if value and value.startswith("0x") else value


def service_of(span: Span) -> str:
    return str(span["resource"]["attributes"]["service.name"])


def span_id(span: Span) -> str:
    return str(hex_id(span["context"]["span_id"]))


def parent_id(span: Span) -> str | None:
    return hex_id(span.get("parent_id"))


def ancestors(span: Span, by_id: dict[str, Span]) -> list[Span]:
    """The span's parents up to the trace's root (as far as they were exported)."""
    chain: list[Span] = []
    parent = parent_id(span)
    while parent is not None and parent in by_id:
        chain.append(by_id[parent])
        parent = parent_id(by_id[parent])
    return chain
