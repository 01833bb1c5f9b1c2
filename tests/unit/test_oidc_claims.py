"""Who a provider token names: subject, role and office read from the claims the settings
name (pure), and `relais token`, which has nothing to print outside dev."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from relais_cli.main import app
from shared.identity import Principal, Role
from shared.oidc_claims import ClaimNames, UnusableClaims, claim, principal_of

KEYCLOAK = ClaimNames()
PREFIXED = ClaimNames(role="resource_access.relais.roles", role_prefix="relais-")


def realm(*roles: str, **more: Any) -> dict[str, Any]:
    return {"sub": "ann", "realm_access": {"roles": list(roles)}, **more}


@pytest.mark.parametrize(
    ("claims", "names", "who"),
    [
        (realm("adviser", "offline_access", office="liege"), KEYCLOAK, ("ann", "adviser", "liege")),
        (realm("support"), KEYCLOAK, ("ann", "support", None)),
        (realm("team_lead", office=["gent"]), KEYCLOAK, ("ann", "team_lead", "gent")),
        (
            {"sub": "web", "realm_access": {"roles": "member_channel"}},
            KEYCLOAK,
            ("web", "member_channel", None),
        ),
        (
            {"sub": "x", "resource_access": {"relais": {"roles": ["relais-ops", "ops"]}}},
            PREFIXED,
            ("x", "ops", None),
        ),
        ({"sub": "d", "role": "dpo"}, ClaimNames(role="role"), ("d", "dpo", None)),
    ],
)
def test_the_role_and_office_come_from_the_named_claims(
    claims: dict[str, Any], names: ClaimNames, who: tuple[str, str, str | None]
) -> None:
    subject, role, office = who
    assert principal_of(claims, names) == Principal(subject, Role(role), office)


@pytest.mark.parametrize(
    ("claims", "names", "why"),
    [
        (realm("offline_access"), KEYCLOAK, "no Relais role"),
        (realm("adviser", "ops", office="liege"), KEYCLOAK, "several Relais roles"),
        (realm("adviser"), KEYCLOAK, "must have an office"),
        (realm("adviser", office=["liege", "gent"]), KEYCLOAK, "must have an office"),
        ({"realm_access": {"roles": ["ops"]}}, KEYCLOAK, "'sub'"),
        (
            {"sub": "x", "resource_access": {"relais": {"roles": ["ops"]}}},
            PREFIXED,
            "no Relais role",
        ),
        (realm("ops", typ="ID"), KEYCLOAK, "not an access token"),
    ],
)
def test_claims_that_do_not_say_who_is_calling_are_refused(
    claims: dict[str, Any], names: ClaimNames, why: str
) -> None:
    with pytest.raises(UnusableClaims, match=why):
        principal_of(claims, names)


def test_a_claim_is_a_name_or_a_dotted_path() -> None:
    claims = {"https://coop.example/office": "mons", "a": {"b": {"c": 1}}}
    assert claim(claims, "https://coop.example/office") == "mons"
    assert claim(claims, "a.b.c") == 1
    assert claim(claims, "a.x.c") is None


def test_relais_token_prints_nothing_outside_dev() -> None:
    result = CliRunner().invoke(app, ["token", "--role", "ops"], env={"RELAIS_ENV": "production"})
    assert result.exit_code == 1
    assert "identity provider" in result.output
    dev = CliRunner().invoke(app, ["token", "--role", "ops"], env={"RELAIS_ENV": "dev"})
    assert dev.exit_code == 0
    assert dev.output.count(".") == 2  # a JWT
