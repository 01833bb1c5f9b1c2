"""The queue listing's cursor and search words: a cursor names the row it came from and
nothing else is taken for one; a search becomes prefix words, whatever the member typed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.advisory.queues import cursor
from services.advisory.queues.views import counted
from shared.refusals import Invalid

TIMES = st.none() | st.datetimes(timezones=st.just(UTC))


@given(due=TIMES, opened=TIMES, case_id=st.uuids())
def test_a_cursor_names_the_position_it_was_made_from(
    due: datetime | None, opened: datetime | None, case_id: uuid.UUID
) -> None:
    position = cursor.position_of(due, opened, case_id)
    assert cursor.decode(cursor.encode(position)) == position
    assert (position.due == cursor.LAST) is (due is None)


@pytest.mark.parametrize(
    "token",
    ["", "not a cursor", "WyJ4Il0", cursor.encode(cursor.Position("yesterday", "x", uuid.uuid4()))],
)
def test_anything_else_is_refused_as_a_cursor(token: str) -> None:
    with pytest.raises(Invalid) as refused:
        cursor.decode(token)
    assert refused.value.code == "bad_cursor"


@pytest.mark.parametrize(
    ("search", "query"),
    [
        ("Dupont", "dupont:*"),
        ("  facture   JANVIER ", "facture:* & janvier:*"),
        ("l'été & (prix) | !x:*", "l:* & été:* & prix:* & x:*"),
        ("snake_case M-0042", "snake:* & case:* & m:* & 0042:*"),
    ],
)
def test_a_search_becomes_prefix_words_only(search: str, query: str) -> None:
    assert cursor.tsquery(cursor.words(search)) == query


def test_nothing_to_search_for_has_no_words() -> None:
    assert cursor.words("&|!:*()") == []
    assert len(cursor.words(" ".join(["w"] * 50))) == cursor.MAX_WORDS


def test_counts_fold_states_into_one_row_per_queue() -> None:
    early, late = datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 2, 11, tzinfo=UTC)
    rows = [
        {"queue": "liege/first_line", "tier": "first_line", "status": "queued", "cases": 3,
         "overdue": 1, "next_due_at": late, "oldest_opened_at": early},
        {"queue": "liege/first_line", "tier": "first_line", "status": "claimed", "cases": 2,
         "overdue": 0, "next_due_at": early, "oldest_opened_at": late},
        {"queue": "support", "tier": "support", "status": "queued", "cases": 1,
         "overdue": 0, "next_due_at": None, "oldest_opened_at": late},
    ]  # fmt: skip
    (liege, support) = counted(rows).queues
    assert (liege.open, liege.by_state, liege.overdue) == (5, {"queued": 3, "claimed": 2}, 1)
    assert (liege.next_due_at, liege.oldest_opened_at) == (early, early)
    assert (support.open, support.next_due_at) == (1, None)
