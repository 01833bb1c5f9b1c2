"""Presence and drafts on a case (services/advisory/presence, drafts): what their bodies
accept and what an answer says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.advisory.drafts.views import DraftBody, DraftKind
from services.advisory.presence.views import TTL, Activity, Presence, Present, since

AT = datetime(2026, 12, 3, 9, 40, tzinfo=UTC)


def test_a_presence_lasts_thirty_seconds_unless_renewed() -> None:
    row = {"staff_id": "ann", "role": "adviser", "activity": "replying", "seen_at": AT}
    present = Present.of(row)
    assert present.expires_at == AT + timedelta(seconds=30) == AT + TTL
    assert since(AT + TTL) == AT  # still there at the last instant, gone after


def test_a_presence_is_viewing_unless_told_and_nothing_else() -> None:
    assert Presence().activity is Activity.VIEWING
    with pytest.raises(ValidationError):
        Presence.model_validate({"activity": "typing"})
    with pytest.raises(ValidationError):
        Presence.model_validate({"activity": "viewing", "staff_id": "someone-else"})


def test_a_draft_is_a_reply_unless_told_and_bounded() -> None:
    assert DraftBody(text="Bonjour").kind is DraftKind.REPLY
    assert DraftBody(text="").text == ""  # an emptied box is still a draft
    with pytest.raises(ValidationError):
        DraftBody(text="x" * 10_001)
    with pytest.raises(ValidationError):
        DraftBody.model_validate({"kind": "email", "text": "x"})
