"""Bearer tokens and the signing key: what is accepted, what is refused and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from shared.auth import AuthProblem, issue, verify
from shared.identity import Principal, Role
from shared.settings import DEV_AUTH_SECRET, InsecureSettings, Settings

KEY = "k" * 40
NOW = datetime.now(UTC)
HOUR = timedelta(hours=1)


def test_a_token_carries_who_and_what_role_and_office() -> None:
    adviser = Principal("ann", Role.ADVISER, "liege")
    assert verify(KEY, issue(KEY, adviser, now=NOW, ttl=HOUR)) == adviser
    ops = Principal("olga", Role.OPS)
    assert verify(KEY, issue(KEY, ops, now=NOW, ttl=HOUR)) == ops
    lead = Principal("lea", Role.TEAM_LEAD, "liege")
    assert verify(KEY, issue(KEY, lead, now=NOW, ttl=HOUR)) == lead


def refused(key: str, token: str) -> AuthProblem:
    with pytest.raises(AuthProblem) as raised:
        verify(key, token)
    assert raised.value.status == 401
    return raised.value


def test_expired_tokens_are_refused() -> None:
    token = issue(KEY, Principal("ann", Role.SUPPORT), now=NOW - 2 * HOUR, ttl=HOUR)
    assert refused(KEY, token).error == "token_expired"


def test_tokens_signed_with_another_key_are_refused() -> None:
    token = issue("x" * 40, Principal("ann", Role.SUPPORT), now=NOW, ttl=HOUR)
    assert refused(KEY, token).error == "invalid_token"


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
def test_tokens_with_bad_claims_are_refused(claims: dict[str, str], why: str) -> None:
    token = jwt.encode({**claims, "exp": int((NOW + HOUR).timestamp())}, KEY, algorithm="HS256")
    assert why in refused(KEY, token).message


def test_tokens_without_expiry_or_unsigned_are_refused() -> None:
    forever = jwt.encode({"sub": "ann", "role": "ops"}, KEY, algorithm="HS256")
    assert "exp" in refused(KEY, forever).message
    unsigned = jwt.encode(
        {"sub": "ann", "role": "ops", "exp": int((NOW + HOUR).timestamp())}, None, algorithm="none"
    )
    assert refused(KEY, unsigned).error == "invalid_token"


@pytest.mark.parametrize(
    ("secret", "why"),
    [(None, "missing"), (DEV_AUTH_SECRET, "dev default"), ("short", "too short")],
)
def test_outside_dev_a_missing_default_or_short_secret_stops_the_service(
    secret: str | None, why: str
) -> None:
    settings = Settings(env="production", auth_secret=secret)
    with pytest.raises(InsecureSettings, match=why):
        settings.auth_key()


def test_dev_uses_the_documented_key_and_a_real_secret_is_used_anywhere() -> None:
    assert Settings(env="dev", auth_secret=None).auth_key() == DEV_AUTH_SECRET
    assert Settings(env="production", auth_secret="s" * 32).auth_key() == "s" * 32


def test_a_verified_token_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a token verified (and remembered) while valid
    issued = datetime.now(UTC)
    token = issue(KEY, Principal("ann", Role.SUPPORT), now=issued, ttl=timedelta(minutes=1))
    assert verify(KEY, token).subject == "ann"
    # When it is presented again after its expiry (and the leeway)
    later = issued.timestamp() + 3600
    monkeypatch.setattr("shared.auth.time.time", lambda: later)
    monkeypatch.setattr("jwt.api_jwt.datetime", FrozenDatetime.at(later))
    # Then it is refused, remembered or not
    assert refused(KEY, token).error == "token_expired"
    # And the same token under another key is not taken for verified
    monkeypatch.undo()
    assert refused("y" * 40, token).error == "invalid_token"


class FrozenDatetime(datetime):
    """datetime.now() at a chosen moment, as PyJWT reads the clock."""

    frozen: float = 0.0

    @classmethod
    def at(cls, timestamp: float) -> type[FrozenDatetime]:
        return type("Frozen", (cls,), {"frozen": timestamp})

    @classmethod
    def now(cls, tz: object = None) -> FrozenDatetime:
        return cls.fromtimestamp(cls.frozen, tz=UTC)
