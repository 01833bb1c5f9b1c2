"""A service outside dev (RELAIS_ENV=production) trusts only the identity provider: it accepts
the provider's RS256/ES256 tokens, picks up a rotated key by itself, and refuses HS256 dev
tokens, both on reads and before reading a command's body."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from shared.identity import Role
from tests.support.auth import bearer
from tests.support.idp import IdentityProvider
from tests.support.processes import TEST_PORT_BASE, ServiceProcess


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    with IdentityProvider() as provider:
        yield provider


@pytest.fixture(scope="module")
def production_advisory(idp: IdentityProvider) -> Iterator[ServiceProcess]:
    """advisory as a deployment runs it, on a port of its own, trusting the test provider."""
    env = {
        "RELAIS_ENV": "production",
        "RELAIS_OIDC_ISSUER": idp.issuer,
        "RELAIS_OIDC_AUDIENCE": idp.audience,
        "RELAIS_OIDC_JWKS_MIN_REFETCH_S": "1",
    }
    process = ServiceProcess("advisory", env, port=TEST_PORT_BASE + 51).start(timeout=60)
    yield process
    process.stop()


def provider_bearer(idp: IdentityProvider, *who: str, algorithm: str = "RS256") -> dict[str, str]:
    return {"Authorization": f"Bearer {idp.token(*who, algorithm=algorithm)}"}


def test_the_providers_tokens_are_accepted_and_dev_tokens_refused(
    idp: IdentityProvider, production_advisory: ServiceProcess
) -> None:
    with httpx.Client(base_url=production_advisory.url, timeout=10) as client:
        # The provider's tokens, RS256 and ES256, are accepted, roles and offices enforced
        ops = client.get("/cases", headers=provider_bearer(idp, "olga", "ops", algorithm="ES256"))
        assert ops.status_code == 200, ops.text
        ann = provider_bearer(idp, "ann", "adviser", "liege")
        assert client.get("/cases", params={"office": "liege"}, headers=ann).status_code == 200
        other = client.get("/cases", params={"office": "gent"}, headers=ann)
        assert other.status_code == 403
        # An HS256 dev token, valid under RELAIS_ENV=dev, is refused here
        dev = client.get("/cases", headers=bearer(Role.OPS))
        assert dev.status_code == 401
        assert dev.json()["error"] == "invalid_token"
        assert "RELAIS_ENV=dev" in dev.json()["message"]
        # ...also before a command's body is read
        claim = client.post(
            "/cases/00000000-0000-4000-8000-000000000001/claim",
            json={},
            headers=bearer(Role.ADVISER, "ann", "liege"),
        )
        assert claim.status_code == 401
        # A token of another issuer is refused
        foreign_token = idp.token("eve", "ops", iss="https://elsewhere.example/realms/relais")
        foreign = {"Authorization": f"Bearer {foreign_token}"}
        assert client.get("/cases", headers=foreign).status_code == 401


def test_a_rotated_key_is_picked_up_without_a_restart(
    idp: IdentityProvider, production_advisory: ServiceProcess
) -> None:
    # Given the provider rotates its RS256 key, dropping the old one
    idp.rotate("RS256", keep_old=False)
    time.sleep(1.1)  # the service's refetch rate limit (1 s here)
    fetched = idp.jwks_fetches
    # When a token signed with the new key arrives
    with httpx.Client(base_url=production_advisory.url, timeout=10) as client:
        answer = client.get("/cases", headers=provider_bearer(idp, "olga", "ops"))
    # Then the service read the provider's keys again and accepted it
    assert answer.status_code == 200, answer.text
    assert idp.jwks_fetches == fetched + 1
