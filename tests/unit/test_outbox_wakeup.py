"""The outbox relay never sleeps through a commit's notification."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from shared.outbox import OutboxRelay


class Stop(Exception):
    pass


class Session:
    """The relay's session: its first fetch finds nothing, and a commit lands (and notifies)
    just after that fetch's snapshot; the second fetch is the end of the test."""

    def __init__(self, relay: OutboxRelay) -> None:
        self.relay = relay
        self.fetched_at: list[float] = []

    async def fetch(self, *args: Any) -> list[Any]:
        self.fetched_at.append(asyncio.get_running_loop().time())
        if len(self.fetched_at) == 1:
            self.relay.notify()
            return []
        raise Stop

    async def fetchval(self, *args: Any) -> bool:
        return False  # no ops tool pauses the relay


async def test_a_commit_notified_during_an_empty_fetch_is_relayed_at_once() -> None:
    relay = OutboxRelay(cast(Any, None), "routing", cast(Any, None))
    session = Session(relay)
    with pytest.raises(Stop):
        await relay._relay_while_locked(cast(Any, session))
    # Not after the relay's 0.5 s poll: the notification was lost that way.
    first, second = session.fetched_at
    assert second - first < 0.1
