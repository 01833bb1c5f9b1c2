"""What a batch's records become before a handler: deliveries (decoded events) and failures
(records that go to the dead-letter topic, with their kind and why).

The consumer (shared.consumer), the batch transaction (shared.batch) and what ops see of it
(shared.consumer_observer) all speak these; this module imports none of them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aiokafka import ConsumerRecord

from shared.events import Event


@dataclass(frozen=True)
class Delivery:
    """A decoded event and the Kafka record it was read from."""

    event: Event
    record: ConsumerRecord[Any, Any]


class FailureKind(StrEnum):
    """Why a record is dead-lettered. The values are the ``reason`` label of the
    ``relais_messages_failed_total`` metric (docs/observability.md)."""

    UNDECODABLE = "undecodable"
    """Not an event of its topic: not JSON, an unknown type or version, a field refused."""
    HANDLER_ERROR = "handler_error"
    """Decoded, but its handler raised (a bug, or an event the service refuses)."""
    GAVE_UP = "gave_up"
    """Its handler kept failing transiently after every retry while the database answered:
    the message is the problem (e.g. a statement cancelled each time)."""


# The start of the dead-letter reason (header dlq.reason) of each kind; an undecodable record's
# reason is the decoder's own message.
PREFIXES = {
    FailureKind.UNDECODABLE: "",
    FailureKind.HANDLER_ERROR: "handler error: ",
    FailureKind.GAVE_UP: "gave up after retries: ",
}


@dataclass(frozen=True)
class Failure:
    """A record that goes to the dead-letter topic, and why."""

    record: ConsumerRecord[Any, Any]
    kind: FailureKind
    detail: str

    @classmethod
    def raised(
        cls, record: ConsumerRecord[Any, Any], kind: FailureKind, exc: BaseException
    ) -> Failure:
        """The failure of a record whose handler raised ``exc``."""
        return cls(record, kind, f"{type(exc).__name__}: {exc}")

    @property
    def reason(self) -> str:
        """The dead letter's reason (header dlq.reason), e.g. "handler error: KeyError: 'x'"."""
        return f"{PREFIXES[self.kind]}{self.detail}"
