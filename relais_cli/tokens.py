"""Dev bearer tokens: the demo's staff roster, and any token a developer asks `relais token` for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.routing.organisation import seed
from shared import auth
from shared.identity import Principal, Role
from shared.organisation_events import AdviserProfileSet
from shared.settings import Settings

DAY = timedelta(hours=12)

# Who works the demo day: two advisers per office, the support team, the administrative team.
# Two of the demo organisation's support team (routing's seed): the escalations routing matches
# to them are theirs to take first.
SUPPORT = (Principal("support-01", Role.SUPPORT), Principal("support-02", Role.SUPPORT))
ADMIN_TEAM = (Principal("admin-1", Role.ADMIN_TEAM), Principal("admin-2", Role.ADMIN_TEAM))
CHANNEL = Principal("web-form", Role.MEMBER_CHANNEL)
OPS = Principal("ops-1", Role.OPS)
DPO = Principal("dpo-1", Role.DPO)


def team_lead(office: str) -> Principal:
    """The demo's team lead of an office (one per office; team leads carry their office)."""
    return Principal(f"lead-{office}", Role.TEAM_LEAD, office)


def advisers(offices: tuple[str, ...], per_office: int = 3) -> list[Principal]:
    """Advisers of the demo organisation (routing's seed), a few per office, from different
    desks, so the cases routing gives them are the ones they work."""
    roster = sorted(
        (f.adviser_id, f.office)
        for f in seed.facts(seed.load())
        if isinstance(f, AdviserProfileSet) and f.team.value == "first_line"
    )
    chosen: list[Principal] = []
    for office in offices:
        mine = [a for a, o in roster if o == office]
        step = max(1, len(mine) // per_office)
        chosen += [Principal(a, Role.ADVISER, office) for a in mine[::step][:per_office]]
    return chosen


def token_for(settings: Settings, principal: Principal, ttl: timedelta = DAY) -> str:
    """A dev token, signed with the dev key of its purpose (staff or member channel); only
    under RELAIS_ENV=dev (InsecureSettings elsewhere: there the identity provider issues them)."""
    key = settings.dev_key(principal.role)
    return auth.issue(key, principal, now=datetime.now(UTC), ttl=ttl)


def samples(settings: Settings) -> list[tuple[Principal, str]]:
    """One token per role, to print for developers trying the APIs by hand."""
    people = [CHANNEL, advisers(("liege",), 1)[0], SUPPORT[0], ADMIN_TEAM[0], OPS]
    people += [team_lead("liege"), DPO]
    return [(p, token_for(settings, p)) for p in people]
