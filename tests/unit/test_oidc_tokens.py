"""The identity provider's tokens, checked against our test provider's discovery and JWKS:
what is accepted, what is refused and why, and how rotated keys are picked up."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from shared.auth import AuthProblem, Verifier, verifier_for
from shared.dev_tokens import DevKeys
from shared.identity import Principal, Role
from shared.oidc_keys import ProviderKeys
from shared.oidc_settings import OidcSettings
from shared.oidc_tokens import ProviderTokens
from shared.settings import DEV_AUTH_SECRET, InsecureSettings, Settings
from tests.support.auth import token as dev_token
from tests.support.idp import IdentityProvider


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    with IdentityProvider() as provider:
        yield provider


class Clock:
    """time.monotonic for the key cache, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def verifier(idp: IdentityProvider, clock: Clock | None = None, **settings: object) -> Verifier:
    """A production verifier (no dev keys) trusting ``idp``."""
    oidc = OidcSettings(issuer=idp.issuer, audience="relais", **settings)  # type: ignore[arg-type]
    keys = ProviderKeys(oidc, clock=clock or Clock())
    return Verifier(None, ProviderTokens(oidc, keys))


async def refused(verifier: Verifier, token: str, status: int = 401) -> AuthProblem:
    with pytest.raises(AuthProblem) as raised:
        await verifier.verify(token)
    assert raised.value.status == status
    return raised.value


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
async def test_a_provider_token_says_who_is_calling(idp: IdentityProvider, algorithm: str) -> None:
    checker = verifier(idp)
    ann = idp.token("ann", "adviser", "liege", algorithm=algorithm)
    assert await checker.verify(ann) == Principal("ann", Role.ADVISER, "liege")
    ops = idp.token("olga", "ops", algorithm=algorithm)
    assert await checker.verify(ops) == Principal("olga", Role.OPS)


async def test_the_keys_are_read_once_not_per_request(idp: IdentityProvider) -> None:
    checker = verifier(idp)
    await checker.start()
    fetched = idp.jwks_fetches
    for subject in ("a", "b", "c"):
        await checker.verify(idp.token(subject, "support"))
    assert idp.jwks_fetches == fetched


async def test_another_issuer_or_audience_is_refused(idp: IdentityProvider) -> None:
    checker = verifier(idp)
    elsewhere = idp.token("eve", "ops", iss="https://evil.example/realms/relais")
    assert "another issuer" in (await refused(checker, elsewhere)).message
    other_app = idp.token("eve", "ops", aud="billing")
    assert "not meant for Relais" in (await refused(checker, other_app)).message
    no_audience = idp.signing["RS256"].sign(
        {k: v for k, v in idp.claims("eve", "ops").items() if k != "aud"}
    )
    assert (await refused(checker, no_audience)).error == "invalid_token"


async def test_expiry_and_not_before_are_checked_with_the_leeway(idp: IdentityProvider) -> None:
    checker = verifier(idp, leeway_s=30)
    now = int(time.time())
    expired = idp.token("ann", "support", iat=now - 600, exp=now - 60)
    assert (await refused(checker, expired)).error == "token_expired"
    just_expired = idp.token("ann", "support", iat=now - 600, exp=now - 10)
    assert (await checker.verify(just_expired)).subject == "ann"
    early = idp.token("ann", "support", nbf=now + 120)
    assert "not valid yet" in (await refused(checker, early)).message


async def test_an_unknown_key_id_fetches_the_keys_again_so_a_rotation_just_works(
    idp: IdentityProvider,
) -> None:
    # Given a service that read the provider's keys
    clock = Clock()
    checker = verifier(idp, clock, jwks_min_refetch_s=30)
    await checker.start()
    before = idp.jwks_fetches
    # When the provider rotates its RS256 key (dropping the old one) and signs with the new one
    idp.rotate("RS256", keep_old=False)
    clock.now += 60
    token = idp.token("ann", "adviser", "liege")
    # Then the service fetches the keys once and accepts the token
    assert (await checker.verify(token)).subject == "ann"
    assert idp.jwks_fetches == before + 1


async def test_made_up_key_ids_cannot_make_the_service_flood_the_provider(
    idp: IdentityProvider,
) -> None:
    clock = Clock()
    checker = verifier(idp, clock, jwks_min_refetch_s=30)
    await checker.start()
    before = idp.jwks_fetches
    claims = idp.claims("eve", "ops")
    clock.now += 31  # the keys read at start are no longer fresh enough to forbid a refetch
    for n in range(5):
        forged = idp.signing["RS256"].sign({**claims, "jti": str(n)}, kid=f"made-up-{n}")
        assert "no RS256 key with id" in (await refused(checker, forged)).message
    assert idp.jwks_fetches == before + 1  # one refetch, then the rate limit
    clock.now += 31
    await refused(checker, idp.signing["RS256"].sign(claims, kid="made-up-again"))
    assert idp.jwks_fetches == before + 2


@pytest.mark.parametrize("algorithm", ["HS256", "none"])
async def test_outside_dev_hs256_and_unsigned_tokens_are_refused(
    idp: IdentityProvider, algorithm: str
) -> None:
    checker = verifier(idp)
    token = (
        dev_token(Role.OPS)
        if algorithm == "HS256"
        else jwt.encode(idp.claims("eve", "ops"), "", algorithm="none")
    )
    problem = await refused(checker, token)
    assert problem.error == "invalid_token"
    if algorithm == "HS256":
        assert "only under RELAIS_ENV=dev" in problem.message


async def test_an_hs256_token_keyed_with_the_providers_public_key_is_refused(
    idp: IdentityProvider,
) -> None:
    # The classic algorithm confusion: the public key, known to all, used as an HMAC secret
    rsa = idp.signing["RS256"]
    public_pem = rsa.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": rsa.kid}
    signing_input = f"{_b64(json.dumps(header))}.{_b64(json.dumps(idp.claims('eve', 'ops')))}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{_b64(mac)}"
    # Then neither production nor dev (with the provider configured too) accepts it
    assert "only under RELAIS_ENV=dev" in (await refused(verifier(idp), forged)).message
    dev = Verifier(DevKeys("s" * 40, "c" * 40), verifier(idp).provider)
    assert "Signature verification failed" in (await refused(dev, forged)).message


def _b64(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def test_tokens_that_name_no_usable_role_or_office_are_refused(idp: IdentityProvider) -> None:
    checker = verifier(idp)
    no_role = idp.token("ann", "offline_access")
    assert "no Relais role" in (await refused(checker, no_role)).message
    no_office = idp.token("ann", "adviser")
    assert "must have an office" in (await refused(checker, no_office)).message
    id_token = idp.token("ann", "support", typ="ID")
    assert "not an access token" in (await refused(checker, id_token)).message


async def test_role_and_office_claims_are_configurable(idp: IdentityProvider) -> None:
    checker = verifier(
        idp,
        role_claim="resource_access.relais.roles",
        role_prefix="relais-",
        office_claim="https://coop.example/office",
        subject_claim="preferred_username",
    )
    claims = idp.claims(
        "f3a1-uuid",
        "ignored",
        preferred_username="ann",
        resource_access={"relais": {"roles": ["relais-team_lead"]}},
    )
    token = idp.signing["ES256"].sign({**claims, "https://coop.example/office": ["gent"]})
    assert await checker.verify(token) == Principal("ann", Role.TEAM_LEAD, "gent")


async def test_when_the_provider_cannot_be_reached_the_answer_says_so(
    idp: IdentityProvider,
) -> None:
    oidc = OidcSettings(issuer="http://127.0.0.1:9/realms/none", audience="relais")
    checker = Verifier(None, ProviderTokens(oidc))
    problem = await refused(checker, idp.token("ann", "support"), status=503)
    assert problem.error == "identity_provider_unreachable"
    await checker.aclose()


def test_outside_dev_a_service_needs_the_providers_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("ISSUER", "AUDIENCE", "JWKS_URL"):
        monkeypatch.delenv(f"RELAIS_OIDC_{name}", raising=False)
    with pytest.raises(InsecureSettings, match="RELAIS_OIDC_ISSUER is missing"):
        verifier_for(Settings(env="production", auth_secret="s" * 40))
    monkeypatch.setenv("RELAIS_OIDC_ISSUER", "http://sso.coop.example/realms/relais")
    monkeypatch.setenv("RELAIS_OIDC_AUDIENCE", "relais")
    with pytest.raises(InsecureSettings, match="must be an https URL"):
        verifier_for(Settings(env="production"))
    monkeypatch.setenv("RELAIS_OIDC_ISSUER", "https://sso.coop.example/realms/relais")
    production = verifier_for(Settings(env="production"))
    assert production.dev_keys is None
    assert production.provider is not None


def test_dev_accepts_dev_tokens_and_the_provider_only_when_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RELAIS_OIDC_ISSUER", raising=False)
    dev = verifier_for(Settings(env="dev"))
    assert dev.dev_keys is not None
    assert dev.dev_keys.staff == DEV_AUTH_SECRET
    assert dev.provider is None


async def test_a_verified_token_is_refused_once_it_expires(
    idp: IdentityProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    checker = verifier(idp, leeway_s=5)
    issued = datetime.now(UTC)
    exp = int((issued + timedelta(minutes=1)).timestamp())
    token = idp.token("ann", "support", exp=exp)
    assert (await checker.verify(token)).subject == "ann"
    later = issued.timestamp() + 3600
    monkeypatch.setattr("shared.auth.time.time", lambda: later)
    monkeypatch.setattr("jwt.api_jwt.datetime", _frozen(later))
    assert (await refused(checker, token)).error == "token_expired"


def _frozen(timestamp: float) -> type[datetime]:
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: object = None) -> Frozen:
            return cls.fromtimestamp(timestamp, tz=UTC)

    return Frozen
