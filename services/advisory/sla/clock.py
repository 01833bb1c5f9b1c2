"""SLA clocks, pure: from a case's timeline, the SLA facts already in the log, the policy and
the time, the SLA facts now due. Deterministic ids (a fact is computed again, never published
twice) and times taken from the facts themselves (a warning is dated when the warning share
was reached, not when the tick noticed), so SLA history can be recomputed from the log.

A reopened case runs its resolution clock again (services.advisory.sla.timeline): a new run
from the reopening, with the full target of the case's priority counted by the calendar of the
office holding the case then; its facts' ids carry the reopening, so each run has its own.

A recorded fact is never contradicted: a running clock's deadline is the one its SlaStarted or
SlaResumed recorded, whatever the policy or the calendar say today."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID, uuid5

from services.advisory.sla.policy import SlaPolicy
from services.advisory.sla.timeline import Cycle, Timeline, Wait
from shared.business_calendar import add_business_seconds, business_seconds
from shared.sla_events import (
    SlaBreached,
    SlaClock,
    SlaEvent,
    SlaMet,
    SlaPaused,
    SlaResumed,
    SlaStarted,
    SlaWarned,
)

NAMESPACE = UUID("0c4d2f6e-51b8-4f0b-9a77-3e1c5d8a2b19")
SERVICE = "advisory"
F = TypeVar("F", bound=SlaEvent)


def fact_id(
    case_id: UUID,
    clock: SlaClock,
    step: str,
    wait: UUID | None = None,
    reopened_by: UUID | None = None,
) -> UUID:
    """The id of a clock's step; a run after a reopening has the reopening in its ids (the
    first run's ids are unchanged, so logs written before reopenings restarted clocks hold)."""
    run = f"{reopened_by}:" if reopened_by is not None else ""
    return uuid5(NAMESPACE, f"{case_id}:{clock.value}:{run}{step}:{wait or ''}")


def due(
    t: Timeline, recorded: Sequence[SlaEvent], policy: SlaPolicy, now: datetime
) -> list[SlaEvent]:
    """The SLA facts of both clocks that are due at ``now`` and not yet recorded, in order."""
    found: list[SlaEvent] = []
    for clock in SlaClock:
        mine = {f.event_id: f for f in recorded if f.clock is clock}
        for cycle in t.cycles(clock):
            found += _Run(t, clock, cycle, mine, policy, now).run()
    return sorted(found, key=lambda f: (f.occurred_at, f.event_id))


class _Run:
    """One clock replayed over the case's timeline, recorded facts taking precedence."""

    def __init__(
        self,
        t: Timeline,
        clock: SlaClock,
        cycle: Cycle,
        recorded: dict[UUID, SlaEvent],
        policy: SlaPolicy,
        now: datetime,
    ) -> None:
        self.t, self.clock, self.recorded, self.policy, self.now = t, clock, recorded, policy, now
        self.cycle = cycle
        # The calendar of the office holding the case when this run starts.
        self.cal = policy.calendar_for(t.office_at(cycle.start[0]))
        self.new: list[SlaEvent] = []
        self.warned = self.breached = False

    def run(self) -> list[SlaEvent]:
        if self.cycle.start[0] > self.now:
            return []
        started = self._started(*self.cycle.start)
        self.target = started.target_seconds
        self.deadline, self.warn_at = started.deadline, started.warn_at
        running, remaining, elapsed_at_pause = True, 0.0, 0.0
        for at, kind, wait in self.t.points(self.clock, started.started_at, self.cycle):
            if at > self.now:
                return self.new
            if running:
                self._due(before=at)
            if kind == "pause" and running:
                elapsed_at_pause = self._elapsed(at)
                paused = self._take(
                    SlaPaused,
                    "paused",
                    wait.begun_by,
                    at=at,
                    causation=wait.begun_by,
                    paused_at=at,
                    remaining_seconds=max(0.0, self.target - elapsed_at_pause),
                    wait_event_id=wait.begun_by,
                )
                running, remaining = False, paused.remaining_seconds
            elif kind == "resume" and not running:
                self._resume(at, wait, remaining)
                running = True
            elif kind == "stop":
                elapsed = self._elapsed(at) if running else elapsed_at_pause
                self._take(
                    SlaMet,
                    "met",
                    None,
                    at=at,
                    causation=wait.begun_by,
                    met_at=at,
                    on_time=not self.breached,
                    elapsed_seconds=elapsed,
                )
                return self.new
        if running:
            self._due(before=None)
        return self.new

    def _started(self, at: datetime, routed: UUID) -> SlaStarted:
        priority = self.policy.priority_of(self.t.topic_family)
        target = self.policy.target(priority, self.clock)
        warn = target * self.policy.warn_share
        return self._take(
            SlaStarted,
            "started",
            None,
            at=at,
            causation=routed,
            priority=priority,
            target_seconds=target,
            policy_version=self.policy.version,
            started_at=at,
            warn_at=add_business_seconds(self.cal, at, warn),
            deadline=add_business_seconds(self.cal, at, target),
        )

    def _resume(self, at: datetime, wait: Wait, remaining: float) -> None:
        # From now on the clock counts by the calendar of the office holding the case.
        self.cal = self.policy.calendar_for(self.t.office_at(at))
        # Business seconds left before the warning share is used up (none left: warn now).
        until_warning = max(0.0, remaining - self.target * (1 - self.policy.warn_share))
        warn_at = None if self.warned else add_business_seconds(self.cal, at, until_warning)
        resumed = self._take(
            SlaResumed,
            "resumed",
            wait.begun_by,
            at=at,
            causation=wait.ended_by,
            resumed_at=at,
            warn_at=warn_at,
            deadline=add_business_seconds(self.cal, at, remaining),
            wait_event_id=wait.begun_by,
        )
        self.deadline, self.warn_at = resumed.deadline, resumed.warn_at

    def _due(self, before: datetime | None) -> None:
        """Warning and breach while running, strictly before ``before`` (else up to now)."""

        def passed(instant: datetime | None) -> bool:
            if instant is None or instant > self.now:
                return False
            return before is None or instant < before

        if not self.warned and passed(self.warn_at):
            assert self.warn_at is not None
            self._take(
                SlaWarned,
                "warned",
                None,
                at=self.warn_at,
                causation=None,
                warned_at=self.warn_at,
                deadline=self.deadline,
            )
            self.warned = True
        if not self.breached and passed(self.deadline):
            self._take(
                SlaBreached,
                "breached",
                None,
                at=self.deadline,
                causation=None,
                breached_at=self.deadline,
                target_seconds=self.target,
            )
            self.breached = True

    def _elapsed(self, at: datetime) -> float:
        if at <= self.deadline:
            return self.target - business_seconds(self.cal, at, self.deadline)
        return self.target + business_seconds(self.cal, self.deadline, at)

    def _take(
        self,
        kind: type[F],
        step: str,
        wait: UUID | None,
        *,
        at: datetime,
        causation: UUID | None,
        **fields: Any,
    ) -> F:
        """The recorded fact of this step, or a new one (then published)."""
        event_id = fact_id(self.t.case_id, self.clock, step, wait, self.cycle.reopened_by)
        known = self.recorded.get(event_id)
        if isinstance(known, kind):
            self.warned = self.warned or isinstance(known, SlaWarned)
            self.breached = self.breached or isinstance(known, SlaBreached)
            return known
        fact = kind(
            type=kind.__name__,
            schema_version=1,
            event_id=event_id,
            occurred_at=at,
            case_id=self.t.case_id,
            member_id=self.t.member_id,
            correlation_id=self.t.correlation_id or self.t.case_id,
            causation_id=causation,
            producer=SERVICE,
            clock=self.clock,
            **fields,
        )
        self.new.append(fact)
        return fact
