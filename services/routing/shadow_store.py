"""routing's shadow tables: which candidate model shadows each office (written by the
organisation's fold, ``organisation.store``) and the shadow decisions. Live routing's
decisions never read them."""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from shared.db import Conn
from shared.events import OrganisationModel
from shared.shadow_events import CaseShadowRouted

CANDIDATES = """
SELECT office, model FROM office_shadows WHERE office = ANY($1::text[]) AND model IS NOT NULL"""

# A case's one shadow decision: the first applied stays (its id is derived from the request).
INSERT_DECISIONS = """
INSERT INTO shadow_decisions (case_id, office, queue, desk, adviser_id, organisation_model,
    policy, policy_version, live_queue, live_adviser_id, live_model, topic_family, language,
    received_at, routed_at, event_id)
SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(case_id uuid, office text, queue text,
    desk text, adviser_id text, organisation_model text, policy text, policy_version int,
    live_queue text, live_adviser_id text, live_model text, topic_family text, language text,
    received_at timestamptz, routed_at timestamptz, event_id uuid)
ON CONFLICT (case_id) DO NOTHING"""

COLUMNS = (
    "case_id",
    "office",
    "queue",
    "desk",
    "adviser_id",
    "organisation_model",
    "policy",
    "policy_version",
    "live_queue",
    "live_adviser_id",
    "live_model",
    "topic_family",
    "language",
    "received_at",
    "routed_at",
    "event_id",
)


async def candidates(conn: Conn, offices: Sequence[str]) -> dict[str, OrganisationModel]:
    """office -> the candidate model shadowing it (offices without a shadow are left out)."""
    rows = await conn.fetch(CANDIDATES, sorted(set(offices)))
    return {r["office"]: OrganisationModel(r["model"]) for r in rows}


async def record(conn: Conn, decisions: Sequence[CaseShadowRouted]) -> None:
    """Stores shadow decisions (a decision applied twice changes nothing)."""
    if not decisions:
        return
    rows = [d.model_dump(mode="json", include=set(COLUMNS)) for d in decisions]
    rows.sort(key=lambda r: r["case_id"])  # concurrent writers lock rows in the same order
    await conn.execute(INSERT_DECISIONS, orjson.dumps(rows).decode())
