"""A reopened case runs its resolution clock again, from the reopening, with the full target
by the office's calendar; its first response stays met; the first run's facts are unchanged."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, time

from services.advisory.sla.clock import due
from services.advisory.sla.outcomes import summary
from services.advisory.sla.policy import SlaPolicy
from services.advisory.sla.timeline import Timeline
from shared.business_calendar import BRUSSELS, OfficeHours, add_business_seconds
from shared.sla_events import SlaClock, SlaEvent, SlaStarted

POLICY = SlaPolicy()  # normal: first response 4h, resolution 40h; warning at 75 %
FR, RES = SlaClock.FIRST_RESPONSE, SlaClock.RESOLUTION
CASE = uuid.UUID("8a3c2b1e-0000-4000-8000-00000000000f")


def at(m: int, d: int, h: int) -> datetime:
    return datetime(2026, m, d, h, tzinfo=BRUSSELS)


def ref(when: datetime) -> tuple[datetime, uuid.UUID]:
    return when, uuid.uuid5(CASE, when.isoformat())


RESOLVED = ref(at(3, 3, 10))
FIRST = Timeline(
    case_id=CASE,
    member_id="M-1",
    opened=ref(at(3, 2, 9)),
    topic_family="invoicing",
    first_response=ref(at(3, 2, 10)),
    resolution=RESOLVED,
    resolutions=(RESOLVED,),
    offices=((at(3, 2, 9), "liege"),),
)
REOPENED = replace(FIRST, reopenings=(ref(at(3, 9, 9)),))


def steps(facts: list[SlaEvent], clock: SlaClock) -> list[tuple[str, datetime]]:
    return [(f.type, f.occurred_at) for f in facts if f.clock is clock]


def test_a_reopened_case_runs_a_new_resolution_clock_that_can_breach() -> None:
    facts = due(REOPENED, [], POLICY, at(3, 16, 12))
    assert steps(facts, RES) == [
        ("SlaStarted", at(3, 2, 9)),
        ("SlaMet", at(3, 3, 10)),
        ("SlaStarted", at(3, 9, 9)),  # the reopening: 40 business hours again
        ("SlaWarned", at(3, 12, 15)),  # 30h: Mon, Tue, Wed and 6h on Thursday
        ("SlaBreached", at(3, 13, 17)),
    ]
    # The member had their first answer: that clock does not run again.
    assert steps(facts, FR) == [("SlaStarted", at(3, 2, 9)), ("SlaMet", at(3, 2, 10))]
    row = summary([f for f in facts if f.clock is RES])
    assert (row.restarts, row.started_at, row.met_at) == (1, at(3, 9, 9), None)
    assert (row.breached_at, row.next_due) == (at(3, 13, 17), None)


def test_the_first_run_keeps_its_facts_and_a_second_resolution_meets_the_new_run() -> None:
    before = due(FIRST, [], POLICY, at(3, 16, 12))
    again = ref(at(3, 10, 11))
    resolved_again = replace(REOPENED, resolutions=(RESOLVED, again))
    after = due(resolved_again, before, POLICY, at(3, 16, 12))
    assert steps(after, RES) == [("SlaStarted", at(3, 9, 9)), ("SlaMet", at(3, 10, 11))]
    assert not {f.event_id for f in after} & {f.event_id for f in before}
    row = summary([f for f in before + after if f.clock is RES])
    assert (row.restarts, row.met_at, row.on_time) == (1, at(3, 10, 11), True)
    assert row.elapsed_s == 10 * 3600  # Monday 9-17 and Tuesday 9-11


def test_a_reopened_clock_counts_by_the_calendar_of_the_office_holding_the_case() -> None:
    # Transferred to an office open 9-12 before the reopening: 40h take it three hours a day.
    policy = SlaPolicy(offices={"eupen": OfficeHours(closes=time(12))})
    moved = replace(REOPENED, offices=((at(3, 2, 9), "liege"), (at(3, 6, 9), "eupen")))
    runs = [f for f in due(moved, [], policy, at(3, 9, 10)) if isinstance(f, SlaStarted)]
    second = [f for f in runs if f.clock is RES][-1]
    assert second.deadline == add_business_seconds(
        policy.calendar_for("eupen"), at(3, 9, 9), 40 * 3600
    )
    assert second.deadline > at(3, 20, 17)  # not the Friday 13th of a 9-17 office
