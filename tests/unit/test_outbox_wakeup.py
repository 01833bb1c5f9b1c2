"""The outbox relay never sleeps through a commit's notification: its own instance's (in
process) or another instance's (a NOTIFY it LISTENs for); a lost one costs the poll, no more."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

import pytest

from shared.outbox import WAKE, LockLost, OutboxRelay, channel


class Stop(Exception):
    pass


class Session:
    """The relay's session: each fetch finds nothing and runs the next step, if any; the
    fetch after the last step is the end of the test."""

    def __init__(self, *steps: Callable[[], None]) -> None:
        self.steps = list(steps)
        self.fetched_at: list[float] = []
        self.closed = False
        self.listening: dict[str, Callable[..., None]] = {}
        self.on_end: list[Callable[..., None]] = []

    async def fetch(self, *args: Any) -> list[Any]:
        self.fetched_at.append(asyncio.get_running_loop().time())
        if not self.steps:
            raise Stop
        self.steps.pop(0)()
        return []

    async def fetchval(self, *args: Any) -> bool:
        return False  # no ops tool pauses the relay

    def is_closed(self) -> bool:
        return self.closed

    async def add_listener(self, name: str, callback: Callable[..., None]) -> None:
        self.listening[name] = callback

    async def remove_listener(self, name: str, callback: Callable[..., None]) -> None:
        assert self.listening.pop(name) == callback

    def add_termination_listener(self, callback: Callable[..., None]) -> None:
        self.on_end.append(callback)

    def remove_termination_listener(self, callback: Callable[..., None]) -> None:
        self.on_end.remove(callback)

    def end(self) -> None:
        """The server closes the session: asyncpg calls its termination listeners."""
        self.closed = True
        for callback in self.on_end:
            callback(self)


class Pool:
    """Counts the NOTIFYs sent; each is held until ``sent`` is set."""

    def __init__(self) -> None:
        self.notified: list[tuple[str, str]] = []
        self.sent = asyncio.Event()

    async def execute(self, query: str, *args: Any) -> str:
        self.notified.append((query, *args))
        await self.sent.wait()
        return "SELECT 1"


def relay(pool: Pool | None = None, poll: float = 0.5) -> OutboxRelay:
    return OutboxRelay(cast(Any, pool), "routing", cast(Any, None), poll=poll)


async def test_a_commit_notified_during_an_empty_fetch_is_relayed_at_once() -> None:
    pool = Pool()
    holder = relay(pool)
    # A commit on the holder's instance lands (and notifies) just after the fetch's snapshot
    session = Session(holder.notify)
    with pytest.raises(Stop):
        await holder._relay_while_locked(cast(Any, session))
    # Not after the relay's 0.5 s poll: the notification was lost that way.
    first, second = session.fetched_at
    assert second - first < 0.1
    assert pool.notified == [], "the holder is woken in-process, not by a NOTIFY"


async def test_another_instances_notify_wakes_the_holder_at_once() -> None:
    holder = relay(poll=5.0)
    loop = asyncio.get_running_loop()

    def notified() -> None:  # another instance's NOTIFY, as asyncpg hands it over
        session.listening["outbox:routing"](session, 4242, "outbox:routing", "")

    def soon_notified() -> None:
        loop.call_later(0.05, notified)

    # A NOTIFY arrives while the relay waits after its first (empty) fetch
    session = Session(soon_notified)
    async with holder._listening(cast(Any, session)):
        assert set(session.listening) == {"outbox:routing"}
        with pytest.raises(Stop):
            await asyncio.wait_for(holder._relay_while_locked(cast(Any, session)), timeout=2)
    first, second = session.fetched_at
    assert second - first < 1.0  # not the 5 s poll
    assert session.listening == {}, "its LISTEN is not left on the pool's connection"
    assert session.on_end == []


async def test_a_lost_wake_up_costs_the_poll_interval() -> None:
    holder = relay(poll=0.2)
    session = Session(lambda: None)  # nobody notifies
    with pytest.raises(Stop):
        await holder._relay_while_locked(cast(Any, session))
    first, second = session.fetched_at
    assert 0.15 < second - first < 1.0


async def test_the_session_ending_while_idle_is_the_lock_lost_at_once() -> None:
    holder = relay(poll=5.0)
    session = Session(lambda: None)
    loop = asyncio.get_running_loop()
    loop.call_later(0.1, session.end)
    async with holder._listening(cast(Any, session)):
        started = loop.time()
        with pytest.raises(LockLost):
            await holder._relay_while_locked(cast(Any, session))
    assert loop.time() - started < 1.0  # not the 5 s poll
    assert len(session.fetched_at) == 1, "no fetch on a session that ended"


async def test_an_instance_not_holding_the_lock_notifies_the_holder_once_per_round_trip() -> None:
    pool = Pool()
    standby = relay(pool)
    # Given a NOTIFY in flight, when 50 more commits land
    standby.notify()
    await asyncio.sleep(0)
    for _ in range(50):
        standby.notify()
    await asyncio.sleep(0.01)
    assert pool.notified == [(WAKE, "outbox:routing")]
    # Then they are folded into one more NOTIFY on the service's channel once it returns
    pool.sent.set()
    assert standby._waking is not None
    await standby._waking
    assert pool.notified == [(WAKE, "outbox:routing")] * 2
    assert standby.woke_holder == 2


async def test_a_failed_notify_is_not_an_error_of_the_commit() -> None:
    class Down:
        async def execute(self, *args: Any) -> str:
            raise OSError("connection refused")

    standby = OutboxRelay(cast(Any, Down()), "routing", cast(Any, None))
    standby.notify()
    assert standby._waking is not None
    await standby._waking  # logged; the holder's poll relays the rows
    assert standby.woke_holder == 0


def test_the_channel_is_the_services_and_fits_a_postgresql_name() -> None:
    assert channel("advisory") == "outbox:advisory"
    with pytest.raises(ValueError, match="too long"):
        channel("x" * 57)
