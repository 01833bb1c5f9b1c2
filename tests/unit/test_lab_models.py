"""Candidate models applied to the organisation: a model for every office or some, another
desk layout, advisers added, the hybrid front."""

from __future__ import annotations

from pathlib import Path

from lab.models import Hire, ModelSpec, apply
from lab.organisation import Roster, fold
from services.routing.organisation import seed
from services.routing.organisation.model import model_at
from shared.events import OrganisationModel

ORGANISATION = Path(__file__).parents[2] / "lab" / "examples" / "organisation-100.json"
ROSTER = fold(seed.facts(seed.load(ORGANISATION)))
ANY_TIME = next(iter(ROSTER.offices.values())).changes[0].effective_at


def model_of(roster: Roster, office: str) -> OrganisationModel:
    return model_at(roster.offices[office].changes, ANY_TIME)[0]


def test_in_force_keeps_the_organisations_models() -> None:
    c = apply(ModelSpec(name="now", kind="in_force"), ROSTER)
    assert model_of(c.roster, "liege") is OrganisationModel.SPECIALISED
    assert model_of(c.roster, "namur") is OrganisationModel.POLYVALENT


def test_a_model_for_some_offices_leaves_the_others_alone() -> None:
    c = apply(ModelSpec(name="s", kind="specialised", offices=("namur",)), ROSTER)
    assert model_of(c.roster, "namur") is OrganisationModel.SPECIALISED
    assert model_of(c.roster, "mons") is OrganisationModel.POLYVALENT


def test_staffing_adds_advisers_to_a_desk_with_its_skills() -> None:
    hire = Hire(office="mons", desk="payments", count=2, languages=("fr", "en"))
    c = apply(ModelSpec(name="p", kind="polyvalent", staffing=(hire,)), ROSTER)
    before, after = ROSTER.offices["mons"].advisers, c.roster.offices["mons"].advisers
    added = after[len(before) :]
    assert [a.adviser_id for a in added] == ["mons-payments-new01", "mons-payments-new02"]
    assert all(a.desk == "payments" and "vat_tax" in a.skills for a in added)
    assert c.roster.languages["mons-payments-new01"] == frozenset({"fr", "en"})


def test_another_desk_layout_and_the_hybrid_front() -> None:
    layout = {"front": ("cooperative_life",), "money": ("payments_advances", "invoicing")}
    c = apply(ModelSpec(name="h", kind="hybrid", desks=layout), ROSTER)
    assert [d.desk_id for d in c.roster.offices["gent"].desks] == ["front", "money"]
    assert c.hybrid == frozenset(ROSTER.offices)
    assert model_of(c.roster, "gent") is OrganisationModel.SPECIALISED
