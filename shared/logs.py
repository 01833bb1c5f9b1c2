"""Structured JSON logs, one object a line, with the case and event ids when there are some and
the trace and span ids of the current span when tracing is on."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

import orjson

from shared import telemetry

_EXTRA_KEYS = ("case_id", "event_id", "topic", "partition", "offset", "reason", "service")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in _EXTRA_KEYS:
            if record.__dict__.get(key) is not None:
                entry[key] = str(record.__dict__[key])
        ids = telemetry.current_ids()  # the span of the request or delivery being handled
        if ids is not None:
            entry["trace_id"], entry["span_id"] = ids
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiokafka reports every broker hiccup at ERROR with a traceback; our own retries say more.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
