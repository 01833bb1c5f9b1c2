"""The BI contract: the `bi` views keep their columns (names, order, types) whatever happens to
the projections under them; every column is documented in docs/bi.md; `relais_bi` reads the
views and nothing else. Checked on the real schema `make up` installs."""

from __future__ import annotations

import re

import asyncpg
import pytest

from reporting.install import SCHEMA
from shared.settings import Settings
from tests.integration.conftest import ROOT

# Adding a column (at the end of a view) is allowed: add it here and in docs/bi.md. Renaming,
# retyping, reordering or removing one breaks every dashboard built on it: never.
PINNED: dict[str, list[tuple[str, str]]] = {
    "case_lifecycle": [
        ("case_id", "uuid"),
        ("member_id", "text"),
        ("channel", "text"),
        ("topic_family", "text"),
        ("language", "text"),
        ("office", "text"),
        ("organisation_model", "text"),
        ("team", "text"),
        ("desk", "text"),
        ("adviser_id", "text"),
        ("status", "text"),
        ("received_at", "timestamp with time zone"),
        ("received_date", "date"),
        ("received_month", "date"),
        ("routed_at", "timestamp with time zone"),
        ("first_response_at", "timestamp with time zone"),
        ("escalated_at", "timestamp with time zone"),
        ("escalation_reason", "text"),
        ("resolved_at", "timestamp with time zone"),
        ("outcome", "text"),
        ("admin_act", "text"),
        ("received_to_routed_s", "double precision"),
        ("routed_to_first_response_s", "double precision"),
        ("received_to_first_response_s", "double precision"),
        ("received_to_escalated_s", "double precision"),
        ("received_to_resolved_s", "double precision"),
        ("handled_by", "text"),
        ("claimed_at", "timestamp with time zone"),
        ("routed_to_claimed_s", "double precision"),
        ("escalations", "integer"),
        ("resolved_by", "text"),
        ("resolved_team", "text"),
        ("admin_task_status", "text"),
        ("admin_task_closed_at", "timestamp with time zone"),
        ("resolved_to_admin_closed_s", "double precision"),
    ],
    "escalation_rates": [
        ("month", "date"),
        ("office", "text"),
        ("topic_family", "text"),
        ("organisation_model", "text"),
        ("cases", "bigint"),
        ("escalated", "bigint"),
        ("escalation_rate", "double precision"),
    ],
    "escalation_reasons": [
        ("month", "date"),
        ("office", "text"),
        ("topic_family", "text"),
        ("organisation_model", "text"),
        ("reason", "text"),
        ("escalations", "bigint"),
    ],
    "model_comparison": [
        ("month", "date"),
        ("organisation_model", "text"),
        ("model_role", "text"),
        ("offices", "bigint"),
        ("cases", "bigint"),
        ("resolved", "bigint"),
        ("escalated", "bigint"),
        ("escalation_rate", "double precision"),
        ("median_received_to_routed_s", "double precision"),
        ("p90_received_to_routed_s", "double precision"),
        ("median_received_to_first_response_s", "double precision"),
        ("median_received_to_resolved_s", "double precision"),
        ("sla_met_rate", "double precision"),
        ("p90_received_to_first_response_s", "double precision"),
        ("p90_received_to_resolved_s", "double precision"),
        ("resolved_at_first_line", "bigint"),
    ],
    "office_weekly": [
        ("office", "text"),
        ("week", "date"),
        ("organisation_model", "text"),
        ("cases", "bigint"),
        ("specialised_cases", "bigint"),
        ("mean_received_to_first_response_s", "double precision"),
        ("median_received_to_first_response_s", "double precision"),
        ("p90_received_to_first_response_s", "double precision"),
        ("mean_received_to_resolved_s", "double precision"),
        ("escalation_rate", "double precision"),
    ],
    "shadow_routing": [
        ("office", "text"),
        ("hour", "timestamp with time zone"),
        ("shadow_model", "text"),
        ("queue", "text"),
        ("live_cases", "bigint"),
        ("shadow_cases", "bigint"),
        ("live_waiting", "bigint"),
        ("shadow_waiting", "bigint"),
    ],
    "shadow_load": [
        ("office", "text"),
        ("hour", "timestamp with time zone"),
        ("shadow_model", "text"),
        ("adviser_id", "text"),
        ("live_cases", "bigint"),
        ("shadow_cases", "bigint"),
        ("same_cases", "bigint"),
    ],
    "sla_case": [
        ("case_id", "uuid"),
        ("office", "text"),
        ("organisation_model", "text"),
        ("topic_family", "text"),
        ("channel", "text"),
        ("received_at", "timestamp with time zone"),
        ("received_month", "date"),
        ("target_s", "double precision"),
        ("due_at", "timestamp with time zone"),
        ("first_response_at", "timestamp with time zone"),
        ("resolved_at", "timestamp with time zone"),
        ("paused_s", "double precision"),
        ("elapsed_s", "double precision"),
        ("met", "boolean"),
        ("breached", "boolean"),
    ],
    "sla_monthly": [
        ("office", "text"),
        ("month", "date"),
        ("organisation_model", "text"),
        ("cases", "bigint"),
        ("met", "bigint"),
        ("breached", "bigint"),
        ("not_assessed", "bigint"),
        ("met_rate", "double precision"),
        ("paused_s_total", "double precision"),
        ("paused_s_avg", "double precision"),
    ],
    "workload_daily": [
        ("day", "date"),
        ("office", "text"),
        ("team", "text"),
        ("desk", "text"),
        ("adviser_id", "text"),
        ("received", "bigint"),
        ("handled", "bigint"),
        ("open_end_of_day", "bigint"),
        ("capacity", "integer"),
        ("load_ratio", "double precision"),
    ],
}

COLUMNS = """
SELECT table_name, column_name, data_type FROM information_schema.columns
WHERE table_schema = $1 AND table_name <> 'schema_migrations'
ORDER BY table_name, ordinal_position"""


async def test_the_views_keep_their_columns(db: asyncpg.Pool) -> None:
    rows = await db.fetch(COLUMNS, SCHEMA)
    found: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        found.setdefault(row["table_name"], []).append((row["column_name"], row["data_type"]))
    assert found == PINNED


def documented() -> dict[str, set[str]]:
    """View -> the columns docs/bi.md describes (its `### bi.<view>` sections' tables)."""
    views: dict[str, set[str]] = {}
    current = None
    for line in (ROOT / "docs" / "bi.md").read_text().splitlines():
        if heading := re.match(r"^### `?bi\.(\w+)`?", line):
            current = heading.group(1)
            views[current] = set()
        elif current and (cell := re.match(r"^\| `(\w+)` \|", line)):
            views[current].add(cell.group(1))
    return views


def test_every_view_and_column_is_documented() -> None:
    assert documented() == {view: {c for c, _ in cols} for view, cols in PINNED.items()}


async def test_the_bi_role_reads_the_views_and_nothing_else(settings: Settings) -> None:
    if settings.database_url:
        pytest.skip("the relais_bi role is provisioned by the local stack only")
    conn = await asyncpg.connect(settings.bi_dsn())
    try:
        # Given the read-only BI role, it reads every view
        for view in PINNED:
            await conn.fetch(f"SELECT * FROM {SCHEMA}.{view} LIMIT 1")
        # But not the services' own tables, and it writes nothing
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch("SELECT * FROM routing.cases LIMIT 1")
        for table in ("intake.requests", "advisory.case_history", "admin.tasks"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.fetch(f"SELECT * FROM {table} LIMIT 1")
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await conn.execute(f"CREATE TABLE {SCHEMA}.mine (x int)")
    finally:
        await conn.close()
