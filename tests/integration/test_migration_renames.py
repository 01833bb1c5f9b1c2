"""Renumbered migrations (``shared.db.RENAMED``): a schema migrated under the old file names is
up to date for the new ones. Migrating it again applies nothing, and a rebuild's shadow
(migrated under the new names) counts as migrated alike."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from ops import schemas
from shared import db
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
RENUMBERED = ("advisory", "routing")


def under_old_names(service: str, root: Path) -> Path:
    """A copy of ``service``'s migrations as they were named before the renumbering."""
    old_names = {new: old for old, new in db.RENAMED.items()}
    copy = root / service / "migrations"
    copy.mkdir(parents=True)
    for name, path in db.migration_files([ROOT / "services" / service / "migrations"]):
        shutil.copy(path, copy / old_names.get(name, name).split("/", 1)[1])
    return copy


@pytest.fixture
async def schemas_made(settings: Settings) -> AsyncIterator[list[str]]:
    made: list[str] = []
    yield made
    conn = await asyncpg.connect(settings.ops_dsn())
    try:
        for schema in made:
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        await conn.close()


async def migrated(settings: Settings, schema: str, migrations: Path) -> list[str]:
    pool = await db.connect(settings.ops_dsn(), schema, min_size=1, max_size=1)
    try:
        return await db.migrate(pool, schema, [db.PLUMBING_MIGRATIONS, migrations])
    finally:
        await pool.close()


@pytest.mark.parametrize("service", RENUMBERED)
async def test_a_schema_migrated_under_the_old_names_applies_nothing_again(
    settings: Settings, schemas_made: list[str], tmp_path: Path, service: str
) -> None:
    old, new = f"it_old_{uuid.uuid4().hex[:8]}", f"it_new_{uuid.uuid4().hex[:8]}"
    schemas_made += [old, new]
    current = ROOT / "services" / service / "migrations"
    renamed = [name for name in db.RENAMED if name.startswith(f"{service}/")]

    # Given a schema migrated before the renumbering
    first = await migrated(settings, old, under_old_names(service, tmp_path))
    assert set(renamed) <= set(first)

    # When this version migrates it, then nothing runs twice
    assert await migrated(settings, old, current) == []

    # and a schema migrated by this version alone has the same migrations.
    await migrated(settings, new, current)
    conn = await asyncpg.connect(settings.ops_dsn())
    try:
        await schemas.same_migrations(conn, old, new)
    finally:
        await conn.close()
