"""Who may cover an absence, and who may record one (routing's organisation decisions)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from services.routing.organisation import decisions
from services.routing.organisation.decisions import RecordAbsence
from shared.identity import Principal, Role
from shared.refusals import Conflict, Forbidden, Invalid, Refused
from tests.support.cases import T0

ANN = {"adviser_id": "ann", "office": "liege", "team": "first_line", "active": True}
LEAD = Principal("lea", Role.TEAM_LEAD, "liege")


def colleague(**changes: Any) -> dict[str, Any]:
    return {**ANN, "adviser_id": "bob", **changes}


def test_a_recorded_absence_names_its_cover() -> None:
    change = RecordAbsence(starts_at=T0, ends_at=T0 + timedelta(days=1), covered_by="bob")
    fact = decisions.absence_recorded(
        "ann", change, LEAD, absence_id=uuid.uuid4(), event_id=uuid.uuid4(), now=T0
    )
    assert (fact.schema_version, fact.covered_by, fact.changed_by) == (2, "bob", "lea")


@pytest.mark.parametrize(
    ("cover", "refusal", "code"),
    [
        (None, Invalid, "unknown_colleague"),
        (colleague(active=False), Invalid, "unknown_colleague"),
        (colleague(office="gent"), Conflict, "other_team"),
        (colleague(team="support"), Conflict, "other_team"),
    ],
    ids=["unknown", "left", "another office", "another team"],
)
def test_a_cover_works_where_the_absent_adviser_does(
    cover: dict[str, Any] | None, refusal: type[Refused], code: str
) -> None:
    with pytest.raises(refusal) as raised:
        decisions.may_cover(ANN, cover)
    assert raised.value.code == code
    decisions.may_cover(ANN, colleague())  # a colleague of the same office and team may


def test_nobody_covers_themselves_and_team_leads_keep_to_their_office() -> None:
    change = RecordAbsence(starts_at=T0, ends_at=T0 + timedelta(days=1), covered_by="ann")
    with pytest.raises(Invalid):
        decisions.absence_recorded(
            "ann", change, LEAD, absence_id=uuid.uuid4(), event_id=uuid.uuid4(), now=T0
        )
    with pytest.raises(Forbidden):
        decisions.may_manage_absences(Principal("leo", Role.TEAM_LEAD, "gent"), "liege")
    decisions.may_manage_absences(LEAD, "liege")
    decisions.may_manage_absences(Principal("olga", Role.OPS), "liege")
