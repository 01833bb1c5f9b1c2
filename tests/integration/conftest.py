"""Integration tests: real PostgreSQL and Kafka, in-process, in scratch schemas and topics of
their own (never the contract's topics or the services' live schemas)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from ops import schemas
from ops.services import Service, load
from reporting.install import install_views
from shared import db as database
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

ScratchFactory = Callable[[str], Awaitable[asyncpg.Pool]]


@pytest.fixture
async def scratch_schema(settings: Settings) -> AsyncIterator[ScratchFactory]:
    """A throw-away schema migrated like a given service's, dropped afterwards."""
    dsn = settings.ops_dsn()
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
        pool = await database.connect(settings.ops_dsn(), schema, min_size=1, max_size=2)
        created.append((schema, pool))
        await install_views(pool, schema, names)
        return pool

    yield install
    for schema, pool in created:
        await pool.execute(f"DROP SCHEMA {schema} CASCADE")
        await pool.close()


@pytest.fixture(scope="session")
def routing_service(settings: Settings) -> Service:
    return load("routing", settings)


@pytest.fixture(scope="session")
def intake_service(settings: Settings) -> Service:
    return load("intake", settings)


async def scratch(settings: Settings, service: Service, name: str) -> schemas.Shadow:
    """An empty copy of a service's tables in schema ``name``, owned by the service's role."""
    ops = await asyncpg.connect(settings.ops_dsn())
    try:
        return await schemas.create(
            ops,
            settings.ops_dsn(),
            live=service.schema,
            shadow=name,
            migrations=service.migrations,
            check=False,
        )
    finally:
        await ops.close()


@pytest.fixture
async def routing_scratch(
    settings: Settings, routing_service: Service
) -> AsyncIterator[schemas.Shadow]:
    shadow = await scratch(settings, routing_service, "routing_test")
    yield shadow
    await shadow.pool.close()
    ops = await asyncpg.connect(settings.ops_dsn())
    await schemas.drop(ops, "routing_test")
    await ops.close()
