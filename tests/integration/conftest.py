"""Integration: in-process code against the real PostgreSQL and Kafka of `make up`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from shared import db as database
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

ScratchFactory = Callable[[str], Awaitable[asyncpg.Pool]]


@pytest.fixture
async def scratch_schema(settings: Settings) -> AsyncIterator[ScratchFactory]:
    """A throw-away schema migrated like a given service's, dropped afterwards."""
    dsn = settings.database_url or (
        f"postgresql://relais:relais@{settings.pg_host}:{settings.pg_port}/{settings.pg_database}"
    )
    created: list[tuple[str, asyncpg.Pool]] = []

    async def make(service: str) -> asyncpg.Pool:
        schema = f"it_{service}_{uuid.uuid4().hex[:8]}"
        pool = await database.connect(dsn, schema, min_size=1, max_size=4)
        await database.migrate(
            pool, schema, [database.PLUMBING_MIGRATIONS, ROOT / "services" / service / "migrations"]
        )
        created.append((schema, pool))
        return pool

    yield make
    for schema, pool in created:
        await pool.execute(f"DROP SCHEMA {schema} CASCADE")
        await pool.close()
