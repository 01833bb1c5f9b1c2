"""ops.bulk_stage: a staging table of which only the latest row per key is copied."""

from __future__ import annotations

from operator import itemgetter
from typing import Any, cast

from ops.bulk_stage import Plan, Stager
from shared.bulk import BulkLoader, Latest, Staged, StagingTable
from shared.db import Conn


def test_only_the_latest_row_per_key_is_kept_and_a_tie_keeps_the_row_read_first() -> None:
    table = StagingTable(
        "t", ("seq", "key", "rank", "data"), "", latest=Latest(itemgetter(1), itemgetter(2))
    )
    loader = BulkLoader(frozenset(), (table,), lambda *_: Staged(), ())
    stager = Stager(Plan("s", "b", {}, frozenset()), loader, cast(Conn, None))
    rows: list[tuple[Any, ...]] = [
        (0, "a", 1, "old"),
        (1, "a", 3, "latest"),
        (2, "b", 2, "only"),
        (3, "a", 3, "same rank, read later"),
        (4, "a", 2, "older, read later"),
    ]
    stager._keep_latest("t", rows[:2])
    stager._keep_latest("t", rows[2:])  # across chunks as within one
    assert sorted(stager._latest["t"][1].values()) == [(1, "a", 3, "latest"), (2, "b", 2, "only")]
