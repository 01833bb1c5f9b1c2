"""What FastStream does to a batch before a handler runs, made unable to lose it.

FastStream parses a batch (decoding every header value as UTF-8), decodes it and runs the
middlewares before calling the handler. An error there is logged and the batch dropped, while
later batches move the positions past it: a silent loss. Two guards:

- ``parse_batch``: a null header value (the Kafka protocol allows it) or bytes that are not
  UTF-8 no longer fail the parser. FastStream parses a copy with readable headers; the handler
  still gets the records exactly as they were read.
- ``Rescue``: any error that still escapes before, around or after the handler hands the batch
  to the service's own consumer, which decodes each record itself: each is applied,
  dead-lettered with why, or read again. Records already applied are skipped, so a batch
  handled twice changes nothing."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import ConsumerRecord
from faststream import BaseMiddleware
from faststream.message import StreamMessage

from shared.headers import text

log = logging.getLogger(__name__)

Records = tuple[ConsumerRecord[Any, Any], ...]
Parser = Callable[[Records], Awaitable[StreamMessage[Any]]]
Handle = Callable[[Sequence[ConsumerRecord[Any, Any]], Any], Awaitable[None]]


async def parse_batch(records: Records, original: Parser) -> StreamMessage[Any]:
    """FastStream's batch parser, given readable headers when the real ones would fail it."""
    try:
        return await original(records)
    except (AttributeError, UnicodeDecodeError):
        message = await original(tuple(_readable(r) for r in records))
        message.raw_message = records
        return message


def _readable(record: ConsumerRecord[Any, Any]) -> ConsumerRecord[Any, Any]:
    headers = [(key, text(value).encode()) for key, value in record.headers or ()]
    return dataclasses.replace(record, headers=headers)


class Rescuers:
    """The consumer behind each subscriber of a broker, for ``Rescue`` to hand batches to."""

    def __init__(self) -> None:
        self._handles: dict[int, Handle] = {}

    def register(self, subscriber: object, handle: Handle) -> None:
        self._handles[id(subscriber)] = handle

    def middleware(self, msg: Any, /, *, context: Any) -> Rescue:
        """The broker middleware (FastStream builds one per message)."""
        return Rescue(msg, context=context, rescuers=self)

    def handle_of(self, subscriber: object) -> Handle | None:
        return self._handles.get(id(subscriber))


class Rescue(BaseMiddleware):
    """When an error escapes FastStream's processing of a batch, the service's consumer
    handles the batch's records itself rather than let FastStream drop them."""

    def __init__(self, msg: Any, /, *, context: Any, rescuers: Rescuers) -> None:
        super().__init__(msg, context=context)
        self._rescuers = rescuers

    async def after_processed(
        self,
        exc_type: type[BaseException] | None = None,
        exc_val: BaseException | None = None,
        exc_tb: Any = None,
    ) -> bool | None:
        if exc_val is None or not isinstance(exc_val, Exception):
            return False
        subscriber = self.context.get_local("handler_")
        handle = self._rescuers.handle_of(subscriber)
        records = self.msg if isinstance(self.msg, tuple) else (self.msg,)
        if handle is None or not records:
            return False
        log.warning(
            "FastStream failed on a batch before the handler (%s: %s); the consumer takes it",
            type(exc_val).__name__,
            exc_val,
        )
        await handle(records, subscriber.consumer)
        return True
