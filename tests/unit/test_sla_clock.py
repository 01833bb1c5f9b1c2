"""SLA clocks over business time: weekends, Belgian holidays, waits on the member, warnings,
breaches and goals reached; recomputed facts never change, recorded deadlines hold."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.advisory.sla.clock import due
from services.advisory.sla.policy import SlaPolicy
from services.advisory.sla.timeline import Timeline, Wait
from shared.business_calendar import BRUSSELS, Calendar
from shared.sla_events import SlaBreached, SlaClock, SlaEvent, SlaMet, SlaStarted, SlaWarned

POLICY = SlaPolicy()  # normal: first response 4h, resolution 40h; warning at 75 %
FR, RES = SlaClock.FIRST_RESPONSE, SlaClock.RESOLUTION
CASE = uuid.UUID("8a3c2b1e-0000-4000-8000-000000000001")


def at(m: int, d: int, h: int, minute: int = 0, y: int = 2026) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=BRUSSELS)


def case(
    opened: datetime,
    family: str = "invoicing",
    waits: tuple[tuple[datetime, datetime | None], ...] = (),
    reply: datetime | None = None,
    resolved: datetime | None = None,
) -> Timeline:
    def ref(when: datetime | None) -> tuple[datetime, uuid.UUID] | None:
        return (when, uuid.uuid5(CASE, when.isoformat())) if when else None

    first = reply or resolved
    if reply and resolved:
        first = min(reply, resolved)
    return Timeline(
        case_id=CASE,
        member_id="M-1",
        correlation_id=CASE,
        opened=ref(opened),
        topic_family=family,
        waits=tuple(
            Wait(b, uuid.uuid5(CASE, f"w{b}"), e, uuid.uuid5(CASE, f"e{e}") if e else None)
            for b, e in waits
        ),
        first_response=ref(first),
        resolution=ref(resolved),
    )


def steps(facts: list[SlaEvent], clock: SlaClock) -> list[tuple[str, datetime]]:
    return [(f.type, f.occurred_at) for f in facts if f.clock is clock]


@pytest.mark.parametrize(
    ("label", "timeline", "now", "expected"),
    [
        (
            "Friday afternoon: warned and breached on Monday morning",
            case(at(3, 6, 15)),
            at(3, 9, 12),
            [
                ("SlaStarted", at(3, 6, 15)),
                ("SlaWarned", at(3, 9, 10)),
                ("SlaBreached", at(3, 9, 11)),
            ],
        ),
        (
            "over the weekend and Easter Monday",
            case(at(4, 3, 16)),
            at(4, 8, 9),
            [
                ("SlaStarted", at(4, 3, 16)),
                ("SlaWarned", at(4, 7, 11)),
                ("SlaBreached", at(4, 7, 12)),
            ],
        ),
        (
            "Christmas Eve: Christmas and the weekend do not count",
            case(at(12, 24, 16)),
            at(12, 28, 17),
            [
                ("SlaStarted", at(12, 24, 16)),
                ("SlaWarned", at(12, 28, 11)),
                ("SlaBreached", at(12, 28, 12)),
            ],
        ),
        (
            "a wait on the member stops the clock overnight",
            case(at(3, 2, 9), waits=((at(3, 2, 10), at(3, 3, 10)),)),
            at(3, 3, 16),
            [
                ("SlaStarted", at(3, 2, 9)),
                ("SlaPaused", at(3, 2, 10)),
                ("SlaResumed", at(3, 3, 10)),
                ("SlaWarned", at(3, 3, 12)),
                ("SlaBreached", at(3, 3, 13)),
            ],
        ),
        (
            "still waiting: nothing is due",
            case(at(3, 2, 9), waits=((at(3, 2, 10), None),)),
            at(3, 20, 9),
            [("SlaStarted", at(3, 2, 9)), ("SlaPaused", at(3, 2, 10))],
        ),
        (
            "replied in time: met, never warned",
            case(at(3, 2, 9), reply=at(3, 2, 11)),
            at(3, 5, 9),
            [("SlaStarted", at(3, 2, 9)), ("SlaMet", at(3, 2, 11))],
        ),
        (
            "replied late: breached, then met late",
            case(at(3, 2, 9), reply=at(3, 2, 15)),
            at(3, 5, 9),
            [
                ("SlaStarted", at(3, 2, 9)),
                ("SlaWarned", at(3, 2, 12)),
                ("SlaBreached", at(3, 2, 13)),
                ("SlaMet", at(3, 2, 15)),
            ],
        ),
        (
            "high priority (payments): two hours",
            case(at(3, 2, 9), family="payments_advances"),
            at(3, 2, 12),
            [
                ("SlaStarted", at(3, 2, 9)),
                ("SlaWarned", at(3, 2, 10, 30)),
                ("SlaBreached", at(3, 2, 11)),
            ],
        ),
        (
            "resolved while waiting: the goal is reached",
            case(at(3, 2, 9), waits=((at(3, 2, 10), None),), resolved=at(3, 4, 9)),
            at(3, 5, 9),
            [("SlaStarted", at(3, 2, 9)), ("SlaPaused", at(3, 2, 10)), ("SlaMet", at(3, 4, 9))],
        ),
        ("not yet routed: no clock", Timeline(CASE), at(3, 5, 9), []),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_first_response_clock(
    label: str, timeline: Timeline, now: datetime, expected: list[tuple[str, datetime]]
) -> None:
    assert steps(due(timeline, [], POLICY, now), FR) == expected


def test_a_late_reply_is_met_late_with_the_time_it_took() -> None:
    facts = due(case(at(3, 2, 9), reply=at(3, 3, 10)), [], POLICY, at(3, 4, 9))
    met = next(f for f in facts if isinstance(f, SlaMet) and f.clock is FR)
    assert (met.on_time, met.elapsed_seconds) == (False, 9 * 3600.0)


def test_the_resolution_clock_runs_for_days_and_pauses_too() -> None:
    timeline = case(at(3, 2, 9), waits=((at(3, 3, 9), at(3, 5, 9)),), reply=at(3, 2, 10))
    facts = due(timeline, [], POLICY, at(3, 12, 9))
    assert steps(facts, RES) == [
        ("SlaStarted", at(3, 2, 9)),
        ("SlaPaused", at(3, 3, 9)),
        ("SlaResumed", at(3, 5, 9)),
        ("SlaWarned", at(3, 9, 15)),  # 30h: 8 before the wait, 22 after
        ("SlaBreached", at(3, 10, 17)),  # 40h: 8 before, 32 after
    ]
    started = next(f for f in facts if isinstance(f, SlaStarted) and f.clock is RES)
    assert started.deadline == at(3, 6, 17)  # 40h as if nothing stopped it: Friday evening


def test_recorded_facts_are_kept_whatever_the_calendar_says_today() -> None:
    # Given clocks started under office hours, their deadline on Monday 11:00
    timeline = case(at(3, 6, 15))
    recorded = due(timeline, [], POLICY, at(3, 6, 16))
    # When the policy changes to a round-the-clock calendar
    always = SlaPolicy(calendar=Calendar(closes=datetime.max.time(), workdays=frozenset(range(7))))
    later = due(timeline, recorded, always, at(3, 7, 23))
    # Then nothing is breached before the recorded deadline
    assert not any(isinstance(f, SlaBreached) for f in later)
    assert [f.type for f in due(timeline, recorded, always, at(3, 9, 11))] == [
        "SlaWarned",
        "SlaBreached",
    ]


def test_facts_already_recorded_are_never_published_again() -> None:
    timeline = case(at(3, 2, 9), waits=((at(3, 2, 10), at(3, 3, 10)),), reply=at(3, 3, 15))
    facts = due(timeline, [], POLICY, at(3, 20, 9))
    assert due(timeline, facts, POLICY, at(3, 20, 9)) == []
    assert len({f.event_id for f in facts}) == len(facts)


instants = st.integers(0, 24 * 60 * 20).map(lambda m: at(3, 2, 0) + timedelta(minutes=m))


@given(
    opened=instants,
    marks=st.lists(instants, max_size=6, unique=True),
    reply=st.one_of(st.none(), instants),
    checks=st.lists(instants, min_size=1, max_size=4),
)
def test_a_clock_ticked_now_and_then_writes_the_history_a_single_look_would(
    opened: datetime, marks: list[datetime], reply: datetime | None, checks: list[datetime]
) -> None:
    """Whenever the tick looks, and however often, the facts are the same: ids, times and
    values. Waits alternate begin/end at the given instants after the case was opened."""
    times = sorted(m for m in marks if m > opened)
    waits = tuple(
        (times[i], times[i + 1] if i + 1 < len(times) else None) for i in range(0, len(times), 2)
    )
    stop = reply if reply and reply > opened else None
    timeline = case(opened, waits=waits, reply=stop)
    end = max(checks)
    recorded: list[SlaEvent] = []
    for now in sorted(checks):
        recorded += due(timeline, recorded, POLICY, now)
    assert sorted(recorded, key=lambda f: f.event_id) == sorted(
        due(timeline, [], POLICY, end), key=lambda f: f.event_id
    )
    # and nothing is dated after the last look, nor is a clock warned after its breach
    assert all(f.occurred_at <= end for f in recorded)
    for clock in SlaClock:
        kinds = [type(f) for f in sorted(recorded, key=lambda f: f.occurred_at) if f.clock is clock]
        if SlaWarned in kinds and SlaBreached in kinds:
            assert kinds.index(SlaWarned) < kinds.index(SlaBreached)
