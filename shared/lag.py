"""Consumer lag: how far a consumer group is behind the end of its topics.

The end offsets come from Kafka; the positions from PostgreSQL, where they are stored with the
projection rows (``shared.tracking``), so the lag counts what is not yet *applied*, whatever
Kafka's committed offsets say."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

POSITIONS = """
SELECT topic, partition, next_offset FROM consumer_positions
WHERE consumer_group = $1 AND topic = ANY($2::text[])"""

Partition = tuple[str, int]


class OffsetsProbe:
    """A Kafka client of its own (no consumer group) that reads topics' end offsets."""

    def __init__(self, bootstrap: str, client_id: str) -> None:
        self._bootstrap = bootstrap
        self._client_id = client_id
        self._consumer: AIOKafkaConsumer | None = None
        self._admin: AIOKafkaAdminClient | None = None

    async def end_offsets(
        self, topics: Sequence[str], timeout: float = 2.0
    ) -> dict[Partition, int]:
        """The next offset to be written in every partition of ``topics``."""
        try:
            return await asyncio.wait_for(self._end_offsets(topics), timeout)
        except Exception:
            await self.close()  # start afresh next time: the broker may have gone and come back
            raise

    async def _end_offsets(self, topics: Sequence[str]) -> dict[Partition, int]:
        consumer = await self._started()
        # Asked each time: a topic may have grown since (`relais partitions grow`).
        partitions = [TopicPartition(t, p) for t, p in await self._partitions(topics)]
        ends = await consumer.end_offsets(partitions) if partitions else {}
        return {(tp.topic, tp.partition): int(offset) for tp, offset in ends.items()}

    async def _partitions(self, topics: Sequence[str]) -> list[Partition]:
        if not topics:
            return []
        if self._admin is None:
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self._bootstrap, client_id=self._client_id
            )
            try:
                await admin.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await admin.close()
                raise
            self._admin = admin
        described = await self._admin.describe_topics(list(topics))
        return sorted(
            (t["topic"], p["partition"])
            for t in described
            if t.get("error_code") == 0
            for p in t.get("partitions", ())
        )

    async def _started(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self._bootstrap,
                enable_auto_commit=False,
                client_id=self._client_id,
            )
            try:
                await consumer.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await consumer.stop()
                raise
            self._consumer = consumer
        return self._consumer

    async def close(self) -> None:
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            with contextlib.suppress(Exception):
                await asyncio.wait_for(consumer.stop(), timeout=5)
        if self._admin is not None:
            admin, self._admin = self._admin, None
            with contextlib.suppress(Exception):
                await asyncio.wait_for(admin.close(), timeout=5)


async def consumer_lag(
    pool: asyncpg.Pool, group: str, ends: dict[Partition, int]
) -> dict[Partition, int]:
    """Messages not yet applied by ``group``, per partition of the topics in ``ends``."""
    topics = sorted({t for t, _ in ends})
    rows = await pool.fetch(POSITIONS, group, topics)
    applied = {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
    return {tp: max(0, end - applied.get(tp, 0)) for tp, end in ends.items()}
