"""intake consumes one topic (advisory's follow-ups) but its API reads only what it wrote:
it stays ready while Kafka is away, where a service answering from what it consumed is not."""

from __future__ import annotations

from typing import Any

from services.catalog import BUILDERS
from tests.support.apps import client_of


class Database:
    """A pool that answers: the database check passes."""

    async def fetchval(self, *_: Any) -> int:
        return 1


async def ready(service: str) -> tuple[int, dict[str, Any]]:
    runtime, app = BUILDERS[service](None)
    runtime.holder.pool = Database()  # type: ignore[assignment]
    assert runtime.consumers  # both consume; Kafka is not connected
    async with client_of(app) as client:
        answer = await client.get("/ready")
    return answer.status_code, answer.json()


async def test_intake_is_ready_without_kafka() -> None:
    assert await ready("intake") == (200, {"status": "ok", "checks": {"database": "ok"}})


async def test_advisory_is_not() -> None:
    status, body = await ready("advisory")
    assert status == 503
    assert body["checks"]["kafka"] == "connecting"
