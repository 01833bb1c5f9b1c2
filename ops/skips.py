"""The records a service dead-lettered: a rebuild skips them, as the service did (its handlers
run in replay mode, where a request whose routing failed live would otherwise be stored).

They are named by the service's dead letters: those in its dead-letter topic, and those still
in its outbox. The outbox is read first, then the topic to its end (a dead letter relayed in
between is then in the topic). A purged dead letter is forgotten: a rebuild applies its record
if the code can."""

from __future__ import annotations

import orjson

from ops import kafka
from ops.schemas import quoted
from shared import dead_letters as dl
from shared.db import Conn
from shared.headers import as_text

PENDING = "SELECT headers FROM {schema}.outbox WHERE topic = $1"


async def dead_lettered(conn: Conn, bootstrap: str, service: str) -> set[str]:
    """Ids (dead_letters.record_id) of the records ``service`` dead-lettered so far."""
    topic = dl.topic_for(service)
    found: set[str] = set()
    for row in await conn.fetch(PENDING.format(schema=quoted(service)), topic):
        found.add(dl.failed_record(orjson.loads(row["headers"])) or "")
    tps = await kafka.partitions(bootstrap, [topic])
    async with kafka.reader(bootstrap) as consumer:
        first, last = await kafka.starts(consumer, tps), await kafka.ends(consumer, tps)
        todo = {tp: end for tp, end in last.items() if first[tp] < end}
        consumer.assign(list(todo))
        for tp in todo:
            consumer.seek(tp, first[tp])
        while todo:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for records in batch.values():
                for record in records:
                    headers = as_text(record.headers)
                    found.add(dl.failed_record(headers) or "")
            for tp in list(todo):
                if await consumer.position(tp) >= todo[tp]:
                    del todo[tp]
    found.discard("")
    return found
