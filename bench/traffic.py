"""The generated traffic: realistic demo requests made once into templates, so that sending one
costs a few byte replacements, not a pydantic round trip — the harness must not be the
bottleneck on a 2-core machine."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count

import orjson

from relais_cli.demo_data import stream
from relais_cli.tokens import CHANNEL, token_for
from services.intake.domain import SubmitRequest, request_received
from shared.codec import encode
from shared.settings import Settings

CASE = uuid.UUID("00000000-0000-4000-8000-0000000000ca")
EVENT = uuid.UUID("00000000-0000-4000-8000-0000000000ee")
WHEN = datetime(2000, 1, 1, tzinfo=UTC)
WHEN_TEXT = b"2000-01-01T00:00:00Z"
TEMPLATES = 2000


def iso(moment: datetime) -> bytes:
    """A time as pydantic writes it in events (UTC, 'Z')."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ").encode()


@dataclass(frozen=True)
class Message:
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


class EventTemplates:
    """`RequestReceived` events as intake publishes them, with fresh ids and the current time."""

    def __init__(self, members: int, seed: int) -> None:
        bodies = stream(TEMPLATES, seed=seed, member_count=members)
        self._values = [self._template(body) for body in bodies]
        self._next = count()
        assert WHEN_TEXT in self._values[0], "the template's time must be replaceable"

    @staticmethod
    def _template(body: dict[str, object]) -> bytes:
        request = SubmitRequest.model_validate(body)
        event = request_received(
            request, case_id=CASE, event_id=EVENT, correlation_id=CASE, now=WHEN
        )
        return encode(event)

    def make(self, now: bytes) -> Message:
        """A new event: new case (its key), new event id, occurred/received ``now``."""
        case_id = str(uuid.uuid4()).encode()
        event_id = str(uuid.uuid4()).encode()
        template = self._values[next(self._next) % len(self._values)]
        value = (
            template.replace(str(CASE).encode(), case_id)
            .replace(str(EVENT).encode(), event_id)
            .replace(WHEN_TEXT, now)
        )
        headers = [
            ("content-type", b"application/json"),
            ("event_type", b"RequestReceived"),
            ("schema_version", b"1"),
            ("event_id", event_id),
        ]
        return Message(case_id, value, headers)


class RequestTemplates:
    """Raw HTTP/1.1 `POST /requests`, each with its own Idempotency-Key, sent as a member
    channel (a dev bearer token: the services run with RELAIS_ENV=dev)."""

    def __init__(self, members: int, seed: int, host: str) -> None:
        bodies = stream(TEMPLATES, seed=seed, member_count=members)
        self._bodies = [orjson.dumps(body) for body in bodies]
        self._host = host
        self._run = uuid.uuid4().hex[:12]
        self._next = count()
        self._token = token_for(Settings(), CHANNEL)

    def make(self) -> bytes:
        n = next(self._next)
        body = self._bodies[n % len(self._bodies)]
        head = (
            f"POST /requests HTTP/1.1\r\nHost: {self._host}\r\n"
            f"Content-Type: application/json\r\nIdempotency-Key: bench-{self._run}-{n}\r\n"
            f"Authorization: Bearer {self._token}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body
