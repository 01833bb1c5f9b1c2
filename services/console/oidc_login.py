"""The console's production login: OpenID Connect authorization code with PKCE (S256) against
the cooperative's identity provider (RELAIS_OIDC_*, docs/security.md "Console login").

1. ``begin``: a fresh state, nonce and PKCE verifier, kept in the signed session cookie until
   the provider sends the person back; the browser goes to the authorization endpoint with the
   verifier's S256 challenge.
2. ``finish``: the state must be the one this browser was given (one use only); the code is
   exchanged at the token endpoint with the verifier; the ID token must be signed by the
   provider, for this client, with our nonce; the access token is checked exactly as the
   services check it, and is what the console sends them on the person's behalf."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from starlette.requests import Request

from shared.identity import Principal
from shared.oidc_keys import ProviderKeys, ProviderUnreachable, UnknownKey
from shared.oidc_tokens import ProviderTokenRefused, ProviderTokens
from shared.settings import InsecureSettings, Settings

PENDING_KEY = "oidc_pending"


class LoginFailed(Exception):
    """The login did not complete; ``reason`` names the message the login page shows."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class Pending:
    """What the session keeps between the redirect to the provider and the way back."""

    state: str
    nonce: str
    verifier: str
    next: str

    @classmethod
    def fresh(cls, next_path: str) -> Pending:
        return cls(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            verifier=secrets.token_urlsafe(48),  # 64 characters, within RFC 7636's 43-128
            next=next_path,
        )

    @classmethod
    def from_session(cls, data: Any) -> Pending | None:
        if not isinstance(data, dict) or set(data) != {"state", "nonce", "verifier", "next"}:
            return None
        return cls(**{k: str(v) for k, v in data.items()})

    def as_session(self) -> dict[str, str]:
        return asdict(self)


def login_for(settings: Settings) -> OidcLogin | None:
    """The console's provider login: required outside dev (InsecureSettings says what is
    missing); in dev, present when the provider and the console's client are configured."""
    oidc = settings.oidc()
    problems = oidc.problems()
    if not oidc.client_id:
        problems.append("RELAIS_OIDC_CLIENT_ID is missing (the console's client at the provider)")
    if settings.env == "dev" and not (oidc.configured and oidc.client_id):
        return None
    if problems:
        raise InsecureSettings(
            "the console's login needs the identity provider: " + "; ".join(problems)
        )
    return OidcLogin(ProviderTokens(oidc))


def console_url(request: Request, path: str) -> str:
    """A URL of the console as the provider and the browser know it: RELAIS_CONSOLE_PUBLIC_URL
    when set (behind a proxy the request's own URL is not the public one), else the request's."""
    public = request.app.state.settings.public_url or str(request.base_url)
    return str(public).rstrip("/") + path


def challenge(verifier: str) -> str:
    """The S256 code challenge of a PKCE verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcLogin:
    """The flow against one provider; ``tokens`` checks access tokens as the services do."""

    def __init__(self, tokens: ProviderTokens, client: httpx.AsyncClient | None = None) -> None:
        self.tokens = tokens
        self.settings = tokens.settings
        self.keys: ProviderKeys = tokens.keys
        self._client = client or httpx.AsyncClient(timeout=self.settings.http_timeout_s)

    async def begin(self, pending: Pending, redirect_uri: str, lang: str) -> str:
        """Where to send the browser: the provider's authorization endpoint."""
        endpoint = await self._endpoint("authorization_endpoint")
        query = {
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": redirect_uri,
            "scope": self.settings.scopes,
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": challenge(pending.verifier),
            "code_challenge_method": "S256",
            "ui_locales": lang,
        }
        return f"{endpoint}?{urlencode(query)}"

    async def finish(
        self, pending: Pending, state: str, code: str, redirect_uri: str
    ) -> tuple[Principal, str]:
        """The person and their access token, once everything above is checked."""
        if not secrets.compare_digest(pending.state, state):
            raise LoginFailed("login.oidc_state")
        answer = await self._exchange(pending, code, redirect_uri)
        access, identity = answer.get("access_token"), answer.get("id_token")
        if not isinstance(access, str) or not isinstance(identity, str):
            raise LoginFailed("login.oidc_refused", "the provider sent no access or ID token")
        await self._check_identity(identity, pending.nonce)
        try:
            algorithm, kid = _header(access)
            principal, _ = await self.tokens.verify(access, algorithm, kid)
        except (
            ProviderTokenRefused,
            UnknownKey,
            ProviderUnreachable,
            jwt.InvalidTokenError,
        ) as exc:
            raise LoginFailed("login.oidc_no_role", str(exc)) from None
        return principal, access

    async def logout_url(self, back: str) -> str | None:
        """The provider's end-session endpoint, sending the browser back to ``back``."""
        try:
            endpoint = await self._endpoint("end_session_endpoint")
        except LoginFailed:
            return None
        query = {"client_id": self.settings.client_id, "post_logout_redirect_uri": back}
        return f"{endpoint}?{urlencode(query)}"

    async def aclose(self) -> None:
        await self._client.aclose()
        await self.keys.aclose()

    async def _endpoint(self, name: str) -> str:
        try:
            found = (await self.keys.discovery()).get(name)
        except (httpx.HTTPError, ValueError, ProviderUnreachable) as exc:
            raise LoginFailed("login.oidc_unreachable", str(exc)) from None
        if not isinstance(found, str) or not found:
            raise LoginFailed("login.oidc_unreachable", f"the provider names no {name}")
        return found

    async def _exchange(self, pending: Pending, code: str, redirect_uri: str) -> dict[str, Any]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self.settings.client_id,
            "code_verifier": pending.verifier,
        }
        if self.settings.client_secret is not None:
            form["client_secret"] = self.settings.client_secret.get_secret_value()
        endpoint = await self._endpoint("token_endpoint")
        try:
            answer = await self._client.post(endpoint, data=form)
        except httpx.HTTPError as exc:
            raise LoginFailed("login.oidc_unreachable", str(exc)) from None
        body = (
            answer.json()
            if answer.headers.get("content-type", "").startswith("application/json")
            else {}
        )
        if answer.status_code != 200 or not isinstance(body, dict):
            raise LoginFailed(
                "login.oidc_refused", str(body.get("error_description", answer.status_code))
            )
        return body

    async def _check_identity(self, token: str, nonce: str) -> None:
        """The ID token: the provider's signature, for this client, this login's nonce."""
        try:
            algorithm, kid = _header(token)
            if algorithm not in self.settings.algorithms:
                raise jwt.InvalidAlgorithmError(f"{algorithm} is not accepted")
            key = await self.keys.key_for(kid, algorithm)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self.settings.client_id,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_s,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
            )
        except (jwt.InvalidTokenError, UnknownKey, ProviderUnreachable) as exc:
            raise LoginFailed("login.oidc_refused", f"ID token: {exc}") from None
        if not secrets.compare_digest(str(claims["nonce"]), nonce):
            raise LoginFailed("login.oidc_refused", "the ID token's nonce is not this login's")


def _header(token: str) -> tuple[str, str | None]:
    header = jwt.get_unverified_header(token)
    kid = header.get("kid")
    return str(header.get("alg")), kid if isinstance(kid, str) else None
