"""The swap: a candidate schema (a rebuilt shadow, or a kept previous projection on rollback)
takes the live schema's name, and the live one is kept beside it as
``<service>_previous_<stamp>``, so that it can be put back.

Everything happens in the caller's transaction, with the live writers paused (ops.cut):

- the schemas are renamed; live sessions resolve table names again, and the paused writers
  resume on the candidate's tables;
- the plumbing is exchanged: the live outbox and consumed positions move into the new live
  schema (pending messages and positions carry on), the candidate's go with the kept one; so
  are the tables that are not from the log (ops.schemas.NOT_FROM_LOG: advisory's drafts and
  presence), which a rebuild cannot make;
- the kept one's positions are set to the cut and its outbox emptied (nothing relays it): it
  is then the projection as it stood at the cut, which a rollback can bring up to date from
  those positions like any shadow.

Only the newest kept copy of a service is kept once a swap is verified; older ones are
dropped."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from aiokafka import TopicPartition

from ops.kafka import Offsets
from ops.schemas import kept_as_is, quoted
from shared.db import Conn

RENAME = """
ALTER SCHEMA {live} RENAME TO {kept};
ALTER SCHEMA {candidate} RENAME TO {live};
CREATE SCHEMA {hold} AUTHORIZATION {owner};
"""
# One table exchanged: the kept one's (the live one's until the rename) into the new live
# schema, the candidate's into the kept one.
EXCHANGE_TABLE = """
ALTER TABLE {live}.{table} SET SCHEMA {hold};
ALTER TABLE {kept}.{table} SET SCHEMA {live};
ALTER TABLE {hold}.{table} SET SCHEMA {kept};
"""
EMPTY_KEPT = """
DROP SCHEMA {hold};
TRUNCATE {kept}.outbox;
DELETE FROM {kept}.consumer_positions;
"""
EXCHANGED = ("outbox", "consumer_positions")
CUT = """
INSERT INTO {kept}.consumer_positions (consumer_group, topic, partition, next_offset)
SELECT $1, t, p, o FROM unnest($2::text[], $3::int[], $4::bigint[]) AS c(t, p, o)"""
STORED = "SELECT topic, partition, next_offset FROM {schema}.consumer_positions"
KEPT = "SELECT nspname FROM pg_namespace WHERE nspname ~ $1 ORDER BY nspname DESC"


def kept_name(live: str, now: datetime | None = None) -> str:
    """The name the live schema is kept under: ``<live>_previous_<UTC time to the ms>``."""
    now = now or datetime.now(UTC)
    return f"{live}_previous_{now:%Y%m%d_%H%M%S}_{now.microsecond // 1000:03d}"


def _kept_pattern(live: str) -> str:
    return f"^{re.escape(live)}_previous_[0-9]{{8}}_[0-9]{{6}}_[0-9]{{3}}$"


async def kept(conn: Conn, live: str) -> list[str]:
    """The kept previous projections of ``live``, newest first."""
    return [r["nspname"] for r in await conn.fetch(KEPT, _kept_pattern(live))]


async def exchange(
    conn: Conn, *, live: str, candidate: str, kept_as: str, owner: str, group: str, cut: Offsets
) -> None:
    """Swaps ``candidate`` in for ``live``, keeping ``live`` as ``kept_as`` at ``cut``."""
    tables = [*EXCHANGED, *await kept_as_is(conn, live)]
    names = {
        "live": quoted(live),
        "candidate": quoted(candidate),
        "kept": quoted(kept_as),
        "hold": quoted(f"{live}_swapping"),
        "owner": quoted(owner),
    }
    exchanged = "".join(EXCHANGE_TABLE.format(**names, table=quoted(t)) for t in tables)
    await conn.execute(RENAME.format(**names) + exchanged + EMPTY_KEPT.format(**names))
    tps = sorted(cut)
    await conn.execute(
        CUT.format(kept=quoted(kept_as)),
        group,
        [tp.topic for tp in tps],
        [tp.partition for tp in tps],
        [cut[tp] for tp in tps],
    )


async def stored_positions(conn: Conn, schema: str) -> Offsets:
    """The positions stored in a kept projection (where it stood at its cut)."""
    rows = await conn.fetch(STORED.format(schema=quoted(schema)))
    return {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}


async def drop_older(conn: Conn, live: str, keep: int = 1) -> list[str]:
    """Drops the kept copies of ``live`` beyond the ``keep`` newest; returns their names."""
    older = (await kept(conn, live))[keep:]
    for name in older:
        await conn.execute(f"DROP SCHEMA {quoted(name)} CASCADE")
    return older
