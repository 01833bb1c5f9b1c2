"""The console's production login against our test identity provider (a real HTTP server on
loopback): authorization code with PKCE S256, state and nonce checked, the provider's access
token kept in the signed, httponly, secure session cookie and sent to the services, logout
through the provider. The services are the console's usual stub."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient

from services.console.app import build
from services.console.oidc_login import LoginFailed, OidcLogin, Pending, challenge
from services.console.settings import ConsoleSettings
from shared.oidc_settings import OidcSettings
from shared.oidc_tokens import ProviderTokens
from shared.settings import InsecureSettings, Settings
from tests.support.console_stub import Stub
from tests.support.console_stub import console as dev_console
from tests.support.idp import CONSOLE_CLIENT, IdentityProvider

CONSOLE = "https://testserver"
CALLBACK = f"{CONSOLE}/login/callback"
ANN = {"subject": "ann", "role": "adviser", "office": "liege"}


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    with IdentityProvider() as provider:
        yield provider


@pytest.fixture
def provider_env(idp: IdentityProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_OIDC_ISSUER", idp.issuer)
    monkeypatch.setenv("RELAIS_OIDC_AUDIENCE", idp.audience)
    monkeypatch.setenv("RELAIS_OIDC_CLIENT_ID", CONSOLE_CLIENT)


@pytest.fixture
def stub() -> Stub:
    return Stub()


@pytest.fixture
def client(provider_env: None, stub: Stub) -> Iterator[TestClient]:
    """The console as a deployment runs it (RELAIS_ENV=production), behind https."""
    settings = ConsoleSettings(base=Settings(env="production"), session_secret="s" * 40)
    app = build(settings, httpx.MockTransport(stub.handle))
    with TestClient(app, base_url=CONSOLE, follow_redirects=False) as c:
        yield c


def to_provider_and_back(client: TestClient, idp: IdentityProvider, who: dict[str, str]) -> str:
    """The console's redirect followed to the provider, who signs ``who`` in: the callback."""
    idp.signed_in = who
    go = client.get("/login/oidc", params={"next": "/queue"})
    assert go.status_code == 303
    back = httpx.get(go.headers["location"])
    assert back.status_code == 302, back.text
    callback: str = back.headers["location"]
    assert callback.startswith(f"{CALLBACK}?")
    return callback


def test_an_adviser_signs_in_through_the_provider_and_the_services_get_its_token(
    client: TestClient, idp: IdentityProvider, stub: Stub
) -> None:
    # Given the login page of a production console: no demo people, the provider's button
    page = client.get("/login").text
    assert 'id="oidc-login"' in page
    assert 'id="dev-login"' not in page
    # When the person follows it, the console sends them to the provider with PKCE S256
    go = client.get("/login/oidc", params={"next": "/queue"})
    target = urlsplit(go.headers["location"])
    asked = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert f"{target.scheme}://{target.netloc}{target.path}".startswith(idp.issuer)
    assert asked["code_challenge_method"] == "S256"
    assert len(asked["code_challenge"]) == 43  # base64url of a SHA-256
    assert asked["redirect_uri"] == CALLBACK
    assert asked["client_id"] == CONSOLE_CLIENT
    assert asked["state"]
    assert asked["nonce"]
    # And once the provider signed them in and sent them back
    done = client.get(to_provider_and_back(client, idp, ANN))
    # Then they are at their queue, in a signed cookie only the server reads, over https only
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/queue"
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "secure" in cookie
    assert client.get("/queue").status_code == 200
    # And the services get the provider's access token, as the services verify it
    sent = [r for m, p, _, r in stub.calls if p == "/cases"][-1].headers["authorization"]
    token = sent.removeprefix("Bearer ")
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["iss"], claims["sub"], claims["typ"]) == (idp.issuer, "ann", "Bearer")


def test_a_callback_with_another_state_or_replayed_signs_nobody_in(
    client: TestClient, idp: IdentityProvider
) -> None:
    callback = to_provider_and_back(client, idp, ANN)
    forged = re.sub(r"state=[^&]+", "state=forged", callback)
    refused = client.get(forged)
    assert refused.status_code == 400
    assert 'role="alert"' in refused.text
    assert client.get("/queue").status_code == 303  # to the login page
    # The pending login was used up by that attempt: the genuine callback is refused too
    assert client.get(callback).status_code == 400
    assert client.get("/queue").status_code == 303


def test_a_person_without_a_relais_role_is_told_so(
    client: TestClient, idp: IdentityProvider
) -> None:
    nobody = {"subject": "bob", "role": "offline_access"}
    answer = client.get(
        to_provider_and_back(client, idp, nobody), headers={"accept-language": "nl"}
    )
    assert answer.status_code == 400
    assert "geen rol in Relais" in answer.text
    assert client.get("/queue").status_code == 303


def test_signing_out_ends_the_providers_session_too(
    client: TestClient, idp: IdentityProvider
) -> None:
    client.get(to_provider_and_back(client, idp, ANN))
    page = client.get("/queue").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    out = client.post("/logout", data={"csrf": csrf.group(1)})
    assert out.status_code == 303
    target = urlsplit(out.headers["location"])
    assert out.headers["location"].startswith(f"{idp.issuer}/protocol/openid-connect/logout")
    assert parse_qs(target.query)["post_logout_redirect_uri"] == [f"{CONSOLE}/login"]
    assert client.get("/queue").status_code == 303
    # The form may lead there: the provider's origin is in the console's form-action
    policy = client.get("/login").headers["content-security-policy"]
    assert f"form-action 'self' {idp.base}" in policy


async def test_the_id_token_must_carry_this_logins_nonce_and_the_code_this_verifier(
    idp: IdentityProvider,
) -> None:
    oidc = OidcSettings(issuer=idp.issuer, audience=idp.audience, client_id=CONSOLE_CLIENT)
    login = OidcLogin(ProviderTokens(oidc))
    idp.signed_in = ANN
    try:
        for tampered, why in (("nonce", "nonce"), ("verifier", "PKCE")):
            pending = Pending.fresh("")
            async with httpx.AsyncClient() as browser:
                back = await browser.get(await login.begin(pending, CALLBACK, "fr"))
            code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
            other = Pending(**{**pending.as_session(), tampered: Pending.fresh("").nonce})
            with pytest.raises(LoginFailed, match=why) as failed:
                await login.finish(other, pending.state, code, CALLBACK)
            assert failed.value.reason == "login.oidc_refused"
    finally:
        await login.aclose()
    # RFC 7636's example: the challenge of its verifier
    assert challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_outside_dev_the_console_needs_its_client_at_the_provider(
    provider_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RELAIS_OIDC_CLIENT_ID")
    settings = ConsoleSettings(base=Settings(env="production"), session_secret="s" * 40)
    with pytest.raises(InsecureSettings, match="RELAIS_OIDC_CLIENT_ID is missing"):
        build(settings)


def test_in_dev_the_demo_picker_stays(stub: Stub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RELAIS_OIDC_ISSUER", raising=False)
    with TestClient(dev_console(stub), follow_redirects=False) as dev:
        page = dev.get("/login").text
    assert 'id="dev-login"' in page
    assert 'id="oidc-login"' not in page
