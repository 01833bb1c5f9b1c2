"""The events a rebuild failed to apply, and the rule that keeps them from going unnoticed.

A record the live service applied but the rebuild cannot (the code changed, a handler fails)
is dead-lettered in the shadow's outbox, which nothing relays: swapped in, the projection
would silently lack it. So the swap is refused when events failed, unless the operator
accepts that many. Records the live service itself dead-lettered are skipped by the replay,
as they were live: they are not failures of the rebuild."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from ops.schemas import quoted
from shared import dead_letters as dl
from shared.db import Conn

FAILED = "SELECT headers FROM {schema}.outbox WHERE topic = $1 ORDER BY id"
SHOWN = 20


@dataclass(frozen=True)
class FailedEvent:
    """Where a record the rebuild could not apply was read, and why it failed."""

    topic: str
    partition: int
    offset: int
    reason: str

    def __str__(self) -> str:
        at = f"{self.topic}[{self.partition}]@{self.offset}" if self.offset >= 0 else self.topic
        return f"{at}: {self.reason}"


class RebuildFailed(RuntimeError):
    """Events failed during the rebuild, more than the operator accepted."""

    def __init__(self, service: str, failures: list[FailedEvent], accepted: int) -> None:
        self.failures = failures
        listed = "\n".join(f"  {f}" for f in failures[:SHOWN])
        more = f"\n  … and {len(failures) - SHOWN} more" if len(failures) > SHOWN else ""
        accepting = f" (you accepted {accepted})" if accepted else ""
        super().__init__(
            f"{len(failures)} events failed to apply during the rebuild of {service}{accepting}; "
            "the live projection is untouched and nothing was swapped. The failed events:\n"
            f"{listed}{more}\n"
            "Fix the cause and rebuild again, or, to swap in a projection without them, run "
            f"the rebuild again with --accept-failures {len(failures)}"
        )


async def failed_events(conn: Conn, shadow: str, service: str) -> list[FailedEvent]:
    """The dead letters the rebuild wrote in ``shadow``'s outbox: its failures."""
    rows = await conn.fetch(FAILED.format(schema=quoted(shadow)), dl.topic_for(service))
    found = []
    for row in rows:
        headers = orjson.loads(row["headers"])
        found.append(
            FailedEvent(
                headers.get(dl.ORIGINAL_TOPIC, "?"),
                int(headers.get(dl.ORIGINAL_PARTITION, -1)),
                int(headers.get(dl.ORIGINAL_OFFSET, -1)),
                headers.get(dl.REASON, "no reason given"),
            )
        )
    return found


def check_failures(service: str, failures: list[FailedEvent], accepted: int) -> None:
    """Raises RebuildFailed when more events failed than the operator accepted."""
    if len(failures) > accepted:
        raise RebuildFailed(service, failures, accepted)
