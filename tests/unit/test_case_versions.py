"""The case version a command was decided on (services/advisory/versions.py): If-Match parsed,
a stale version refused with what changed since, a current one let through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from services.advisory import versions
from services.advisory.domain import CaseState
from services.advisory.views import CaseView
from shared.refusals import Conflict, Invalid

AT = datetime(2026, 12, 3, 9, 40, tzinfo=UTC)


def history(*facts: tuple[str, str]) -> list[dict[str, Any]]:
    return [
        {"type": t, "actor": a, "occurred_at": AT + timedelta(minutes=i)}
        for i, (t, a) in enumerate(facts)
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("*", None),
        ("", None),
        ('"7"', frozenset({7})),
        ('W/"7"', frozenset({7})),
        ("7", frozenset({7})),
        ('"3", "4"', frozenset({3, 4})),
    ],
)
def test_if_match_names_the_versions_seen(header: str | None, expected: object) -> None:
    assert versions.seen(header) == expected


@pytest.mark.parametrize("header", ['"abc"', '"-1"', '"1' + "0" * 20 + '"', ","])
def test_an_if_match_that_names_no_version_is_invalid(header: str) -> None:
    with pytest.raises(Invalid) as refused:
        versions.seen(header)
    assert refused.value.code == "bad_if_match"


def test_the_etag_is_the_version_quoted_and_reads_back() -> None:
    assert versions.etag(12) == '"12"'
    assert versions.seen(versions.etag(12)) == frozenset({12})


def test_only_a_version_other_than_the_cases_is_stale() -> None:
    assert not versions.is_stale(5, None)
    assert not versions.is_stale(5, frozenset({5}))
    assert not versions.is_stale(5, frozenset({4, 5}))
    assert versions.is_stale(5, frozenset({4}))


def test_a_stale_reply_is_told_who_replied_since_and_when() -> None:
    case = history(
        ("CaseRouted", "routing"),
        ("CaseClaimed", "liege-adv-02"),
        ("ReplySent", "liege-adv-05"),
    )
    refused = versions.refusal(3, frozenset({2}), case)
    assert isinstance(refused, Conflict)
    assert refused.status == 409
    assert refused.code == "stale_version"
    assert "liege-adv-05 replied to the member at 2026-12-03 09:42 UTC" in refused.message
    assert refused.details["seen_version"] == 2
    assert refused.details["version"] == 3
    assert [c["type"] for c in refused.details["changes"]] == ["ReplySent"]
    assert refused.details["changes"][0]["version"] == 3
    assert refused.details["changes"][0]["actor"] == "liege-adv-05"


def test_the_message_names_the_latest_three_changes_and_counts_the_rest() -> None:
    case = history(("CaseRouted", "routing"), *[("NoteAdded", f"adv-{i}") for i in range(5)])
    refused = versions.refusal(6, frozenset({1}), case)
    assert len(refused.details["changes"]) == 5
    assert "(2 more before)" in refused.message
    assert "adv-4 added an internal note" in refused.message
    assert "adv-1 " not in refused.message


def test_a_version_ahead_of_the_case_asks_for_a_reload_with_no_changes() -> None:
    refused = versions.refusal(2, frozenset({9}), history(("CaseRouted", "routing")))
    assert refused.details["changes"] == []
    assert "reload" in refused.message


def test_a_case_view_carries_its_version_the_count_of_its_facts() -> None:
    state = CaseState(case_id=uuid4(), events=4)
    assert CaseView.of(state).version == 4
