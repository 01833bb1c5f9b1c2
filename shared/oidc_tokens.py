"""The identity provider's access tokens: RS256/ES256 signatures checked with its published
keys, `iss` and `aud` checked, `exp`/`nbf`/`iat` with a leeway, then who is calling read from
the claims the settings name (shared/oidc_claims.py)."""

from __future__ import annotations

from typing import Any

import jwt

from shared.identity import Principal
from shared.oidc_claims import ClaimNames, UnusableClaims, principal_of
from shared.oidc_keys import ProviderKeys
from shared.oidc_settings import OidcSettings

REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud"]


class ProviderTokenRefused(ValueError):
    """What is wrong with a provider token; ``expired`` tells an expired one from the others."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


class ProviderTokens:
    """Verifies the provider's tokens with the keys ``keys`` holds."""

    def __init__(self, settings: OidcSettings, keys: ProviderKeys | None = None) -> None:
        self.settings = settings
        self.keys = keys or ProviderKeys(settings)
        self.names = ClaimNames(
            subject=settings.subject_claim,
            role=settings.role_claim,
            role_prefix=settings.role_prefix,
            office=settings.office_claim,
        )

    async def verify(self, token: str, algorithm: str, kid: str | None) -> tuple[Principal, float]:
        """The principal of a valid token and its expiry; ProviderTokenRefused says why not
        (UnknownKey and ProviderUnreachable from the keys pass through)."""
        key = await self.keys.key_for(kid, algorithm)
        claims = self.claims(token, key.key, algorithm)
        try:
            return principal_of(claims, self.names), float(claims["exp"])
        except UnusableClaims as exc:
            raise ProviderTokenRefused(f"The bearer token is not usable: {exc}.") from None

    def claims(self, token: str, key: Any, algorithm: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_s,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise ProviderTokenRefused("The bearer token has expired.", expired=True) from None
        except jwt.InvalidIssuerError:
            raise ProviderTokenRefused(
                "The bearer token comes from another issuer than the identity provider."
            ) from None
        except jwt.InvalidAudienceError:
            raise ProviderTokenRefused("The bearer token is not meant for Relais (aud).") from None
        except jwt.ImmatureSignatureError:
            raise ProviderTokenRefused("The bearer token is not valid yet.") from None
        except jwt.InvalidTokenError as exc:
            raise ProviderTokenRefused(f"The bearer token is invalid: {exc}.") from None
        return claims
