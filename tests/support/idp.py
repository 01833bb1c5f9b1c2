"""A small OpenID Connect identity provider of our own, for tests: shaped like a Keycloak realm
(realm roles in realm_access.roles, the office a user attribute, `typ` Bearer/ID), served on a
loopback port from a thread.

It serves the discovery document, its JWKS (RS256 and ES256 keys generated at start; rotate()
adds new ones), an authorization endpoint that signs in whoever the test says is signed in
(authorization code with PKCE S256 only), a token endpoint (authorization_code and
client_credentials) and an end-session endpoint. It checks what a real provider checks on
those requests, so a client that skips PKCE or sends the wrong verifier fails against it."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.support.idp_keys import SigningKey

REALM = "/realms/relais"
AUDIENCE = "relais"
CONSOLE_CLIENT = "relais-console"


@dataclass
class Grant:
    """A code handed out by the authorization endpoint, until the token endpoint takes it."""

    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    user: dict[str, Any]


@dataclass
class IdentityProvider:
    """See the module docstring. ``signed_in``: the claims of the person the authorization
    endpoint signs in (None: nobody, it answers 401)."""

    audience: str = AUDIENCE
    signed_in: dict[str, Any] | None = None
    clients: dict[str, str | None] = field(
        default_factory=lambda: {CONSOLE_CLIENT: None, "web-form": "web-form-secret"}
    )
    jwks_fetches: int = 0
    logouts: list[dict[str, str]] = field(default_factory=list)
    authorizations: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.signing = {alg: SigningKey.generate(alg) for alg in ("RS256", "ES256")}
        self.published = list(self.signing.values())
        self.grants: dict[str, Grant] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.issuer = self.base + REALM

    def __enter__(self) -> IdentityProvider:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def rotate(self, algorithm: str = "RS256", *, keep_old: bool = True) -> SigningKey:
        """A new signing key for ``algorithm``, published (the old one too, if kept)."""
        old, new = self.signing[algorithm], SigningKey.generate(algorithm)
        self.signing[algorithm] = new
        self.published = [k for k in self.published if keep_old or k is not old] + [new]
        return new

    def claims(
        self, subject: str, role: str, office: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        """An access token's claims, as Keycloak writes them; ``extra`` adds or replaces."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": [self.audience, "account"],
            "sub": subject,
            "typ": "Bearer",
            "azp": CONSOLE_CLIENT,
            "iat": now,
            "exp": now + 300,
            "preferred_username": subject,
            "realm_access": {"roles": [role, "offline_access", "default-roles-relais"]},
        }
        if office is not None:
            claims["office"] = office
        return {**claims, **extra}

    def token(
        self,
        subject: str,
        role: str,
        office: str | None = None,
        *,
        algorithm: str = "RS256",
        **extra: Any,
    ) -> str:
        """An access token for this person, signed with the current key of ``algorithm``."""
        return self.signing[algorithm].sign(self.claims(subject, role, office, **extra))

    def discovery(self) -> dict[str, Any]:
        endpoints = self.issuer + "/protocol/openid-connect"
        return {
            "issuer": self.issuer,
            "authorization_endpoint": endpoints + "/auth",
            "token_endpoint": endpoints + "/token",
            "end_session_endpoint": endpoints + "/logout",
            "jwks_uri": endpoints + "/certs",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "client_credentials"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "subject_types_supported": ["public"],
        }

    # The endpoints, each answering (status, headers, body).

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        self.authorizations.append(query)
        redirect = query.get("redirect_uri", "")
        if query.get("client_id") not in self.clients or not redirect:
            return 400, {}, {"error": "invalid_request", "error_description": "unknown client"}
        if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
            return 400, {}, {"error": "invalid_request", "error_description": "PKCE S256 required"}
        if not query.get("code_challenge") or not query.get("state"):
            return 400, {}, {"error": "invalid_request", "error_description": "challenge/state"}
        if self.signed_in is None:
            return 401, {}, {"error": "login_required"}
        code = secrets.token_urlsafe(24)
        self.grants[code] = Grant(
            query["client_id"],
            redirect,
            query["code_challenge"],
            query.get("nonce"),
            self.signed_in,
        )
        target = f"{redirect}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, {"Location": target}, None

    def exchange(self, form: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        client = form.get("client_id", "")
        if client not in self.clients or self.clients[client] not in (
            None,
            form.get("client_secret"),
        ):
            return 401, {}, {"error": "invalid_client"}
        if form.get("grant_type") == "client_credentials" and self.clients[client] is not None:
            access = self.signing["RS256"].sign(
                self.claims(f"service-account-{client}", "member_channel")
            )
            return 200, {}, {"access_token": access, "token_type": "Bearer", "expires_in": 300}
        grant = self.grants.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None:
            return 400, {}, {"error": "invalid_grant", "error_description": "unknown or used code"}
        if grant.client_id != client or grant.redirect_uri != form.get("redirect_uri"):
            return 400, {}, {"error": "invalid_grant", "error_description": "client/redirect"}
        if s256(form.get("code_verifier", "")) != grant.challenge:
            return (
                400,
                {},
                {"error": "invalid_grant", "error_description": "PKCE verification failed"},
            )
        user = grant.user
        access = self.signing["RS256"].sign(self.claims(**user))
        identity = self.claims(**user, aud=client, typ="ID", nonce=grant.nonce)
        body = {
            "access_token": access,
            "id_token": self.signing["RS256"].sign(identity),
            "token_type": "Bearer",
            "expires_in": 300,
        }
        return 200, {}, body

    def end_session(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        self.logouts.append(query)
        back = query.get("post_logout_redirect_uri")
        return (302, {"Location": back}, None) if back else (200, {}, {"signed_out": True})


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _handler_for(provider: IdentityProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            route = parts.path.removeprefix(REALM)
            if route == "/.well-known/openid-configuration":
                self._answer(200, {}, provider.discovery())
            elif route == "/protocol/openid-connect/certs":
                provider.jwks_fetches += 1
                self._answer(200, {}, {"keys": [k.public_jwk() for k in provider.published]})
            elif route == "/protocol/openid-connect/auth":
                self._answer(*provider.authorize(query))
            elif route == "/protocol/openid-connect/logout":
                self._answer(*provider.end_session(query))
            else:
                self._answer(404, {}, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path.removeprefix(REALM) == "/protocol/openid-connect/token":
                self._answer(*provider.exchange(form))
            else:
                self._answer(404, {}, {"error": "not_found"})

        def _answer(self, status: int, headers: dict[str, str], body: Any) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in {**headers, "Content-Type": "application/json"}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: Any) -> None:  # quiet: the tests say what matters
            pass

    return Handler
