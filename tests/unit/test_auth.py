"""Dev bearer tokens (HS256, RELAIS_ENV=dev) and their keys: what is accepted, what is refused
and why. The identity provider's tokens: tests/unit/test_oidc_tokens.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from shared.auth import AuthProblem, Verifier, issue
from shared.dev_tokens import DevKeys
from shared.identity import Principal, Role
from shared.settings import (
    DEV_AUTH_SECRET,
    DEV_CHANNEL_SECRET,
    InsecureSettings,
    Settings,
)

KEY = "k" * 40
CHANNEL_KEY = "c" * 40
NOW = datetime.now(UTC)
HOUR = timedelta(hours=1)


async def verify(key: str, token: str) -> Principal:
    """What a dev verifier whose staff key is ``key`` makes of ``token``."""
    return await Verifier(DevKeys(staff=key, channel=CHANNEL_KEY), None).verify(token)


async def test_a_token_carries_who_and_what_role_and_office() -> None:
    adviser = Principal("ann", Role.ADVISER, "liege")
    assert await verify(KEY, issue(KEY, adviser, now=NOW, ttl=HOUR)) == adviser
    ops = Principal("olga", Role.OPS)
    assert await verify(KEY, issue(KEY, ops, now=NOW, ttl=HOUR)) == ops
    lead = Principal("lea", Role.TEAM_LEAD, "liege")
    assert await verify(KEY, issue(KEY, lead, now=NOW, ttl=HOUR)) == lead


async def refused(key: str, token: str) -> AuthProblem:
    with pytest.raises(AuthProblem) as raised:
        await verify(key, token)
    assert raised.value.status == 401
    return raised.value


async def test_expired_tokens_are_refused() -> None:
    token = issue(KEY, Principal("ann", Role.SUPPORT), now=NOW - 2 * HOUR, ttl=HOUR)
    assert (await refused(KEY, token)).error == "token_expired"


async def test_tokens_signed_with_another_key_are_refused() -> None:
    token = issue("x" * 40, Principal("ann", Role.SUPPORT), now=NOW, ttl=HOUR)
    assert (await refused(KEY, token)).error == "invalid_token"


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({"sub": "ann", "role": "root"}, "Unknown role"),
        ({"sub": "ann", "role": "adviser"}, "must name its office"),
        ({"sub": "lea", "role": "team_lead"}, "must name its office"),
        ({"role": "support"}, "sub"),
        ({"sub": "ann"}, "role"),
        ({"sub": "", "role": "support"}, "non-empty"),
    ],
)
async def test_tokens_with_bad_claims_are_refused(claims: dict[str, str], why: str) -> None:
    token = jwt.encode({**claims, "exp": int((NOW + HOUR).timestamp())}, KEY, algorithm="HS256")
    assert why in (await refused(KEY, token)).message


async def test_tokens_without_expiry_or_unsigned_are_refused() -> None:
    forever = jwt.encode({"sub": "ann", "role": "ops"}, KEY, algorithm="HS256")
    assert "exp" in (await refused(KEY, forever)).message
    unsigned = jwt.encode(
        {"sub": "ann", "role": "ops", "exp": int((NOW + HOUR).timestamp())}, "", algorithm="none"
    )
    assert (await refused(KEY, unsigned)).error == "invalid_token"


async def test_each_purpose_has_its_own_key() -> None:
    # A channel's key cannot mint a staff token, nor the staff key a channel token
    channel = Principal("web-form", Role.MEMBER_CHANNEL)
    assert await verify(KEY, issue(CHANNEL_KEY, channel, now=NOW, ttl=HOUR)) == channel
    assert (await refused(KEY, issue(KEY, channel, now=NOW, ttl=HOUR))).error == "invalid_token"
    ops = issue(CHANNEL_KEY, Principal("eve", Role.OPS), now=NOW, ttl=HOUR)
    assert (await refused(KEY, ops)).error == "invalid_token"


def test_dev_uses_the_documented_keys_one_per_purpose() -> None:
    dev = Settings(env="dev", auth_secret=None, channel_secret=None)
    assert dev.dev_keys() == DevKeys(staff=DEV_AUTH_SECRET, channel=DEV_CHANNEL_SECRET)
    assert dev.dev_key(Role.MEMBER_CHANNEL) == DEV_CHANNEL_SECRET
    assert dev.auth_key() == DEV_AUTH_SECRET
    assert DEV_AUTH_SECRET != DEV_CHANNEL_SECRET


def test_outside_dev_there_are_no_dev_keys() -> None:
    production = Settings(env="production", auth_secret="s" * 40)
    with pytest.raises(InsecureSettings, match="only under RELAIS_ENV=dev"):
        production.dev_keys()
    with pytest.raises(InsecureSettings, match="only under RELAIS_ENV=dev"):
        production.auth_key()


async def test_a_verified_token_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a token verified (and remembered) while valid
    issued = datetime.now(UTC)
    token = issue(KEY, Principal("ann", Role.SUPPORT), now=issued, ttl=timedelta(minutes=1))
    checker = Verifier(DevKeys(staff=KEY, channel=CHANNEL_KEY), None)
    assert (await checker.verify(token)).subject == "ann"
    # When it is presented again after its expiry (and the leeway)
    later = issued.timestamp() + 3600
    monkeypatch.setattr("shared.auth.time.time", lambda: later)
    monkeypatch.setattr("jwt.api_jwt.datetime", FrozenDatetime.at(later))
    # Then it is refused, remembered or not
    with pytest.raises(AuthProblem) as raised:
        await checker.verify(token)
    assert raised.value.error == "token_expired"
    # And the same token under another key is not taken for verified
    monkeypatch.undo()
    assert (await refused("y" * 40, token)).error == "invalid_token"


class FrozenDatetime(datetime):
    """datetime.now() at a chosen moment, as PyJWT reads the clock."""

    frozen: float = 0.0

    @classmethod
    def at(cls, timestamp: float) -> type[FrozenDatetime]:
        return type("Frozen", (cls,), {"frozen": timestamp})

    @classmethod
    def now(cls, tz: object = None) -> FrozenDatetime:
        return cls.fromtimestamp(cls.frozen, tz=UTC)
