"""Dev login: the demo's people to pick from, and the dev token the console mints for them.

Only under ``RELAIS_ENV=dev``: the token is signed with the services' dev key, as
``relais token`` does. Advisers and the support team come from routing's roster
(``GET /advisers``, read with a short-lived ops token of the console's own); team leads, the
administrative team, ops and the data protection officer are the demo's fixed names
(relais_cli/tokens.py: the same ones, tests/unit/console/test_views.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.console.client import ServiceProblem, Services
from services.console.settings import ConsoleSettings
from shared import auth
from shared.identity import Principal, Role

ADMIN_TEAM = ("admin-1", "admin-2")
OPS = ("ops-1",)
DPO = ("dpo-1",)
ADVISERS_PER_OFFICE = 3
ROSTER_READER = Principal("console-dev-roster", Role.OPS)


def team_lead(office: str) -> Principal:
    return Principal(f"lead-{office}", Role.TEAM_LEAD, office)


def mint(settings: ConsoleSettings, who: Principal, ttl: timedelta | None = None) -> str:
    """A dev token for ``who`` (the services' dev key; refused outside dev)."""
    if not settings.dev():
        raise PermissionError("dev tokens exist only under RELAIS_ENV=dev")
    life = ttl or timedelta(hours=settings.session_hours)
    return auth.issue(settings.base.auth_key(), who, now=datetime.now(UTC), ttl=life)


def fixed(offices: tuple[str, ...]) -> list[Principal]:
    people = [team_lead(o) for o in offices]
    people += [Principal(a, Role.ADMIN_TEAM) for a in ADMIN_TEAM]
    people += [Principal(o, Role.OPS) for o in OPS]
    people += [Principal(d, Role.DPO) for d in DPO]
    return people


async def demo_people(services: Services, settings: ConsoleSettings) -> list[Principal]:
    """Advisers (a few per office) and support members from routing, then the fixed names.
    Routing unreachable: the fixed names only (the page says routing did not answer)."""
    api = services.bound(mint(settings, ROSTER_READER, timedelta(minutes=1)))
    body = await api.get("routing", "/advisers")
    rows = [a for a in body.get("advisers", []) if a.get("active", True)]
    people: list[Principal] = []
    for office in settings.base.offices:
        mine = sorted(
            a["adviser_id"] for a in rows if a["team"] == "first_line" and a["office"] == office
        )
        people += [Principal(a, Role.ADVISER, office) for a in mine[:ADVISERS_PER_OFFICE]]
    support = sorted(a["adviser_id"] for a in rows if a["team"] == "support")
    people += [Principal(s, Role.SUPPORT) for s in support]  # a small team: all of it
    return people + fixed(settings.base.offices)


async def roster(services: Services, settings: ConsoleSettings) -> tuple[list[Principal], bool]:
    """The people to pick, and whether routing answered."""
    try:
        return await demo_people(services, settings), True
    except ServiceProblem:
        return fixed(settings.base.offices), False


def key(who: Principal) -> str:
    """A person as the login form names them."""
    return f"{who.role.value}|{who.subject}|{who.office or ''}"
