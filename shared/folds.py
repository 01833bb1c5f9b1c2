"""A projection table that keeps one row per key, folded from facts: the latest by ``rank``
wins (an exact tie keeps the row applied first), or, without a rank, the first one applied.

The rule is written once, here, and gives both statements that apply it: the live upsert (a
batch as one JSON array parameter, unpacked by json_to_recordset) and a rebuild's bulk merge
(every staged row at once into the empty table, DISTINCT ON the key). So the handlers and the
bulk path cannot keep different rows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fold:
    table: str
    key: str
    # Every column, the key included, with its SQL type, in the table's order.
    columns: tuple[tuple[str, str], ...]
    # The columns that order the facts (the highest wins); empty: the first applied stays.
    rank: tuple[str, ...] = ()
    # Columns an update leaves alone (another statement owns them, e.g. a flag set for good).
    kept: tuple[str, ...] = ()

    @property
    def names(self) -> str:
        return ", ".join(name for name, _ in self.columns)

    def upsert(self) -> str:
        """The live statement: ``$1`` is a JSON array of rows, one per key, sorted by key
        (so concurrent writers lock rows in one order); each key keeps the winner."""
        types = ", ".join(f"{name} {type_}" for name, type_ in self.columns)
        insert = (
            f"INSERT INTO {self.table} ({self.names})\n"
            f"SELECT {self.names} FROM json_to_recordset($1::json) AS x({types})\n"
            f"ON CONFLICT ({self.key}) DO "
        )
        if not self.rank:
            return insert + "NOTHING"
        updated = [n for n, _ in self.columns if n != self.key and n not in self.kept]
        old = ", ".join(f"{self.table}.{r}" for r in self.rank)
        new = ", ".join(f"excluded.{r}" for r in self.rank)
        sets = ", ".join(f"{n} = excluded.{n}" for n in updated)
        return insert + f"UPDATE\nSET {sets}\nWHERE ({old}) < ({new})"

    def merge(self, rows: str, key_order: str | None = None) -> str:
        """A rebuild's statement into the empty table: ``rows`` is a query giving the table's
        columns by name and ``seq`` (the order the facts were read: a tie keeps the first).
        ``key_order`` sorts the keys otherwise (e.g. ``COLLATE "C"``, faster for text): the
        groups are the same."""
        key = f"{self.key} {key_order}" if key_order else self.key
        ranks = "".join(f"{r} DESC, " for r in self.rank)
        return (
            f"INSERT INTO {self.table} ({self.names})\n"
            f"SELECT DISTINCT ON ({key}) {self.names}\n"
            f"FROM ({rows}) AS x ORDER BY {key}, {ranks}seq"
        )
