"""Bearer tokens: who is calling, for every HTTP API but /health, /ready and /metrics.

Outside dev (RELAIS_ENV other than 'dev') only the identity provider's tokens are accepted:
RS256/ES256 signed with a key of its JWKS, `iss` and `aud` checked (shared/oidc_tokens.py).
Under RELAIS_ENV=dev the HS256 dev tokens are accepted too (shared/dev_tokens.py), with one
secret per purpose; outside dev an HS256 token is refused like any invalid one. A missing or
invalid token answers 401, a valid token without the needed role 403, both with the Problem
body."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared import dev_tokens
from shared.dev_tokens import DevKeys, DevTokenRefused
from shared.identity import Principal, Role
from shared.oidc_keys import ProviderUnreachable, UnknownKey
from shared.oidc_tokens import ProviderTokenRefused, ProviderTokens
from shared.settings import InsecureSettings, Settings

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="JWT",
    description="An access token of the cooperative's identity provider (RS256/ES256, its "
    "`iss` and `aud` checked; role and office read from the claims RELAIS_OIDC_* name). "
    "Under RELAIS_ENV=dev only, HS256 dev tokens with claims sub, role (member_channel, "
    "adviser, support, admin_team, ops, team_lead, dpo), office (advisers and team leads) and "
    "exp are accepted too: `relais token` or `make run` print them.",
)


class AuthProblem(Exception):
    """401, 403 or 503, answered with the Problem body by every service."""

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


def invalid(message: str) -> AuthProblem:
    return AuthProblem(401, "invalid_token", message)


def issue(key: str, principal: Principal, *, now: datetime, ttl: timedelta) -> str:
    """A dev token for ``principal`` (HS256, accepted under RELAIS_ENV=dev only)."""
    return dev_tokens.issue(key, principal, now=now, ttl=ttl)


# Tokens already verified, with their expiry: a channel sends the same token with every
# request, and checking its signature and claims again cost ~6% of intake's CPU per request.
# Bounded (emptied when full); an entry past its expiry is verified again, and refused.
VERIFIED_MAX = 4096
DEV_ONLY = (
    "HS256 dev tokens are accepted only under RELAIS_ENV=dev; "
    "use an access token of the identity provider."
)


class Verifier:
    """Checks bearer tokens: the dev keys (None outside dev), the provider (None when the
    settings name none, which only dev allows)."""

    def __init__(self, dev_keys: DevKeys | None, provider: ProviderTokens | None) -> None:
        self.dev_keys = dev_keys
        self.provider = provider
        self._verified: dict[str, tuple[Principal, float]] = {}

    async def start(self) -> None:
        """Reads the provider's keys before the first request (a failure is logged, and the
        keys are fetched again when a token needs them)."""
        if self.provider is not None:
            await self.provider.keys.refresh()

    async def aclose(self) -> None:
        if self.provider is not None:
            await self.provider.keys.aclose()

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; AuthProblem says what is wrong with any other."""
        known = self._verified.get(token)
        if known is not None and time.time() <= known[1]:
            return known[0]
        principal, until = await self._verify(token)
        if len(self._verified) >= VERIFIED_MAX:
            self._verified.clear()
        self._verified[token] = (principal, until)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        """The principal and until when the token is accepted (its expiry plus the leeway)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise invalid(f"The bearer token is invalid: {exc}.") from None
        algorithm, kid = header.get("alg"), header.get("kid")
        try:
            if algorithm == dev_tokens.ALGORITHM and self.dev_keys is not None:
                principal, expires = dev_tokens.verify(self.dev_keys, token)
                return principal, expires + dev_tokens.LEEWAY_S
            if algorithm == dev_tokens.ALGORITHM:
                raise invalid(DEV_ONLY)
            provider = self.provider
            if provider is not None and algorithm in provider.settings.algorithms:
                key_id = kid if isinstance(kid, str) else None
                principal, expires = await provider.verify(token, algorithm, key_id)
                return principal, expires + provider.settings.leeway_s
        except (DevTokenRefused, ProviderTokenRefused) as exc:
            expired = ("token_expired", str(exc)) if exc.expired else ("invalid_token", str(exc))
            raise AuthProblem(401, *expired) from None
        except UnknownKey as exc:
            raise invalid(f"The bearer token is invalid: {exc}.") from None
        except ProviderUnreachable as exc:
            raise AuthProblem(
                503, "identity_provider_unreachable", f"Tokens cannot be checked now: {exc}."
            ) from None
        raise invalid(
            f"The bearer token is signed with {algorithm!r}, which Relais does not accept."
        )


def verifier_for(settings: Settings) -> Verifier:
    """The services' verifier. Outside dev the provider's settings must be complete, or the
    service refuses to start (InsecureSettings says what is missing)."""
    oidc = settings.oidc()
    problems = oidc.problems()
    if settings.env != "dev":
        if problems:
            raise InsecureSettings(
                "outside RELAIS_ENV=dev, tokens come from the identity provider: "
                + "; ".join(problems)
            )
        return Verifier(None, ProviderTokens(oidc))
    if oidc.configured and problems:
        raise InsecureSettings("; ".join(problems))
    return Verifier(settings.dev_keys(), ProviderTokens(oidc) if oidc.configured else None)


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def requires(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A FastAPI dependency: the caller's principal, if their token is valid and their role is
    one of ``roles``. The verifier is the app's (made when the service started)."""
    allowed = frozenset(roles)
    names = ", ".join(sorted(r.value for r in allowed))

    async def principal(request: Request, credentials: Credentials) -> Principal:
        if credentials is None:
            raise unauthenticated()
        verifier: Verifier = request.app.state.verifier
        caller = await verifier.verify(credentials.credentials)
        if caller.role not in allowed:
            raise AuthProblem(
                403, "forbidden", f"Role {caller.role.value} may not do this; needs one of {names}."
            )
        return caller

    return principal
