"""Integration tests: real PostgreSQL and Kafka, in-process, in scratch schemas and topics of
their own (never the contract's topics or the services' live schemas)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from ops import schemas
from ops.services import Service, load
from shared.settings import Settings


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
