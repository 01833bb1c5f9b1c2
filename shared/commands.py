"""The one way a staff command runs (advisory's cases, admin's tasks, routing's organisation):
in one transaction, lock what it acts on, load what the decision needs, decide (pure), record
the fact with the consumers' own code and put it in the outbox; then answer.

A refusal (shared.refusals) raised by the decision writes nothing and is answered by the HTTP
layer. Two commands on one subject are serialised by its lock: the second decides on the state
the first left. The work joins the subject's trace when the service keeps one (a case's, begun
with the member's request), linked to the HTTP request's span."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, Protocol, TypeVar
from uuid import UUID

from shared import faults, locks, outbox, telemetry
from shared.db import Conn, PoolHolder
from shared.events import Event
from shared.identity import Principal

StateT = TypeVar("StateT")
EventT = TypeVar("EventT", bound=Event)
CommandT = TypeVar("CommandT")
# The same, as a decision's protocol takes them (in: what it reads; out: what it gives).
StateIn = TypeVar("StateIn", contravariant=True)
CommandIn = TypeVar("CommandIn", contravariant=True)
EventOut = TypeVar("EventOut", bound=Event, covariant=True)
Traces = Mapping[UUID, str | None]  # event id -> the traceparent published with it


@dataclass(frozen=True)
class Subject(Generic[EventT]):
    """What a service's commands act on (a case, a task, an office or adviser): where its lock
    lives, how its facts are recorded and on which topic they go, and where its trace is kept."""

    lock_space: int  # in shared.locks' two-key space
    record: Callable[[Conn, list[EventT], Traces], Awaitable[object]]
    topic_of: Callable[[EventT], str]
    # The trace context the subject's work continues (None: none kept, no span is opened).
    trace_of: Callable[[Conn, UUID], Awaitable[str | None]] | None = None
    trace_attribute: str = "relais.subject_id"


async def execute(
    holder: PoolHolder,
    subject: Subject[EventT],
    key: UUID,
    load: Callable[[Conn], Awaitable[StateT]],
    decide: Callable[[StateT, datetime], EventT],
    *,
    name: str,
    now: datetime | None = None,
) -> tuple[EventT, StateT]:
    """The fact the command became and the state it was decided on. ``key`` is what is locked;
    ``load`` reads, once the lock is held, what ``decide`` needs; ``now`` defaults to the clock
    read once the lock is held and the state loaded."""
    async with holder.require().acquire() as conn:
        trace_of = subject.trace_of if telemetry.enabled() else None
        carrier = await trace_of(conn, key) if trace_of is not None else None
        with telemetry.rejoined(carrier, name, {subject.trace_attribute: str(key)}):
            async with conn.transaction():
                await locks.lock_all(conn, subject.lock_space, [key])
                state = await load(conn)
                event = decide(state, now or datetime.now(UTC))
                message = outbox.event_message(subject.topic_of(event), event)
                traces = {event.event_id: telemetry.traceparent_of(message.headers)}
                await subject.record(conn, [event], traces)
                await outbox.enqueue(conn, [message])
                faults.point("http.recording")  # crash: the fact written, not committed
    faults.point("http.committed")  # crash: committed, not answered
    holder.on_commit()
    return event, state


class Decide(Protocol[StateIn, CommandIn, EventOut]):
    """A service's pure decision on a command: the fact it becomes, or a refusal."""

    def __call__(
        self, state: StateIn, command: CommandIn, actor: Principal, *, event_id: UUID, now: datetime
    ) -> EventOut: ...


@dataclass(frozen=True)
class Folded(Generic[StateT, CommandT, EventT]):
    """A subject whose state is the fold of its facts, loaded by its id (advisory's cases,
    admin's tasks): a command on it is the same steps in every service."""

    subject: Subject[EventT]
    load: Callable[[Conn, set[UUID]], Awaitable[Mapping[UUID, StateT]]]
    decide: Decide[StateT, CommandT, EventT]
    evolve: Callable[[StateT, EventT], StateT]

    async def execute(
        self,
        holder: PoolHolder,
        key: UUID,
        command: CommandT,
        actor: Principal,
        *,
        event_id: UUID,
        now: datetime,
    ) -> tuple[EventT, StateT]:
        """The fact the command became and the subject after it; raises a
        shared.refusals.Refused (and writes nothing) when the command is not allowed."""

        async def load(conn: Conn) -> StateT:
            return (await self.load(conn, {key}))[key]

        def decide(state: StateT, at: datetime) -> EventT:
            return self.decide(state, command, actor, event_id=event_id, now=at)

        name = f"{type(command).__name__} command"
        event, state = await execute(holder, self.subject, key, load, decide, name=name, now=now)
        return event, self.evolve(state, event)
