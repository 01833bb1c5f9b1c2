"""What the report shows, read from the `bi` views only (as a BI tool would)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg

TOTALS = """
SELECT count(*) AS cases, count(routed_at) AS routed, count(resolved_at) AS resolved,
       count(escalated_at) AS escalated, min(received_at) AS first, max(received_at) AS last
FROM bi.case_lifecycle"""
DAILY = """
SELECT received_date::text AS day, channel, count(*) AS n FROM bi.case_lifecycle
WHERE received_date > (SELECT max(received_date) - 60 FROM bi.case_lifecycle)
GROUP BY 1, 2 ORDER BY 1, 2"""
BY = "SELECT {column} AS label, count(*) AS n FROM bi.case_lifecycle GROUP BY 1 ORDER BY 2 DESC"
STAGES = """
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY received_to_routed_s) AS routed_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY received_to_routed_s) AS routed_p90,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY received_to_first_response_s) AS response_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY received_to_first_response_s) AS response_p90,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY received_to_escalated_s) AS escalated_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY received_to_escalated_s) AS escalated_p90,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY received_to_resolved_s) AS resolved_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY received_to_resolved_s) AS resolved_p90,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY routed_to_claimed_s) AS claimed_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY routed_to_claimed_s) AS claimed_p90,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY resolved_to_admin_closed_s) AS admin_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY resolved_to_admin_closed_s) AS admin_p90
FROM bi.case_lifecycle"""
SLA = """
SELECT office AS label, sum(met) AS met, sum(breached) AS breached,
       sum(not_assessed) AS not_assessed
FROM bi.sla_monthly GROUP BY 1 ORDER BY 1"""
WORKLOAD = """
SELECT desk AS label, sum(open_end_of_day) AS open, sum(received) AS received,
       sum(handled) AS handled, sum(capacity) AS capacity
FROM bi.workload_daily WHERE day = (SELECT max(day) FROM bi.workload_daily)
GROUP BY 1 ORDER BY 1"""
# Workload balance between the people holding cases: handled over the period, open now.
STAFF = """
SELECT adviser_id AS label, team, sum(handled) AS handled,
       sum(open_end_of_day) FILTER (WHERE day = (SELECT max(day) FROM bi.workload_daily)) AS open
FROM bi.workload_daily WHERE adviser_id IS NOT NULL
GROUP BY 1, 2 ORDER BY 2, 3 DESC, 1 LIMIT 40"""
ESCALATIONS = """
SELECT office AS label, organisation_model AS model,
       sum(escalated)::double precision / nullif(sum(cases), 0) AS rate
FROM bi.escalation_rates GROUP BY 1, 2 ORDER BY 1, 2"""
REASONS = "SELECT reason AS label, sum(escalations) AS n FROM bi.escalation_reasons GROUP BY 1"
MODELS = "SELECT * FROM bi.model_comparison ORDER BY month, organisation_model"


@dataclass
class ReportData:
    totals: dict[str, Any]
    daily: list[dict[str, Any]]
    by: dict[str, list[dict[str, Any]]]
    stages: dict[str, Any]
    sla: list[dict[str, Any]]
    workload: list[dict[str, Any]]
    escalations: list[dict[str, Any]]
    reasons: list[dict[str, Any]]
    models: list[dict[str, Any]] = field(default_factory=list)
    staff: list[dict[str, Any]] = field(default_factory=list)


async def rows(conn: asyncpg.Connection[Any], sql: str) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(sql)]


async def load(dsn: str) -> ReportData:
    """Reads every figure of the report in one read-only transaction (one consistent view)."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        async with conn.transaction(readonly=True, isolation="repeatable_read"):
            by = {c: await rows(conn, BY.format(column=c)) for c in DIMENSIONS}
            return ReportData(
                totals=(await rows(conn, TOTALS))[0],
                daily=await rows(conn, DAILY),
                by=by,
                stages=(await rows(conn, STAGES))[0],
                sla=await rows(conn, SLA),
                workload=await rows(conn, WORKLOAD),
                escalations=await rows(conn, ESCALATIONS),
                reasons=await rows(conn, REASONS),
                models=await rows(conn, MODELS),
                staff=await rows(conn, STAFF),
            )
    finally:
        await conn.close()


# Dimensions of the volume charts: columns of bi.case_lifecycle (constants, never user input).
DIMENSIONS = (
    "office",
    "channel",
    "topic_family",
    "language",
    "organisation_model",
    "status",
    "outcome",
)
