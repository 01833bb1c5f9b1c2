"""What the live view shows of the organisation models: each office's model, the queues (the
offices' first-line queues, or their desks under the specialised model), and the SLA clocks."""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg
from rich.table import Table

MODELS = """
SELECT DISTINCT ON (office) office, model FROM routing.office_models
WHERE effective_at <= now()
ORDER BY office, effective_at DESC, occurred_at DESC, event_id DESC"""

QUEUES = """
SELECT queue, count(*) FILTER (WHERE status = 'queued') AS queued,
       count(*) FILTER (WHERE status IN ('claimed', 'waiting_on_member')) AS in_work
FROM advisory.cases
WHERE queue IS NOT NULL AND status IN ('queued', 'claimed', 'waiting_on_member')
GROUP BY queue ORDER BY queue"""

CLOCKS = """
SELECT clock,
       count(*) FILTER (WHERE met_at IS NULL AND breached_at IS NULL) AS running,
       count(*) FILTER (WHERE met_at IS NULL AND warned_at IS NOT NULL
                        AND breached_at IS NULL) AS warned,
       count(*) FILTER (WHERE breached_at IS NOT NULL) AS breached,
       count(*) FILTER (WHERE on_time) AS met_on_time
FROM advisory.sla_clocks WHERE started_at IS NOT NULL GROUP BY clock ORDER BY clock"""


@dataclass
class PilotSnapshot:
    models: dict[str, str] = field(default_factory=dict)
    queues: list[tuple[str, int, int]] = field(default_factory=list)
    clocks: list[tuple[str, int, int, int, int]] = field(default_factory=list)


async def take(pool: asyncpg.Pool) -> PilotSnapshot:
    """The snapshot; parts whose tables do not exist yet stay empty."""
    snapshot = PilotSnapshot()
    try:
        snapshot.models = {r["office"]: r["model"] for r in await pool.fetch(MODELS)}
        snapshot.queues = [(r[0], r[1], r[2]) for r in await pool.fetch(QUEUES)]
        snapshot.clocks = [(r[0], r[1], r[2], r[3], r[4]) for r in await pool.fetch(CLOCKS)]
    except asyncpg.PostgresError:
        pass
    return snapshot


def queues_table(snapshot: PilotSnapshot) -> Table:
    table = Table(title="Queues by organisation model", title_justify="left")
    for i, column in enumerate(("queue", "model", "queued", "in work")):
        table.add_column(column, justify="left" if i < 2 else "right")
    for queue, queued, in_work in snapshot.queues:
        model = snapshot.models.get(queue.split("/")[0], "-")
        table.add_row(queue, model, str(queued), str(in_work))
    return table


def clocks_table(snapshot: PilotSnapshot) -> Table:
    table = Table(title="SLA clocks (business time)", title_justify="left")
    for i, column in enumerate(("clock", "running", "warned", "breached", "met on time")):
        table.add_column(column, justify="left" if i == 0 else "right")
    for clock, *counts in snapshot.clocks:
        table.add_row(str(clock), *(str(n) for n in counts))
    return table
