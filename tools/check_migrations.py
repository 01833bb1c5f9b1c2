"""No two migrations of one folder share a number: ``python -m tools.check_migrations``
(run by ``make lint``).

Migrations run in file-name order and the ledger records them by name. Two files with the same
number leave their order to the rest of their names, so a migration added later can sort
before one that databases have already applied. The renamed migrations
(``shared.db.RENAMED``) must name files that exist under their new names only, or a database
migrated under the old names would run them again."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from shared import db

ROOT = Path(__file__).resolve().parents[1]


def migration_folders(root: Path) -> list[Path]:
    """Every folder of migrations: the plumbing's, each service's, the BI views'."""
    candidates = [
        *root.glob("*/migrations"),
        *root.glob("services/*/migrations"),
        *root.glob("shared/*/migrations"),  # the key store's
    ]
    return sorted(p for p in candidates if p.is_dir() and any(p.glob("*.sql")))


def problems(folders: list[Path], renamed: Mapping[str, str] | None = None) -> list[str]:
    """What is wrong with the numbering of ``folders``' migrations, one line each."""
    found: list[str] = []
    names: set[str] = set()
    for folder in folders:
        by_number: dict[int, list[str]] = defaultdict(list)
        for name, path in db.migration_files([folder]):
            names.add(name)
            number, underscore, _ = path.name.partition("_")
            if not (underscore and number.isdigit()):
                found.append(f"{name}: not named <number>_<what>.sql")
                continue
            by_number[int(number)].append(path.name)
        for files in by_number.values():
            if len(files) > 1:
                found.append(f"{folder.parent.name}: {' and '.join(files)} share a number")
    for old, new in (db.RENAMED if renamed is None else renamed).items():
        if old in names:
            found.append(f"{old}: renamed to {new} but still there under its old name")
        if new not in names:
            found.append(f"{old}: renamed to {new}, which does not exist")
    return found


def main() -> int:
    found = problems(migration_folders(ROOT))
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
