"""Integration: in-process code against the real PostgreSQL and Kafka of `make up`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from reporting.install import install_views
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


BiInstaller = Callable[[dict[str, asyncpg.Pool]], Awaitable[asyncpg.Pool]]


@pytest.fixture
async def bi_over(settings: Settings) -> AsyncIterator[BiInstaller]:
    """Installs the `bi` views in a throw-away schema, reading the given services' schemas."""
    created: list[tuple[str, asyncpg.Pool]] = []

    async def install(sources: dict[str, asyncpg.Pool]) -> asyncpg.Pool:
        names = {s: await p.fetchval("SELECT current_schema()") for s, p in sources.items()}
        schema = f"it_bi_{uuid.uuid4().hex[:8]}"
        pool = await database.connect(settings.admin_dsn(), schema, min_size=1, max_size=2)
        created.append((schema, pool))
        await install_views(pool, schema, names)
        return pool

    yield install
    for schema, pool in created:
        await pool.execute(f"DROP SCHEMA {schema} CASCADE")
        await pool.close()
