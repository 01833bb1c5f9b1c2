"""The cooperative's OpenID Connect identity provider, as the services and the console see it
(RELAIS_OIDC_* variables; docs/security.md, "Tokens and login").

Outside dev (RELAIS_ENV other than 'dev') every bearer token must come from this provider:
RS256/ES256, its keys read from its JWKS, `iss` and `aud` checked."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


class OidcSettings(BaseSettings):
    """Where the provider is, what its tokens must say, and where Relais reads who is calling."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_OIDC_", extra="ignore")

    # The provider's issuer, exactly as its tokens' `iss` says (Keycloak: .../realms/<realm>).
    issuer: str = ""
    # What the tokens' `aud` must contain: the audience Relais is known by at the provider.
    audience: str = ""
    # Where its signing keys are published; empty: read from the discovery document
    # ({issuer}/.well-known/openid-configuration).
    jwks_url: str = ""
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    # Where the claims live: a claim name, or a dotted path into nested claims. Keycloak puts
    # realm roles in realm_access.roles (a list); client roles in resource_access.<client>.roles.
    subject_claim: str = "sub"
    role_claim: str = "realm_access.roles"
    # Provider roles named <prefix><relais role> (e.g. "relais-adviser" with "relais-").
    role_prefix: str = ""
    office_claim: str = "office"
    # Clocks of the provider and the services may differ a little (exp, nbf, iat).
    leeway_s: int = Field(default=30, ge=0, le=300)
    # An unknown `kid` fetches the keys again, at most once per this many seconds; the keys
    # are fetched again anyway once they are this old (the provider's rotations).
    jwks_min_refetch_s: float = Field(default=30.0, ge=0)
    jwks_max_age_s: float = Field(default=3600.0, ge=1)
    http_timeout_s: float = Field(default=5.0, gt=0)
    # The console's login (authorization code with PKCE): its client at the provider.
    client_id: str = ""
    client_secret: SecretStr | None = None
    scopes: str = "openid profile"

    @property
    def configured(self) -> bool:
        return bool(self.issuer and self.audience)

    def problems(self) -> list[str]:
        """What stops a service from trusting this provider, in plain words (empty: fine)."""
        found = []
        if not self.issuer:
            found.append("RELAIS_OIDC_ISSUER is missing (the identity provider's issuer URL)")
        if not self.audience:
            found.append("RELAIS_OIDC_AUDIENCE is missing (the audience Relais's tokens carry)")
        for name, url in (
            ("RELAIS_OIDC_ISSUER", self.issuer),
            ("RELAIS_OIDC_JWKS_URL", self.jwks_url),
        ):
            if url and not secure_url(url):
                found.append(f"{name} must be an https URL (plain http only on loopback): {url}")
        unknown = set(self.algorithms) - {"RS256", "ES256"}
        if unknown:
            found.append(f"RELAIS_OIDC_ALGORITHMS may name RS256 and ES256 only, not {unknown}")
        return found


def secure_url(url: str) -> bool:
    """https, or http to this machine (a provider run beside the services, as in the tests)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (
        parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS
    )
