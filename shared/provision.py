"""Creates the contract's topics explicitly (6 partitions, kept forever: the log is the source
of truth), plus each service's dead-letter and redrive topics. Idempotent.
``python -m shared.provision``"""

from __future__ import annotations

import asyncio
import logging
import sys

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError

from shared import dead_letters
from shared.events import BACKBONE_TOPICS, OWNED_TOPICS, PARTITIONS, SERVICES
from shared.settings import Settings

TOPIC_CONFIG = {"retention.ms": "-1", "min.insync.replicas": "1"}


def replication_for(brokers: int) -> tuple[int, int]:
    """(replication factor, min.insync.replicas) of the topics on ``brokers`` nodes: every
    record on three of them and acknowledged (acks=all) once on two, so one node can be lost
    without losing an acknowledged record or refusing writes; one node: one copy."""
    if brokers >= 3:
        return 3, 2
    return brokers, 1


def topic_config(brokers: int) -> dict[str, str]:
    return {**TOPIC_CONFIG, "min.insync.replicas": str(replication_for(brokers)[1])}


def contract_topics() -> list[str]:
    return [
        *BACKBONE_TOPICS,
        *OWNED_TOPICS,
        *(dead_letters.topic_for(s) for s in SERVICES),
        *(dead_letters.redrive_topic_for(s) for s in SERVICES),
    ]


async def ensure_topics(bootstrap: str, brokers: int = 1) -> list[str]:
    """Creates the missing topics, replicated as ``brokers`` nodes allow (replication_for);
    returns the names it created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="relais-provision")
    for _ in range(60):
        try:
            await admin.start()
            break
        except KafkaConnectionError:
            await asyncio.sleep(1)
    else:
        raise SystemExit(f"Kafka at {bootstrap} is not reachable")
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in contract_topics() if t not in existing]
        if missing:
            await admin.create_topics(
                [
                    NewTopic(
                        t,
                        PARTITIONS,
                        replication_for(brokers)[0],
                        topic_configs=topic_config(brokers),
                    )
                    for t in missing
                ]
            )
        return missing
    finally:
        await admin.close()


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    settings = Settings()
    created = asyncio.run(ensure_topics(settings.kafka_bootstrap_servers, settings.brokers))
    print(
        f"[stack] topics ready ({len(contract_topics())}; created {len(created)})", file=sys.stderr
    )


if __name__ == "__main__":
    main()
