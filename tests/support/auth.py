"""Bearer tokens for tests, signed with the dev keys the services use under RELAIS_ENV=dev."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared import auth
from shared.identity import Principal, Role
from shared.settings import Settings


def token(role: Role, subject: str | None = None, office: str | None = None) -> str:
    principal = Principal(subject or f"test-{role.value}", role, office)
    key = Settings().dev_key(role)
    return auth.issue(key, principal, now=datetime.now(UTC), ttl=timedelta(hours=1))


def bearer(role: Role, subject: str | None = None, office: str | None = None) -> dict[str, str]:
    """The Authorization header of a caller with this role (and office, for advisers)."""
    return {"Authorization": f"Bearer {token(role, subject, office)}"}


# A member-facing channel (web form, e-mail gateway...): what intake's clients send.
CHANNEL = bearer(Role.MEMBER_CHANNEL, "web-form")
