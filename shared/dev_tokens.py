"""HS256 dev tokens (RELAIS_ENV=dev only: `make run`, `make test`, `relais token`): claims sub,
role, office (advisers, team leads), iat and exp, signed with one secret per purpose.

Staff tokens and member-channel tokens have their own secrets (RELAIS_AUTH_SECRET and
RELAIS_CHANNEL_SECRET), so the key a channel holds cannot mint a staff token; the console's
session cookies have a third (RELAIS_CONSOLE_SESSION_SECRET, services/console/settings.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from shared.identity import OFFICE_BOUND, Principal, Role

ALGORITHM = "HS256"
LEEWAY_S = 10  # clocks of the issuer and the services may differ a little
REQUIRED_CLAIMS = ["sub", "role", "exp"]


class DevTokenRefused(ValueError):
    """What is wrong with a dev token; ``expired`` tells an expired one from the others."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class DevKeys:
    """The dev secrets, one per purpose of a token."""

    staff: str
    channel: str

    def for_role(self, role: Role) -> str:
        return self.channel if role is Role.MEMBER_CHANNEL else self.staff


def issue(key: str, principal: Principal, *, now: datetime, ttl: timedelta) -> str:
    """A dev token for ``principal`` signed with ``key``, valid from ``now`` for ``ttl``."""
    claims: dict[str, Any] = {
        "sub": principal.subject,
        "role": principal.role.value,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    if principal.office is not None:
        claims["office"] = principal.office
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def verify(keys: DevKeys, token: str) -> tuple[Principal, float]:
    """The principal of a valid dev token and its expiry; DevTokenRefused says why not."""
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        role = Role(str(unverified.get("role")))
    except (jwt.InvalidTokenError, ValueError):
        role = Role.ADVISER  # checked again below, with the signature, and refused there
    try:
        claims = jwt.decode(
            token,
            keys.for_role(role),
            algorithms=[ALGORITHM],
            leeway=LEEWAY_S,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise DevTokenRefused("The bearer token has expired.", expired=True) from None
    except jwt.InvalidTokenError as exc:
        raise DevTokenRefused(f"The bearer token is invalid: {exc}.") from None
    return _principal(claims), float(claims["exp"])


def _principal(claims: dict[str, Any]) -> Principal:
    try:
        role = Role(claims["role"])
    except ValueError:
        raise DevTokenRefused(f"Unknown role {claims['role']!r}.") from None
    office = claims.get("office")
    if role in OFFICE_BOUND and not isinstance(office, str):
        raise DevTokenRefused(f"A {role.value} token must name its office.")
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise DevTokenRefused("The token's subject must be a non-empty string.")
    return Principal(subject=subject, role=role, office=office if isinstance(office, str) else None)
