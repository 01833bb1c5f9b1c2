"""Bearer tokens: HS256-signed JWTs carrying sub, role, office (advisers, team leads) and exp.

Every HTTP API but /health and /ready requires one. A missing or invalid token answers 401, a
valid token without the needed role 403, both with the Problem body."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.identity import OFFICE_BOUND, Principal, Role

ALGORITHM = "HS256"
LEEWAY_S = 10  # clocks of the issuer and the services may differ a little
REQUIRED_CLAIMS = ["sub", "role", "exp"]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="JWT",
    description="HS256 JWT with claims sub, role (member_channel, adviser, support, "
    "admin_team, ops, team_lead, dpo), office (advisers and team leads) and exp. `relais token` "
    "or `make run` print dev tokens.",
)


class AuthProblem(Exception):
    """401 or 403, answered with the Problem body by every service."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


def unauthenticated() -> AuthProblem:
    """The 401 of a request without a bearer token."""
    return AuthProblem(
        401, "unauthenticated", "A bearer token is required (Authorization: Bearer …)."
    )


def issue(key: str, principal: Principal, *, now: datetime, ttl: timedelta) -> str:
    """A signed token for ``principal``, valid from ``now`` for ``ttl``."""
    claims: dict[str, Any] = {
        "sub": principal.subject,
        "role": principal.role.value,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    if principal.office is not None:
        claims["office"] = principal.office
    return jwt.encode(claims, key, algorithm=ALGORITHM)


# Tokens already verified, with their expiry: a channel sends the same token with every
# request, and checking its signature and claims again cost ~6% of intake's CPU per request.
# Bounded (emptied when full); an entry past its expiry is verified again, and refused.
_VERIFIED: dict[tuple[str, str], tuple[Principal, float]] = {}
VERIFIED_MAX = 4096


def verify(key: str, token: str) -> Principal:
    """The principal of a valid token; AuthProblem(401) says what is wrong with any other."""
    known = _VERIFIED.get((key, token))
    if known is not None and time.time() <= known[1] + LEEWAY_S:
        return known[0]
    principal, expires = _verify(key, token)
    if len(_VERIFIED) >= VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[(key, token)] = (principal, expires)
    return principal


def _verify(key: str, token: str) -> tuple[Principal, float]:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            leeway=LEEWAY_S,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise AuthProblem(401, "token_expired", "The bearer token has expired.") from None
    except jwt.InvalidTokenError as exc:
        raise AuthProblem(401, "invalid_token", f"The bearer token is invalid: {exc}.") from None
    try:
        role = Role(claims["role"])
    except ValueError:
        raise AuthProblem(401, "invalid_token", f"Unknown role {claims['role']!r}.") from None
    office = claims.get("office")
    if role in OFFICE_BOUND and not isinstance(office, str):
        raise AuthProblem(401, "invalid_token", f"A {role.value} token must name its office.")
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise AuthProblem(401, "invalid_token", "The token's subject must be a non-empty string.")
    principal = Principal(
        subject=subject, role=role, office=office if isinstance(office, str) else None
    )
    return principal, float(claims["exp"])


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def requires(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A FastAPI dependency: the caller's principal, if their token is valid and their role is
    one of ``roles``. The key is the app's (checked when the service started)."""
    allowed = frozenset(roles)
    names = ", ".join(sorted(r.value for r in allowed))

    async def principal(request: Request, credentials: Credentials) -> Principal:
        if credentials is None:
            raise unauthenticated()
        caller = verify(request.app.state.auth_key, credentials.credentials)
        if caller.role not in allowed:
            raise AuthProblem(
                403, "forbidden", f"Role {caller.role.value} may not do this; needs one of {names}."
            )
        return caller

    return principal
