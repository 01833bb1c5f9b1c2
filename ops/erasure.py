"""The proof of an erasure: what Relais held of a member's personal data, and where any of it
is still found. ``collect`` gathers the member's personal values (from the log, opened with
their keys while they exist, and from the projections); ``scan`` looks for them in every topic
(dead-letter and redrive topics included), every table and view of the services' schemas and
of `bi`, and the services' log files.

Two ways to look: with the plaintext in hand (right after the erasure, in the same run:
anywhere in a value, also JSON-escaped), or with an erasure's record only (``Needles.hashed``:
salted SHA-256 of each value, kept in the key store; no plaintext kept anywhere), which finds
a value stored whole (a field, a column, a JSON string), not one quoted inside a longer text.
Values shorter than MIN_LENGTH are not looked for: too common to tell anything; nor values
other members' records hold as well (texts the services write, e.g. "The member answered.")."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import typing
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from ops import kafka
from services.admin import erasure_store as admin_erasure
from services.advisory import erasure_store as advisory_erasure
from services.intake import erasure_store as intake_erasure
from services.routing import erasure_store as routing_erasure
from shared import keys, sealing
from shared.codec import UndecodableEvent, decode
from shared.envelope import ERASED
from shared.events import MEMBER_ERASURES, TOPIC_SCHEMAS
from shared.settings import Settings

MIN_LENGTH = 4
# Every schema but the key store's (keys and proofs, no personal value) and PostgreSQL's own:
# the live projections, the copies ops keep (`<service>_previous_*`, shadows being rebuilt),
# `bi`, ops' records.
NOT_SCANNED = ("keystore", "information_schema", "public")
TEXT_TYPES = ("text", "character varying", "jsonb", "json")
ERASERS: dict[str, Callable[[Any, str], Awaitable[object]]] = {
    "intake": intake_erasure.erase,
    "routing": routing_erasure.erase,
    "advisory": advisory_erasure.erase,
    "admin": admin_erasure.erase,
}
COPIES = r"^(intake|routing|advisory|admin)_(previous_[0-9]{8}_[0-9]{6}_[0-9]{3}|rebuild.*)$"


class ErasureFailed(RuntimeError):
    """intake did not erase (nothing destroyed, or ask again), or nothing is recorded."""


@dataclass(frozen=True)
class Needles:
    """What to look for: the plaintext values, or their salted hashes."""

    plain: frozenset[str] = frozenset()
    salt: bytes = b""
    hashes: frozenset[bytes] = frozenset()

    @classmethod
    def of(cls, values: Iterable[str]) -> Needles:
        return cls(plain=frozenset(v for v in values if len(v) >= MIN_LENGTH and v != ERASED))

    @classmethod
    def hashed(cls, salt: bytes, hashes: Iterable[bytes]) -> Needles:
        return cls(salt=salt, hashes=frozenset(hashes))

    def record(self) -> tuple[bytes, tuple[bytes, ...]]:
        """A salt and the values' hashes: what the key store keeps of them."""
        salt = os.urandom(16)
        return salt, tuple(sorted(digest(salt, v) for v in self.plain))

    def __len__(self) -> int:
        return len(self.plain) or len(self.hashes)

    def in_bytes(self, data: bytes) -> bool:
        """Whether ``data`` (a message, a file) holds one of the values."""
        if self.plain:
            return any(form in data for v in self.plain for form in _forms(v))
        return any(self.in_json(line) for line in data.splitlines())

    def in_json(self, data: bytes) -> bool:
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            return digest(self.salt, data.decode(errors="replace").strip()) in self.hashes
        return any(digest(self.salt, s) in self.hashes for s in _strings(parsed))


def digest(salt: bytes, value: str) -> bytes:
    return hashlib.sha256(salt + value.encode()).digest()


def _forms(value: str) -> tuple[bytes, ...]:
    raw = value.encode()
    escaped = orjson.dumps(value)[1:-1]
    ascii_escaped = json.dumps(value)[1:-1].encode()
    return tuple({raw, escaped, ascii_escaped})


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@dataclass
class Report:
    """Where a member's personal data was found: place -> how many times."""

    hits: dict[str, int] = field(default_factory=dict)
    looked: list[str] = field(default_factory=list)

    def add(self, place: str, count: int) -> None:
        if count:
            self.hits[place] = self.hits.get(place, 0) + count

    @property
    def total(self) -> int:
        return sum(self.hits.values())


# --- what the member's personal data is ----------------------------------------------------------


def personal_topics() -> set[str]:
    """The contract topics that carry events with personal fields about a member."""
    sealed = set(sealing.paths_by_type())
    return {topic for topic, schema in TOPIC_SCHEMAS.items() if sealed & set(_type_names(schema))}


def _type_names(schema: Any) -> Iterator[str]:
    for arg in typing.get_args(schema):
        fields = getattr(arg, "model_fields", None) if isinstance(arg, type) else None
        if fields and "type" in fields:
            yield from typing.get_args(fields["type"].annotation)
        else:
            yield from _type_names(arg)


async def collect(settings: Settings, member_id: str) -> set[str]:
    """The member's personal values: every personal field of their events in the log (opened
    with their keys, so before these are destroyed), and what the projections show of them."""
    values: set[str] = set()
    store = await keys.store()
    states = await store.states([member_id])
    async for topic, value in _records(settings, personal_topics()):
        try:
            event = decode(topic, value)
        except UndecodableEvent:
            continue
        if getattr(event, "member_id", None) != member_id:
            continue
        for path in sealing.paths_of(event):
            text = sealing.value_at(event, path)
            if sealing.is_sealed(text):
                key = states.keys.get(sealing.kid_of(text))
                if key is None:
                    continue
                text = sealing.unseal(key, path, text)
            values.add(text)
    conn = await asyncpg.connect(settings.ops_dsn())
    try:
        for sql in (
            "SELECT member_name, subject, body FROM advisory.requests WHERE member_id = $1",
            "SELECT name FROM admin.members WHERE member_id = $1",
        ):
            for row in await conn.fetch(sql, member_id):
                values.update(v for v in row.values() if isinstance(v, str))
        values = {v for v in values if len(v) >= MIN_LENGTH and v != ERASED}
        # What other members' records hold too is not this member's to prove gone: texts the
        # services write themselves ("The member answered.") or a shared template reply.
        ordered = sorted(values)
        shared = await conn.fetch(SHARED, member_id, ordered, [_json(v) for v in ordered])
    finally:
        await conn.close()
    return values - {r["value"] for r in shared}


# advisory's history holds every personal field of every case's facts, opened.
SHARED = """
SELECT v.value FROM unnest($2::text[], $3::text[]) AS v(value, escaped)
WHERE EXISTS (SELECT 1 FROM advisory.case_history h
              WHERE h.event->>'member_id' <> $1 AND strpos(h.event::text, v.escaped) > 0)
   OR EXISTS (SELECT 1 FROM advisory.requests r
              WHERE r.member_id <> $1 AND v.value IN (r.member_name, r.subject, r.body))"""


def _json(value: str) -> str:
    """The value as jsonb's text writes it (JSON-escaped, non-ASCII as is)."""
    return orjson.dumps(value).decode()[1:-1]


# --- where it is still found ---------------------------------------------------------------------

CONSUMERS = ("routing", "advisory", "admin")
UNSENT = "SELECT count(*) FROM intake.outbox WHERE topic = $1 AND key = $2"
APPLIED = """
SELECT partition, next_offset FROM {schema}.consumer_positions
WHERE consumer_group = $1 AND topic = $2"""


async def wait_applied(settings: Settings, member_id: str, timeout_s: float) -> bool:
    """Waits until intake published the member's erasure and every consuming service applied
    everything on `member-erasures` up to it; whether that happened in time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    conn = await asyncpg.connect(settings.ops_dsn())
    try:
        while await conn.fetchval(UNSENT, MEMBER_ERASURES, member_id.encode()):
            if loop.time() > deadline:
                return False
            await asyncio.sleep(0.2)
        tps = await kafka.partitions(settings.kafka_bootstrap_servers, [MEMBER_ERASURES])
        async with kafka.reader(settings.kafka_bootstrap_servers) as consumer:
            ends = await kafka.ends(consumer, tps)
        for service in CONSUMERS:
            query = APPLIED.format(schema=service)
            while True:
                rows = await conn.fetch(query, service, MEMBER_ERASURES)
                applied = {r["partition"]: r["next_offset"] for r in rows}
                if all(applied.get(tp.partition, 0) >= end for tp, end in ends.items()):
                    break
                if loop.time() > deadline:
                    return False
                await asyncio.sleep(0.2)
    finally:
        await conn.close()
    return True


async def scan(settings: Settings, needles: Needles, log_dirs: Iterable[Path]) -> Report:
    """Looks for the values in the log, the projections and BI views, and the log files."""
    report = Report()
    if not len(needles):
        return report
    await _scan_log(settings, needles, report)
    await _scan_database(settings, needles, report)
    _scan_files(needles, log_dirs, report)
    return report


async def _topics(settings: Settings) -> list[str]:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers, client_id="relais-erase"
    )
    await admin.start()
    try:
        return sorted(t for t in await admin.list_topics() if not t.startswith("__"))
    finally:
        await admin.close()


async def _records(settings: Settings, topics: set[str] | None = None) -> Any:
    """(topic, value) of every record of the topics (all but Kafka's own when None)."""
    names = sorted(topics) if topics is not None else await _topics(settings)
    tps = await kafka.partitions(settings.kafka_bootstrap_servers, names)
    if not tps:
        return
    async with kafka.reader(settings.kafka_bootstrap_servers) as consumer:
        consumer.assign(tps)
        todo: dict[TopicPartition, int] = {}
        first = await kafka.starts(consumer, tps)
        for tp, end in (await kafka.ends(consumer, tps)).items():
            if end > first[tp]:
                todo[tp] = end
                consumer.seek(tp, first[tp])
        while todo:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for tp, records in batch.items():
                for record in records:
                    if record.offset < todo.get(tp, -1):
                        yield tp.topic, record.value or b""
                        for _, header in record.headers or ():
                            yield tp.topic, header or b""
            for tp in list(todo):
                if await consumer.position(tp) >= todo[tp]:
                    del todo[tp]


async def _scan_log(settings: Settings, needles: Needles, report: Report) -> None:
    async for topic, value in _records(settings):
        if needles.in_bytes(value):
            report.add(f"topic {topic}", 1)
    report.looked.append("every topic (dead-letter and redrive topics included)")


COLUMNS = """
SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns
WHERE NOT (table_schema = ANY($1::text[])) AND table_schema NOT LIKE 'pg\\_%'
  AND data_type = ANY($2::text[])
ORDER BY table_schema, table_name, ordinal_position"""


async def mask_copies(settings: Settings, member_id: str) -> list[str]:
    """Masks the member in the copies of projections ops keep (the previous projection kept
    for a rollback, a shadow being rebuilt), as each service masks its live one; the schemas
    masked. The live projections are the services' to mask (on MemberErased)."""
    conn = await asyncpg.connect(settings.ops_dsn())
    masked = []
    try:
        schemas = await conn.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname ~ $1 ORDER BY 1", COPIES
        )
        for row in schemas:
            schema = row["nspname"]
            service = schema.split("_", 1)[0]
            async with conn.transaction():
                await conn.execute(f'SET LOCAL search_path = "{schema}"')
                await ERASERS[service](conn, member_id)
            masked.append(schema)
    finally:
        await conn.close()
    return masked


async def _scan_database(settings: Settings, needles: Needles, report: Report) -> None:
    conn = await asyncpg.connect(settings.ops_dsn())
    try:
        columns = await conn.fetch(COLUMNS, list(NOT_SCANNED), list(TEXT_TYPES))
        by_table: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for c in columns:
            key = (c["table_schema"], c["table_name"])
            by_table.setdefault(key, []).append((c["column_name"], c["data_type"]))
        for (schema, table), cols in by_table.items():
            found = await _count(conn, f'"{schema}"."{table}"', cols, needles)
            report.add(f"table {schema}.{table}", found)
        schemas = sorted({schema for schema, _ in by_table})
        report.looked.append(f"{len(by_table)} tables and views of {', '.join(schemas)}")
    finally:
        await conn.close()


async def _count(
    conn: asyncpg.Connection[asyncpg.Record], table: str, cols: list[tuple[str, str]], n: Needles
) -> int:
    if n.plain:
        patterns = [f"%{_like(v)}%" for v in n.plain]
        text = " OR ".join(f'"{c}"::text LIKE ANY($1::text[])' for c, _ in cols)
        # jsonb's text escapes what JSON escapes: the values are looked for in that form too
        patterns += [f"%{_like(orjson.dumps(v).decode()[1:-1])}%" for v in n.plain]
        return int(await conn.fetchval(f"SELECT count(*) FROM {table} WHERE {text}", patterns))
    # One pass per table or view: every text column whole, every string in a JSON column.
    parts = []
    for column, kind in cols:
        if kind in ("jsonb", "json"):
            parts.append(
                f"SELECT v #>> '{{}}' FROM jsonb_path_query(t.\"{column}\"::jsonb, "
                "'strict $.**') AS v WHERE jsonb_typeof(v) = 'string'"
            )
        else:
            parts.append(f'SELECT t."{column}"::text')
    sql = (
        f"SELECT count(*) FROM {table} t, LATERAL ({' UNION ALL '.join(parts)}) AS x(s) "
        "WHERE sha256($1::bytea || convert_to(x.s, 'UTF8')) = ANY($2::bytea[])"
    )
    return int(await conn.fetchval(sql, n.salt, list(n.hashes)))


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _scan_files(needles: Needles, dirs: Iterable[Path], report: Report) -> None:
    count = 0
    for folder in dirs:
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            count += 1
            data = path.read_bytes()
            report.add(f"file {path}", int(needles.in_bytes(data)))
    report.looked.append(f"{count} log files")


def log_dirs() -> list[Path]:
    """Where the services' logs are written: `make run`'s (.local/logs) and the tests'
    (.local/test-logs), in the repository and under RELAIS_LOCAL (the stack's, if elsewhere)."""
    roots = [Path(__file__).resolve().parents[1] / ".local"]
    if os.environ.get("RELAIS_LOCAL"):
        roots.append(Path(os.environ["RELAIS_LOCAL"]))
    found = {(root / d).resolve() for root in roots for d in ("logs", "test-logs")}
    return sorted(found)
