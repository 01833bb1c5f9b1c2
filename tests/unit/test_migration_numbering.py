"""Migration numbering (``tools.check_migrations``, run by ``make lint``): one number per
migration of a folder, and renamed migrations that keep their order."""

from __future__ import annotations

from pathlib import Path

from shared import db
from tools.check_migrations import ROOT, migration_folders, problems


def folder(root: Path, service: str, *files: str) -> Path:
    migrations = root / service / "migrations"
    migrations.mkdir(parents=True)
    for name in files:
        (migrations / name).write_text("SELECT 1;\n")
    return migrations


def test_the_repository_numbers_each_migration_once() -> None:
    assert problems(migration_folders(ROOT)) == []


def test_two_migrations_sharing_a_number_are_reported(tmp_path: Path) -> None:
    migrations = folder(tmp_path, "svc", "0001_a.sql", "0002_b.sql", "0002_c.sql", "2_d.sql")

    assert problems([migrations], renamed={}) == [
        "svc: 0002_b.sql and 0002_c.sql and 2_d.sql share a number"
    ]


def test_a_migration_without_a_number_is_reported(tmp_path: Path) -> None:
    migrations = folder(tmp_path, "svc", "0001_a.sql", "later.sql")

    assert problems([migrations], renamed={}) == ["svc/later.sql: not named <number>_<what>.sql"]


def test_a_rename_must_name_the_file_as_it_is_now(tmp_path: Path) -> None:
    migrations = folder(tmp_path, "svc", "0001_a.sql", "0002_b.sql")
    renamed = {"svc/0001_b.sql": "svc/0002_b.sql", "svc/0001_a.sql": "svc/0003_a.sql"}

    assert problems([migrations], renamed) == [
        "svc/0001_a.sql: renamed to svc/0003_a.sql but still there under its old name",
        "svc/0001_a.sql: renamed to svc/0003_a.sql, which does not exist",
    ]


def test_renamed_migrations_run_in_the_order_they_ran_under_their_old_names() -> None:
    # A schema half-migrated under the old names goes on in the order it began with.
    old_names = {new: old for old, new in db.RENAMED.items()}
    assert len(old_names) == len(db.RENAMED)
    for migrations in migration_folders(ROOT):
        names = [name for name, _ in db.migration_files([migrations])]
        assert sorted(names, key=lambda name: old_names.get(name, name)) == names
