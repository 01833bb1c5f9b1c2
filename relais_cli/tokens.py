"""Dev bearer tokens: the demo's staff roster, and any token a developer asks `relais token` for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared import auth
from shared.identity import Principal, Role
from shared.settings import Settings

DAY = timedelta(hours=12)

# Who works the demo day: two advisers per office, the support team, the administrative team.
SUPPORT = (Principal("support-1", Role.SUPPORT), Principal("support-2", Role.SUPPORT))
ADMIN_TEAM = (Principal("admin-1", Role.ADMIN_TEAM),)
CHANNEL = Principal("web-form", Role.MEMBER_CHANNEL)
OPS = Principal("ops-1", Role.OPS)


def advisers(offices: tuple[str, ...], per_office: int = 2) -> list[Principal]:
    return [
        Principal(f"adviser-{office}-{i}", Role.ADVISER, office)
        for office in offices
        for i in range(1, per_office + 1)
    ]


def token_for(settings: Settings, principal: Principal, ttl: timedelta = DAY) -> str:
    """A token signed with the services' key (the dev key under RELAIS_ENV=dev)."""
    return auth.issue(settings.auth_key(), principal, now=datetime.now(UTC), ttl=ttl)


def samples(settings: Settings) -> list[tuple[Principal, str]]:
    """One token per role, to print for developers trying the APIs by hand."""
    people = [CHANNEL, advisers(("liege",), 1)[0], SUPPORT[0], ADMIN_TEAM[0], OPS]
    return [(p, token_for(settings, p)) for p in people]
