"""Open-loop load: requests are due at fixed times (rate x elapsed), whatever the system under
test answers; each case is registered with its due time. Two ways in: straight onto
`request-received` (as intake's relay would publish), or through intake's HTTP API."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import orjson
from aiokafka import AIOKafkaProducer

from bench.tracker import Trackers, now
from bench.traffic import EventTemplates, Message, RequestTemplates, iso
from shared.events import REQUEST_RECEIVED
from shared.partitioner import partition

TICK_S = 0.002


def raw_producer(bootstrap: str, **options: Any) -> AIOKafkaProducer:
    """The producer settings the services' outbox relays use (shared.kafka.new_producer)."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        max_batch_size=256 * 1024,
        client_id="relais-bench",
        **options,
    )


@dataclass
class Sent:
    """What a driver did in one step."""

    due: int = 0
    # How far behind its schedule the generator itself fell, at worst (seconds).
    max_behind_s: float = 0.0
    errors: Counter[str] = field(default_factory=Counter)
    accepted: int = 0
    accept_latency: list[float] = field(default_factory=list)


async def paced(
    rate: float,
    seconds: float,
    emit: Callable[[float], None],
    sent: Sent,
    flush: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Calls ``emit(due_time)`` for request i at start + i / rate, catching up in bursts, then
    ``flush()`` once per tick to send what was emitted."""
    total = max(1, round(rate * seconds))
    start = now()
    done = 0
    while done < total:
        elapsed = now() - start
        due = min(total, int(elapsed * rate) + 1)
        if due > done:
            sent.max_behind_s = max(sent.max_behind_s, elapsed - done / rate)
        for i in range(done, due):
            emit(start + i / rate)
        if flush is not None:
            await flush()
        done = due
        sent.due = done
        # Until the next request is due, but at least a tick: at low rates the harness should
        # not wake up hundreds of times a second for nothing (it shares the two cores).
        await asyncio.sleep(max(TICK_S, start + done / rate - now()))


class DirectDriver:
    """Publishes `RequestReceived` events as intake's relay does: same producer settings, one
    record batch per partition (the harness must spend as little CPU as it can)."""

    name = "request-received"

    def __init__(
        self, bootstrap: str, members: int, seed: int, topic: str = REQUEST_RECEIVED
    ) -> None:
        self._topic = topic
        self._templates = EventTemplates(members, seed)
        self._producer = raw_producer(bootstrap, partitioner=partition)
        self._partitions: list[int] = []

    async def start(self) -> None:
        await self._producer.start()
        self._partitions = sorted(await self._producer.partitions_for(self._topic))

    async def stop(self) -> None:
        await self._producer.stop()

    async def drive(self, rate: float, seconds: float, trackers: Trackers) -> Sent:
        sent = Sent()
        batches: list[tuple[int, asyncio.Future[Any]]] = []
        pending: dict[int, list[Message]] = {}
        stamp = iso(datetime.now(UTC))
        made = 0

        def emit(due: float) -> None:
            nonlocal stamp, made
            if made % 100 == 0:  # events carry the time they were made, roughly
                stamp = iso(datetime.now(UTC))
            made += 1
            message = self._templates.make(stamp)
            trackers.expect(message.key, due)
            target = partition(message.key, self._partitions, self._partitions)
            pending.setdefault(target, []).append(message)

        async def flush() -> None:
            for target, messages in pending.items():
                batches.extend(await self._send(target, messages))
            pending.clear()

        await paced(rate, seconds, emit, sent, flush)
        results = await asyncio.gather(*(f for _, f in batches), return_exceptions=True)
        for (count, _), result in zip(batches, results, strict=True):
            if isinstance(result, BaseException):
                sent.errors[type(result).__name__] += count
        sent.accepted = sent.due - sum(sent.errors.values())
        return sent

    async def _send(self, target: int, messages: list[Message]) -> list[tuple[int, Any]]:
        sent: list[tuple[int, Any]] = []
        batch, count = self._producer.create_batch(), 0
        for m in messages:
            while batch.append(key=m.key, value=m.value, timestamp=None, headers=m.headers) is None:
                if not count:
                    raise ValueError("a message larger than a Kafka batch")
                future = await self._producer.send_batch(batch, self._topic, partition=target)
                sent.append((count, future))
                batch, count = self._producer.create_batch(), 0
            count += 1
        batch.close()  # complete: sent at once rather than after linger_ms
        sent.append((count, await self._producer.send_batch(batch, self._topic, partition=target)))
        return sent


class HttpDriver:
    """POSTs to one or more intake processes over keep-alive connections (a minimal HTTP/1.1
    client: httpx would cost the harness more CPU than intake spends per request)."""

    name = "intake HTTP"

    def __init__(self, urls: list[str], connections: int, members: int, seed: int) -> None:
        self._urls = urls
        self._connections = connections
        host = urlsplit(urls[0]).netloc
        self._templates = RequestTemplates(members, seed, host)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def drive(self, rate: float, seconds: float, trackers: Trackers) -> Sent:
        sent = Sent()
        queues: list[asyncio.Queue[tuple[float, bytes] | None]] = [
            asyncio.Queue() for _ in self._urls
        ]
        workers = [
            asyncio.create_task(self._worker(url, queue, trackers, sent))
            for url, queue in zip(self._urls, queues, strict=True)
            for _ in range(self._connections)
        ]
        turn = 0

        def emit(due: float) -> None:
            nonlocal turn
            queues[turn % len(queues)].put_nowait((due, self._templates.make()))
            turn += 1

        try:
            await paced(rate, seconds, emit, sent)
            for queue in queues:
                for _ in range(self._connections):
                    queue.put_nowait(None)
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()
        return sent

    async def _worker(
        self,
        url: str,
        queue: asyncio.Queue[tuple[float, bytes] | None],
        trackers: Trackers,
        sent: Sent,
    ) -> None:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while (job := await queue.get()) is not None:
                due, request = job
                try:
                    writer.write(request)
                    status, body = await read_response(reader)
                except (OSError, asyncio.IncompleteReadError) as exc:
                    sent.errors[type(exc).__name__] += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
                    continue
                if status != 202:
                    sent.errors[f"HTTP {status}"] += 1
                    continue
                accepted = now()
                sent.accepted += 1
                sent.accept_latency.append(accepted - due)
                trackers.expect(orjson.loads(body)["case_id"].encode(), due, accepted)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Status and body of one HTTP/1.1 response with a Content-Length."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    at = head.lower().find(b"content-length:")
    length = int(head[at + 15 : head.index(b"\r\n", at)]) if at >= 0 else 0
    body = await reader.readexactly(length) if length else b""
    return status, body
