"""A fold's two statements (shared.folds) keep the same row per key: the live upsert and the
rebuild's merge state one rule."""

from __future__ import annotations

from shared.folds import Fold

HOLDERS = Fold(
    "workload",
    "case_id",
    (("case_id", "uuid"), ("holder", "text"), ("as_of", "timestamptz"), ("closed", "boolean")),
    rank=("as_of",),
    kept=("closed",),
)
FIRST = Fold("requests", "case_id", (("case_id", "uuid"), ("member_id", "text")))


def test_the_upsert_replaces_an_older_row_but_the_key_and_what_it_keeps() -> None:
    statement = HOLDERS.upsert()
    assert "ON CONFLICT (case_id) DO UPDATE" in statement
    assert "SET holder = excluded.holder, as_of = excluded.as_of\n" in statement
    assert "closed = excluded" not in statement
    assert statement.endswith("WHERE (workload.as_of) < (excluded.as_of)")


def test_the_merge_keeps_the_highest_rank_then_the_first_read() -> None:
    statement = HOLDERS.merge("SELECT * FROM staged")
    assert "SELECT DISTINCT ON (case_id) case_id, holder, as_of, closed" in statement
    assert statement.endswith("ORDER BY case_id, as_of DESC, seq")


def test_without_a_rank_the_first_applied_stays_both_ways() -> None:
    assert FIRST.upsert().endswith("ON CONFLICT (case_id) DO NOTHING")
    assert FIRST.merge("SELECT * FROM staged").endswith("ORDER BY case_id, seq")
    assert 'DISTINCT ON (case_id COLLATE "C")' in FIRST.merge("TABLE t", key_order='COLLATE "C"')
