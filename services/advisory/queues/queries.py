"""The queue listing and the counts per queue, from advisory's tables: each case with its
request (subject, member) and the due time of its SLA clock that runs out first.

The listing's SQL is put together from constant fragments, one per filter given, all with
``$n`` parameters: PostgreSQL then plans each combination for what it is (the search from its
GIN index, a member's cases from theirs) rather than one plan for every "any" filter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from services.advisory.queues.cursor import Position
from shared.db import Conn

# A running clock: started, neither met nor stopped (a reply stops the first response clock, a
# resolution both; a reopening starts the resolution clock again after its last resolution),
# not paused (waiting on the member). Each of the two clocks is joined by its
# key rather than the soonest picked per case in a subquery, so PostgreSQL may hash-join a large
# listing and look a small one up by key.
RUNNING = """s.deadline IS NOT NULL AND s.met_at IS NULL
    AND (s.stopped_at IS NULL OR s.stopped_at < s.started_at) AND NOT s.paused"""
SOONEST_DUE = f"""
LEFT JOIN sla_clocks f ON f.case_id = c.case_id AND f.clock = 'first_response'
    AND {RUNNING.replace("s.", "f.")}
LEFT JOIN sla_clocks r ON r.case_id = c.case_id AND r.clock = 'resolution'
    AND {RUNNING.replace("s.", "r.")}"""
# least() ignores nulls: the soonest of the running clocks' deadlines (a tie: first response).
DEADLINE = "least(f.deadline, r.deadline)"
CLOCK = """CASE WHEN f.deadline IS NOT NULL AND (r.deadline IS NULL OR f.deadline <= r.deadline)
            THEN 'first_response' WHEN r.deadline IS NOT NULL THEN 'resolution' END"""
ROWS = f"""
SELECT c.*, q.member_name, q.subject, q.channel, q.follows_case_id, {CLOCK} AS sla_clock,
       {DEADLINE} AS sla_due_at
FROM cases c
LEFT JOIN requests q ON q.case_id = c.case_id{SOONEST_DUE}"""
DUE = f"coalesce({DEADLINE}, 'infinity'::timestamptz)"
OPENED = "coalesce(c.opened_at, 'infinity'::timestamptz)"
ORDER = f"ORDER BY {DUE}, {OPENED}, c.case_id"

# One fragment per filter; each {} is the filter's one parameter.
FILTERS = {
    "queue": "c.queue = {}",
    "office": "c.office = {}",
    "tier": "c.tier = {}",
    "assignee": "c.assignee = {}",
    "routed_to": "c.routed_to = {}",
    "statuses": "c.status = ANY({}::text[])",
    "language": "c.language = {}",
    "topic_family": "c.topic_family = {}",
    "opened_before": "c.opened_at <= {}",
    "member_id": "c.member_id = {}",
    "search": "q.search @@ to_tsquery('simple', {})",
}
AFTER = f"({DUE}, {OPENED}, c.case_id) > ({{}}::text::timestamptz, {{}}::text::timestamptz, {{}})"

COUNTS = f"""
SELECT c.queue, c.tier, c.status, count(*) AS cases, min(c.opened_at) AS oldest_opened_at,
       count(*) FILTER (WHERE {DEADLINE} < $3) AS overdue, min({DEADLINE}) AS next_due_at
FROM cases c{SOONEST_DUE}
WHERE c.status IS NOT NULL AND c.status <> 'resolved' AND c.queue IS NOT NULL
  AND ($1::text IS NULL OR c.office = $1) AND ($2::text IS NULL OR c.tier = $2)
GROUP BY c.queue, c.tier, c.status
ORDER BY c.queue, c.tier, c.status"""


@dataclass(frozen=True)
class Listing:
    """What a listing asks for: every filter optional (None: any), a page after a position."""

    filters: dict[str, Any] = field(default_factory=dict)
    after: Position | None = None
    limit: int = 100


def statement(wanted: Listing) -> tuple[str, list[Any]]:
    """The SQL of a listing and its parameters; one more row than the page, to tell whether
    another page follows."""
    conditions: list[str] = []
    params: list[Any] = []

    def param(value: Any) -> str:
        params.append(value)
        return f"${len(params)}"

    for name, value in wanted.filters.items():
        if value is not None:
            conditions.append(FILTERS[name].format(param(value)))
    if wanted.after is not None:
        a = wanted.after
        conditions.append(AFTER.format(param(a.due), param(a.opened), param(a.case_id)))
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"{ROWS}\n{where}\n{ORDER}\nLIMIT {param(wanted.limit + 1)}", params


async def listing(conn: Conn, wanted: Listing) -> list[asyncpg.Record]:
    """The page's rows, and one more if another page follows."""
    sql, params = statement(wanted)
    return await conn.fetch(sql, *params)


async def counts(
    conn: Conn, office: str | None, tier: str | None, now: datetime
) -> list[asyncpg.Record]:
    """Open cases per queue and state: how many, the oldest, how many are past due."""
    return await conn.fetch(COUNTS, office, tier, now)
