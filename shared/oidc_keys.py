"""The identity provider's discovery document and signing keys, fetched and kept in memory.

Requests never wait on the provider while its keys are known: they are fetched when the
service starts, again once they are older than RELAIS_OIDC_JWKS_MAX_AGE_S, and again when a
token names a key id (`kid`) not among them (the provider rotated its keys), at most once per
RELAIS_OIDC_JWKS_MIN_REFETCH_S so that tokens with made-up key ids cannot make the services
flood the provider. A failed fetch keeps the keys already known."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt

from shared.oidc_settings import OidcSettings, secure_url

log = logging.getLogger(__name__)


class UnknownKey(Exception):
    """No key the provider publishes fits the token's `kid` and algorithm."""


class ProviderUnreachable(Exception):
    """The provider's keys have never been read: nothing can be verified yet."""


class ProviderKeys:
    """The provider's metadata and public keys (see the module docstring)."""

    def __init__(
        self,
        settings: OidcSettings,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._client = client or httpx.AsyncClient(timeout=settings.http_timeout_s)
        self._clock = clock
        self._lock = asyncio.Lock()
        self._discovery: dict[str, Any] | None = None
        self._keys: list[tuple[str | None, jwt.PyJWK]] = []
        self._fetched_at: float | None = None  # of the last successful fetch
        self._tried_at: float | None = None  # of the last attempt, successful or not

    async def discovery(self) -> dict[str, Any]:
        """The provider's discovery document (its issuer checked), read once."""
        if self._discovery is None:
            url = self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
            document = await self._get_json(url)
            if document.get("issuer") != self.settings.issuer:
                raise ProviderUnreachable(
                    f"the discovery document names the issuer {document.get('issuer')!r}, "
                    f"not {self.settings.issuer!r}"
                )
            self._discovery = document
        return self._discovery

    async def key_for(self, kid: str | None, algorithm: str) -> jwt.PyJWK:
        """The public key that signed a token with this `kid` and algorithm."""
        if self._stale():
            await self.refresh()
        found = self._find(kid, algorithm)
        if found is None:
            await self.refresh()  # a rotation, perhaps; rate-limited
            found = self._find(kid, algorithm)
        if found is not None:
            return found
        if self._fetched_at is None:
            raise ProviderUnreachable("the identity provider's keys could not be read yet")
        raise UnknownKey(f"the identity provider publishes no {algorithm} key with id {kid!r}")

    async def refresh(self) -> bool:
        """Fetch the keys now, unless fetched (or tried) too recently; True when fetched."""
        async with self._lock:
            now = self._clock()
            if (
                self._tried_at is not None
                and now - self._tried_at < self.settings.jwks_min_refetch_s
            ):
                return False
            self._tried_at = now
            try:
                self._keys = parse_jwks(await self._get_json(await self._jwks_url()), self.settings)
            except (httpx.HTTPError, ValueError, ProviderUnreachable) as exc:
                log.warning("the identity provider's keys could not be fetched: %s", exc)
                return False
            self._fetched_at = now
            return True

    async def aclose(self) -> None:
        await self._client.aclose()

    def _stale(self) -> bool:
        age = None if self._fetched_at is None else self._clock() - self._fetched_at
        return age is None or age > self.settings.jwks_max_age_s

    def _find(self, kid: str | None, algorithm: str) -> jwt.PyJWK | None:
        fitting = [k for key_id, k in self._keys if k.algorithm_name == algorithm]
        if kid is None:  # a provider with one key per algorithm may leave kid out
            return fitting[0] if len(fitting) == 1 else None
        return next((k for key_id, k in self._keys if key_id == kid and k in fitting), None)

    async def _jwks_url(self) -> str:
        url = self.settings.jwks_url or str((await self.discovery()).get("jwks_uri", ""))
        if not secure_url(url):
            raise ProviderUnreachable(f"the JWKS URL {url!r} is not https")
        return url

    async def _get_json(self, url: str) -> dict[str, Any]:
        answer = await self._client.get(url)
        answer.raise_for_status()
        document = answer.json()
        if not isinstance(document, dict):
            raise ValueError(f"{url} did not answer a JSON object")
        return document


def parse_jwks(
    document: dict[str, Any], settings: OidcSettings
) -> list[tuple[str | None, jwt.PyJWK]]:
    """The signature keys of a JWKS for the allowed algorithms; others (encryption keys,
    symmetric or unknown kinds) are left out, so no token can be checked with them."""
    keys = []
    for entry in document.get("keys", []):
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK(entry)
        except (jwt.PyJWKError, jwt.InvalidKeyError) as exc:
            log.info("skipping a key of the provider's JWKS: %s", exc)
            continue
        if key.algorithm_name in settings.algorithms:
            keys.append((entry.get("kid"), key))
    return keys
