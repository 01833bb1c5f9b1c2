"""The organisation as data: the demo seed (realistic offices, languages, the pilot), and
changes ops ask for, checked before they become facts."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.routing.organisation import seed
from services.routing.organisation.decisions import (
    DefineDesk,
    RecordAbsence,
    SetAdviser,
    SetModel,
    absence_recorded,
    desk_defined,
    model_changed,
    profile_set,
)
from shared.codec import decode, encode
from shared.events import ORGANISATION, Language, OrganisationModel
from shared.identity import Principal, Role
from shared.organisation_events import DeskDefined, OfficeModelChanged
from shared.refusals import Refused
from shared.settings import DEMO_OFFICES, DEMO_TOPIC_FAMILIES
from tests.support.organisation import ADVISERS, SEED

OPS = Principal("olga", Role.OPS)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_seed_has_every_demo_office_a_few_hundred_advisers_and_the_support_team() -> None:
    models = {f.office: f.model for f in SEED if isinstance(f, OfficeModelChanged)}
    assert set(models) == set(DEMO_OFFICES)
    assert {o for o, m in models.items() if m is OrganisationModel.SPECIALISED} == {
        "liege",
        "charleroi",
    }
    first_line = [a for a in ADVISERS if a.team.value == "first_line"]
    assert 250 <= len(first_line) <= 400
    assert sum(a.team.value == "support" for a in ADVISERS) >= 10
    assert len({a.adviser_id for a in ADVISERS}) == len(ADVISERS)


@pytest.mark.parametrize(
    ("office", "must_speak", "never"),
    [
        ("gent", {"nl"}, {"de"}),
        ("antwerpen", {"nl"}, {"de"}),
        ("charleroi", {"fr"}, {"nl", "de"}),
        ("namur", {"fr"}, {"de"}),
        ("mons", {"fr"}, {"nl", "de"}),
        ("liege", {"fr"}, {"nl"}),
    ],
)
def test_advisers_speak_their_regions_languages(
    office: str, must_speak: set[str], never: set[str]
) -> None:
    spoken = [{lang.value for lang in a.languages} for a in ADVISERS if a.office == office]
    assert all(must_speak <= langs for langs in spoken)
    assert not any(never & langs for langs in spoken)


def test_liege_has_german_speakers_and_bruxelles_serves_three_languages() -> None:
    liege = [a for a in ADVISERS if a.office == "liege" and Language.DE in a.languages]
    assert len({a.desk for a in liege}) >= 3  # at most desks, someone speaks German
    brussels = Counter(
        lang.value for a in ADVISERS if a.office == "bruxelles" for lang in a.languages
    )
    assert min(brussels[lang] for lang in ("fr", "nl", "en")) >= 20


def test_every_office_staffs_every_desk_and_every_topic_family_has_a_desk() -> None:
    desks = [f for f in SEED if isinstance(f, DeskDefined)]
    covered = {family for d in desks for family in d.topic_families}
    assert covered == set(DEMO_TOPIC_FAMILIES)
    staffed = {(a.office, a.desk) for a in ADVISERS if a.desk}
    assert {(d.office, d.desk) for d in desks} == staffed


def test_the_seed_is_the_same_facts_every_time_and_survives_the_wire() -> None:
    again = seed.facts(seed.load())
    assert again == SEED
    assert all(decode(ORGANISATION, encode(f)) == f for f in SEED[:50])
    assert {f.message_key for f in SEED if isinstance(f, OfficeModelChanged)} == set(DEMO_OFFICES)


def test_a_model_switch_takes_effect_now_or_later_never_in_the_past() -> None:
    now_switch = model_changed(
        "namur", SetModel(model=OrganisationModel.SPECIALISED), OPS, event_id=uuid.uuid4(), now=NOW
    )
    assert (now_switch.effective_at, now_switch.changed_by) == (NOW, "olga")
    later = NOW + timedelta(days=30)
    planned = SetModel(model=OrganisationModel.SPECIALISED, effective_at=later)
    assert (
        model_changed("namur", planned, OPS, event_id=uuid.uuid4(), now=NOW).effective_at == later
    )
    past = SetModel(model=OrganisationModel.POLYVALENT, effective_at=NOW - timedelta(seconds=1))
    with pytest.raises(Refused) as refused:
        model_changed("namur", past, OPS, event_id=uuid.uuid4(), now=NOW)
    assert (refused.value.status, refused.value.code) == (409, "effective_in_the_past")


def test_desks_and_advisers_are_checked_against_the_configuration() -> None:
    families = DEMO_TOPIC_FAMILIES
    desk = DefineDesk(kind="specialist", topic_families=["vat_tax", "astrology"])
    with pytest.raises(Refused, match="astrology"):
        desk_defined("namur", "tax", desk, families, OPS, event_id=uuid.uuid4(), now=NOW)
    moved = SetAdviser(office="namur", desk="tax", languages=[Language.FR], capacity=8)
    with pytest.raises(Refused) as refused:
        profile_set("namur-x", moved, {"front"}, families, OPS, event_id=uuid.uuid4(), now=NOW)
    assert refused.value.code == "unknown_desk"
    fact = profile_set(
        "namur-x",
        SetAdviser(
            office="namur",
            desk="front",
            languages=[Language.FR, Language.NL, Language.FR],
            skills=["expenses", "insurance", "expenses"],
            capacity=8,
        ),
        {"front"},
        families,
        OPS,
        event_id=uuid.uuid4(),
        now=NOW,
    )
    assert (fact.languages, fact.skills, fact.message_key) == (
        (Language.FR, Language.NL),
        ("expenses", "insurance"),
        "namur-x",
    )


def test_an_absence_ends_after_it_starts() -> None:
    empty = RecordAbsence(starts_at=NOW, ends_at=NOW, reason="leave")
    with pytest.raises(Refused, match="ends after"):
        absence_recorded("x", empty, OPS, absence_id=uuid.uuid4(), event_id=uuid.uuid4(), now=NOW)


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:00-01:00"])
def test_an_instant_outside_the_years_utc_can_hold_is_refused(instant: str) -> None:
    with pytest.raises(ValidationError, match="out of range once converted to UTC"):
        SetModel.model_validate({"model": "specialised", "effective_at": instant})
    with pytest.raises(ValidationError, match="out of range once converted to UTC"):
        RecordAbsence.model_validate({"starts_at": instant, "ends_at": "2030-01-01T00:00:00Z"})
