"""Structured JSON logs, one object a line, with the case and event ids when there are some."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

import orjson

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
            if key in record.__dict__:
                entry[key] = str(record.__dict__[key])
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
