"""The BI views give the right numbers for a known scenario: cases written by intake's and
routing's own projection code into scratch schemas, the views installed over them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from relais_cli.demo_data import stream
from reporting.install import install_views
from services.intake import domain as intake_domain
from services.intake import projection as intake_projection
from services.routing import domain as routing_domain
from services.routing import projection as routing_projection
from services.routing.deciding import route, unstaffed
from shared import db as database
from shared.events import REQUEST_RECEIVED, RequestReceived
from shared.outbox import event_message
from shared.settings import Settings
from tests.integration.conftest import ScratchFactory


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


def request_of(case: Case, n: int) -> RequestReceived:
    body: dict[str, Any] = stream(1, seed=900 + n)[0]
    body["member"] = {**body["member"], "member_id": f"BI-{n}", "home_office": case.office}
    body["member"]["preferred_language"] = case.language
    body.update(channel=case.channel, topic_family=case.family)
    case_id = uuid.uuid4()
    return intake_domain.request_received(
        intake_domain.SubmitRequest.model_validate(body),
        case_id=case_id,
        event_id=uuid.uuid4(),
        correlation_id=case_id,
        now=case.received,
    )


@pytest.fixture
async def bi(scratch_schema: ScratchFactory, settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """The scenario in scratch intake and routing schemas, and the BI views over them."""
    intake, routing = await scratch_schema("intake"), await scratch_schema("routing")
    for n, case in enumerate(SCENARIO):
        request = request_of(case, n)
        async with intake.acquire() as conn:
            message = event_message(REQUEST_RECEIVED, request)
            await intake_projection.accept(conn, request, message, None, f"fingerprint-{n}")
        if case.routed_after_s is not None:
            routed_at = case.received + timedelta(seconds=case.routed_after_s)
            decision = route(request, unstaffed(request.member.home_office), None)
            routed = routing_domain.case_routed(request, decision, routed_at)
            async with routing.acquire() as conn:
                await routing_projection.insert_cases(conn, [(request, routed)])
    names = [await p.fetchval("SELECT current_schema()") for p in (intake, routing)]
    schema = f"it_bi_{uuid.uuid4().hex[:8]}"
    bi = await database.connect(settings.admin_dsn(), schema, min_size=1, max_size=2)
    try:
        await install_views(bi, schema, {"intake": names[0], "routing": names[1]})
        yield bi
    finally:
        await bi.execute(f"DROP SCHEMA {schema} CASCADE")
        await bi.close()


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
