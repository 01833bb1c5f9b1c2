"""The BI views give the right numbers for a known scenario of requests and routings: cases
written by the services' own code into scratch schemas, the views installed over them. (Whole
lifecycles, with escalations and resolutions: test_bi_lifecycle.py.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from tests.integration.conftest import BiInstaller, ScratchFactory
from tests.support.bi_sources import SERVICES, Asked, Sources


@dataclass(frozen=True)
class Case:
    office: str
    channel: str
    family: str
    language: str
    received: datetime
    routed_after_s: float | None  # None: accepted by intake, not routed yet


T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SCENARIO = [
    Case("liege", "web", "invoicing", "fr", T, 30),
    Case("liege", "email", "invoicing", "fr", T + timedelta(minutes=10), 90),
    Case("liege", "web", "contracts", "de", T + timedelta(minutes=20), 120),
    Case("gent", "phone", "vat_tax", "nl", T + timedelta(days=1), 60),
    # 23:30 UTC on 31 March is 1 April in Brussels: days and months are Belgian time.
    Case("gent", "web", "vat_tax", "nl", datetime(2026, 3, 31, 23, 30, tzinfo=UTC), 600),
    Case("namur", "walk_in", "insurance", "fr", T + timedelta(days=2), None),
]


@pytest.fixture
async def bi(scratch_schema: ScratchFactory, bi_over: BiInstaller) -> asyncpg.Pool:
    """The scenario in scratch schemas of the four services, and the BI views over them."""
    sources = Sources({s: await scratch_schema(s) for s in SERVICES})
    for n, case in enumerate(SCENARIO):
        asked = Asked(case.office, case.channel, case.family, case.language)
        case_id = await sources.received(asked, case.received, f"BI-{n}")
        if case.routed_after_s is not None:
            await sources.routed(case_id, case.received + timedelta(seconds=case.routed_after_s))
    return await bi_over(sources.pools)


async def test_case_lifecycle_has_one_row_per_case_with_its_times(bi: asyncpg.Pool) -> None:
    rows = await bi.fetch("SELECT * FROM case_lifecycle ORDER BY member_id")  # BI-0 ... BI-5
    assert len(rows) == len(SCENARIO)
    assert [r["status"] for r in rows] == ["routed"] * 5 + ["received"]
    assert [r["received_to_routed_s"] for r in rows] == [30, 90, 120, 60, 600, None]
    assert [r["office"] for r in rows] == ["liege"] * 3 + ["gent", "gent", "namur"]
    assert [r["desk"] for r in rows][:3] == ["liege/first_line"] * 3
    assert {r["organisation_model"] for r in rows[:5]} == {"polyvalent"}
    assert rows[5]["organisation_model"] is None  # not routed yet: no model decided
    assert rows[4]["received_month"] == date(2026, 4, 1)  # Brussels time
    assert rows[4]["received_date"] == date(2026, 4, 1)
    assert [r["channel"] for r in rows] == [c.channel for c in SCENARIO[:4]] + ["web", "walk_in"]


async def test_model_comparison_sets_the_measures_side_by_side(bi: asyncpg.Pool) -> None:
    rows = await bi.fetch("SELECT * FROM model_comparison ORDER BY month")
    assert [(r["month"], r["organisation_model"], r["model_role"]) for r in rows] == [
        (date(2026, 3, 1), "polyvalent", "legacy"),
        (date(2026, 4, 1), "polyvalent", "legacy"),
    ]
    march, april = rows
    assert (march["cases"], march["offices"], april["cases"]) == (4, 2, 1)
    assert march["median_received_to_routed_s"] == 75  # of 30, 60, 90, 120
    assert march["p90_received_to_routed_s"] == pytest.approx(111)  # 90 + 0.7 x 30
    assert march["escalation_rate"] == 0
    assert march["sla_met_rate"] is None  # no SLA assessed: unknown, not 0 %


async def test_office_weekly_counts_each_office_week_by_week(bi: asyncpg.Pool) -> None:
    rows = await bi.fetch("SELECT * FROM office_weekly ORDER BY office, week")
    assert [(r["office"], r["week"], r["cases"]) for r in rows] == [
        ("gent", date(2026, 3, 2), 1),
        ("gent", date(2026, 3, 30), 1),  # 1 April in Brussels: the week of 30 March
        ("liege", date(2026, 3, 2), 3),
        ("namur", date(2026, 3, 2), 1),
    ]
    liege = rows[2]
    assert (liege["organisation_model"], liege["specialised_cases"]) == ("polyvalent", 0)
    assert liege["escalation_rate"] == 0
    assert rows[3]["organisation_model"] is None  # received, not routed yet


async def test_workload_carries_open_cases_from_day_to_day(bi: asyncpg.Pool) -> None:
    rows = await bi.fetch(
        "SELECT day, received, handled, open_end_of_day FROM workload_daily "
        "WHERE desk = 'liege/first_line' AND day <= '2026-03-04' ORDER BY day"
    )
    assert [tuple(r) for r in rows] == [
        (date(2026, 3, 2), 3, 0, 3),
        (date(2026, 3, 3), 0, 0, 3),
        (date(2026, 3, 4), 0, 0, 3),
    ]
    gent = await bi.fetch(
        "SELECT day, received, open_end_of_day FROM workload_daily "
        "WHERE desk = 'gent/first_line' AND received > 0 ORDER BY day"
    )
    assert [tuple(r) for r in gent] == [(date(2026, 3, 3), 1, 1), (date(2026, 4, 1), 1, 2)]


async def test_sla_and_escalations_count_cases_per_office_and_month(bi: asyncpg.Pool) -> None:
    sla = await bi.fetch(
        "SELECT office, month, cases, met, breached, not_assessed, met_rate FROM sla_monthly "
        "WHERE organisation_model IS NOT NULL ORDER BY office, month"
    )
    assert [tuple(r) for r in sla] == [
        ("gent", date(2026, 3, 1), 1, 0, 0, 1, None),
        ("gent", date(2026, 4, 1), 1, 0, 0, 1, None),
        ("liege", date(2026, 3, 1), 3, 0, 0, 3, None),
    ]
    rates = await bi.fetch(
        "SELECT office, topic_family, cases, escalated FROM escalation_rates "
        "ORDER BY office, month, topic_family"
    )
    assert [tuple(r) for r in rates] == [
        ("gent", "vat_tax", 1, 0),
        ("gent", "vat_tax", 1, 0),
        ("liege", "contracts", 1, 0),
        ("liege", "invoicing", 2, 0),
    ]
    assert await bi.fetchval("SELECT count(*) FROM escalation_reasons") == 0
