"""Provisioning creates the topics that are missing and leaves the others as they are: a topic
grown past PARTITIONS (`relais partitions grow`) keeps its partitions when the stack or a
deploy provisions again."""

from __future__ import annotations

import uuid

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared import provision
from shared.events import PARTITIONS
from shared.kafka_reads import partitions
from tests.support.polling import until


async def test_a_grown_topic_keeps_its_partitions_when_provisioned_again(
    bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    grown, missing = (f"test.provision-{uuid.uuid4().hex[:8]}-{n}" for n in ("grown", "new"))
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        # Given a topic of the catalogue with more partitions than PARTITIONS, one missing
        await admin.create_topics([NewTopic(grown, PARTITIONS * 2, 1)])
        monkeypatch.setattr(provision, "contract_topics", lambda: [grown, missing])
        # When provisioning runs
        created = await provision.ensure_topics(bootstrap)
        # Then it creates the missing one only, and the grown one keeps its partitions
        assert created == [missing]
        assert len(await partitions(bootstrap, [grown])) == PARTITIONS * 2
        made = await until(lambda: partitions(bootstrap, [missing]), bool, timeout=10)
        assert len(made) == PARTITIONS
    finally:
        await admin.delete_topics([grown, missing])
        await admin.close()
