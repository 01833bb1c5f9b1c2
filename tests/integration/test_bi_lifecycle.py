"""The BI views give the right numbers for whole case lives, written by the four services' own
code (projections and command paths) into scratch schemas at known times:

A  Liège, legacy: Ann claims, replies, resolves (answered).
B  Liège, legacy: Ann claims and escalates (legal); Sam resolves with a contract registration;
   Ada completes the registration the next day.
C  Charleroi, pilot: routed to Fia at the front desk; she escalates (complex case), support
   returns it to her from its queue, she resolves it.
D  Charleroi, pilot: waits in the specialist desk's queue.
E  Gent: accepted by intake, not routed yet."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from services.admin.decisions import CompleteTask
from services.advisory.decisions import Claim, Escalate, Resolve, ReturnToAdviser, SendReply
from shared.events import AdminAct, EscalationReason, Outcome
from shared.identity import Principal, Role
from tests.integration.conftest import BiInstaller, ScratchFactory
from tests.support.bi_sources import SERVICES, Asked, Sources, specialised
from tests.support.cases import ADA, ANN, SAM

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Brussels
FIA = Principal("fia", Role.ADVISER, "charleroi")
MARCH, DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)


def at(minutes: float = 0, days: int = 0) -> datetime:
    return T + timedelta(days=days, minutes=minutes)


async def lives(sources: Sources) -> None:
    a = await sources.received(Asked("liege", "web", "invoicing", "fr"), at(0), "A")
    await sources.routed(a, at(0.5))
    await sources.staff(a, ANN, Claim(), at(10))
    await sources.staff(a, ANN, SendReply(text="Here is how."), at(20))
    await sources.staff(a, ANN, Resolve(outcome=Outcome.ANSWERED), at(60))

    b = await sources.received(Asked("liege", "email", "contracts", "fr"), at(5), "B")
    await sources.routed(b, at(6))
    await sources.staff(b, ANN, Claim(), at(15))
    await sources.staff(b, ANN, Escalate(reason_code=EscalationReason.LEGAL, note="?"), at(30))
    await sources.staff(b, SAM, Claim(), at(120))
    act = Resolve(outcome=Outcome.SOLVED, admin_act=AdminAct.CONTRACT_REGISTRATION)
    await sources.staff(b, SAM, act, at(180))
    await sources.task_closed(b, ADA, CompleteTask(note="registered"), at(60, days=1))

    c = await sources.received(Asked("charleroi", "phone", "vat_tax", "fr"), at(0, days=1), "C")
    await sources.routed(c, at(1, days=1), specialised("charleroi", "front", "fia"))
    await sources.staff(c, FIA, Claim(), at(5, days=1))
    complex_case = Escalate(reason_code=EscalationReason.COMPLEX_CASE, note="?")
    await sources.staff(c, FIA, complex_case, at(10, days=1))
    await sources.staff(c, SAM, ReturnToAdviser(note="Yours."), at(60, days=1))
    await sources.staff(c, FIA, Resolve(outcome=Outcome.ANSWERED), at(120, days=1))

    d = await sources.received(Asked("charleroi", "web", "insurance", "nl"), at(30, days=1), "D")
    await sources.routed(d, at(31, days=1), specialised("charleroi", "insurance"))

    await sources.received(Asked("gent", "web", "vat_tax", "nl"), at(0, days=2), "E")


@pytest.fixture
async def sources(scratch_schema: ScratchFactory) -> Sources:
    written = Sources({s: await scratch_schema(s) for s in SERVICES})
    await lives(written)
    return written


@pytest.fixture
async def bi(sources: Sources, bi_over: BiInstaller) -> asyncpg.Pool:
    return await bi_over(sources.pools)


async def test_each_case_has_its_steps_and_the_durations_between_them(bi: asyncpg.Pool) -> None:
    rows = {r["member_id"]: r for r in await bi.fetch("SELECT * FROM case_lifecycle")}
    a, b, c, d, e = (rows[k] for k in "ABCDE")
    assert [rows[k]["status"] for k in "ABCDE"] == [
        "resolved", "resolved", "resolved", "routed", "received",
    ]  # fmt: skip
    # A: answered by the first line
    assert (a["team"], a["desk"], a["handled_by"], a["resolved_team"]) == (
        "first_line", "liege/first_line", "ann", "first_line",
    )  # fmt: skip
    assert (a["received_to_routed_s"], a["routed_to_claimed_s"]) == (30, 570)
    assert (a["routed_to_first_response_s"], a["received_to_first_response_s"]) == (1170, 1200)
    assert (a["received_to_resolved_s"], a["escalations"], a["outcome"]) == (3600, 0, "answered")
    assert (a["escalated_at"], a["admin_act"], a["admin_task_status"]) == (None, None, None)
    # B: the first routing stays the routing time, although routing moved the case to support
    assert (b["received_to_routed_s"], b["received_to_escalated_s"]) == (60, 1500)
    assert (b["escalation_reason"], b["escalations"], b["first_response_at"]) == ("legal", 1, None)
    assert (b["team"], b["desk"], b["resolved_by"], b["resolved_team"]) == (
        "support", "support", "sam", "support",
    )  # fmt: skip
    assert b["received_to_resolved_s"] == 175 * 60
    assert (b["admin_act"], b["admin_task_status"]) == ("contract_registration", "completed")
    assert b["resolved_to_admin_closed_s"] == (24 * 60 - 120) * 60
    # C: returned by support, resolved by its adviser; D waits in its queue; E is not routed
    assert (c["organisation_model"], c["adviser_id"], c["handled_by"]) == (
        "specialised", "fia", "fia",
    )  # fmt: skip
    assert (c["team"], c["desk"], c["resolved_team"], c["escalations"]) == (
        "first_line", "charleroi/front", "first_line", 1,
    )  # fmt: skip
    assert (d["desk"], d["handled_by"], d["escalations"], d["team"]) == (
        "charleroi/insurance", None, 0, "first_line",
    )  # fmt: skip
    assert (e["routed_at"], e["organisation_model"], e["escalations"]) == (None, None, None)


async def test_pilot_and_legacy_side_by_side(bi: asyncpg.Pool) -> None:
    rows = await bi.fetch("SELECT * FROM model_comparison ORDER BY organisation_model")
    legacy, pilot = (dict(r) for r in rows)
    assert (legacy["organisation_model"], legacy["model_role"], pilot["model_role"]) == (
        "polyvalent", "legacy", "pilot",
    )  # fmt: skip
    measures = ("month", "offices", "cases", "resolved", "escalated", "resolved_at_first_line")
    assert [legacy[m] for m in measures] == [MARCH, 1, 2, 2, 1, 1]
    assert [pilot[m] for m in measures] == [MARCH, 1, 2, 1, 1, 0]
    assert (legacy["escalation_rate"], pilot["escalation_rate"]) == (0.5, 0.5)
    assert legacy["median_received_to_resolved_s"] == (3600 + 175 * 60) / 2
    assert legacy["median_received_to_first_response_s"] == 1200  # B never replied
    assert pilot["median_received_to_resolved_s"] == 120 * 60
    assert pilot["sla_met_rate"] is None  # SLA clocks not projected: unknown, not 0 %


async def test_escalations_by_reason_office_and_model(bi: asyncpg.Pool) -> None:
    reasons = await bi.fetch(
        "SELECT office, topic_family, organisation_model, reason, escalations "
        "FROM escalation_reasons ORDER BY office"
    )
    assert [tuple(r) for r in reasons] == [
        ("charleroi", "vat_tax", "specialised", "complex_case", 1),
        ("liege", "contracts", "polyvalent", "legal", 1),
    ]
    rates = await bi.fetch(
        "SELECT office, sum(cases), sum(escalated) FROM escalation_rates GROUP BY 1 ORDER BY 1"
    )
    assert [tuple(r) for r in rates] == [("charleroi", 2, 1), ("liege", 2, 1)]


async def test_workload_follows_each_case_from_queue_to_adviser_to_support(
    bi: asyncpg.Pool,
) -> None:
    rows = await bi.fetch(
        "SELECT day, office, desk, adviser_id, received, handled, open_end_of_day "
        "FROM workload_daily WHERE day <= $1 AND (received, handled, open_end_of_day) "
        "<> (0, 0, 0) ORDER BY day, office, desk, adviser_id NULLS FIRST",
        DAY2,
    )
    assert [tuple(r) for r in rows] == [
        (DAY1, "liege", "liege/first_line", None, 2, 0, 0),  # A and B claimed by Ann
        (DAY1, "liege", "liege/first_line", "ann", 0, 1, 0),  # A resolved, B escalated
        (DAY1, "liege", "support", None, 1, 0, 0),  # B, claimed by Sam
        (DAY1, "liege", "support", "sam", 0, 1, 0),  # B resolved
        (DAY2, "charleroi", "charleroi/front", "fia", 2, 1, 0),  # C routed to her, returned
        (DAY2, "charleroi", "charleroi/insurance", None, 1, 0, 1),  # D waits
        (DAY2, "charleroi", "support", None, 1, 0, 0),  # C, returned from the queue
    ]
    later = await bi.fetchval(
        "SELECT open_end_of_day FROM workload_daily WHERE desk = 'charleroi/insurance' "
        "AND day = $1",
        DAY2 + timedelta(days=30),
    )
    assert later == 1  # the open case is carried forward


async def test_sla_and_capacity_come_from_the_seams_the_services_fill(
    sources: Sources, bi: asyncpg.Pool
) -> None:
    # Given advisory's own clocks (0005_bi_sla_clocks): none of these has ended, so none is
    # met or breached yet
    sla = await bi.fetch("SELECT met, breached, met_rate FROM sla_monthly")
    assert sla
    assert {tuple(r) for r in sla} == {(0, 0, None)}
    # When advisory and routing replace their seams (as their own migrations will)
    await sources.pools["advisory"].execute(
        "CREATE OR REPLACE VIEW bi_sla AS SELECT case_id, 3600::double precision AS target_s,"
        " NULL::timestamptz AS due_at, 0::double precision AS paused_s,"
        " extract(epoch FROM resolved_at - opened_at)::double precision AS elapsed_s,"
        " resolved_at - opened_at <= interval '1 hour' AS met,"
        " resolved_at - opened_at > interval '1 hour' AS breached"
        " FROM cases WHERE resolved_at IS NOT NULL"
    )
    await sources.pools["routing"].execute(
        "CREATE OR REPLACE VIEW bi_capacity AS"
        " SELECT 'fia'::text AS adviser_id, 'charleroi'::text AS office, 4 AS capacity"
    )
    # Then the BI views read them, unchanged: A met, B and C breached
    sla = await bi.fetch(
        "SELECT office, organisation_model, met, breached, not_assessed FROM sla_monthly "
        "WHERE organisation_model IS NOT NULL ORDER BY office"
    )
    assert [tuple(r) for r in sla] == [
        ("charleroi", "specialised", 0, 1, 1),
        ("liege", "polyvalent", 1, 1, 0),
    ]
    rates = await bi.fetch("SELECT sla_met_rate FROM model_comparison ORDER BY organisation_model")
    assert [r[0] for r in rates] == [0.5, 0.0]
    fia = await bi.fetchrow(
        "SELECT capacity, load_ratio FROM workload_daily WHERE adviser_id = 'fia' AND day = $1",
        DAY2,
    )
    assert fia is not None
    assert (fia["capacity"], fia["load_ratio"]) == (4, 0.0)
