"""Who a verified identity-provider token names: subject, role and office read from the claims
the settings name (pure: the signature, issuer, audience and times are checked before)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.identity import OFFICE_BOUND, Principal, Role


class UnusableClaims(ValueError):
    """The token is genuine but does not say who is calling in a way Relais understands."""


@dataclass(frozen=True)
class ClaimNames:
    """Where the subject, the role and the office are (names, or dotted paths)."""

    subject: str = "sub"
    role: str = "realm_access.roles"
    role_prefix: str = ""
    office: str = "office"


# Keycloak signs ID and refresh tokens with the same keys and issuer as access tokens and says
# which is which in `typ`: only access tokens are bearer tokens.
NOT_ACCESS_TOKENS = frozenset({"ID", "Refresh", "Logout"})


def claim(claims: Mapping[str, Any], name: str) -> Any:
    """The claim ``name``: a top-level claim of that exact name (URI-like names contain dots),
    else the dotted path into nested objects; None when absent."""
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def principal_of(claims: Mapping[str, Any], names: ClaimNames) -> Principal:
    """The caller the claims describe; UnusableClaims says what is missing or ambiguous."""
    if claims.get("typ") in NOT_ACCESS_TOKENS:
        raise UnusableClaims(f"a {claims['typ']} token is not an access token")
    subject = claim(claims, names.subject)
    if not isinstance(subject, str) or not subject:
        raise UnusableClaims(f"its claim {names.subject!r} (who is calling) is missing or empty")
    role = _role(claim(claims, names.role), names)
    office = _single(claim(claims, names.office))
    if role in OFFICE_BOUND and office is None:
        raise UnusableClaims(f"a {role.value} must have an office in the claim {names.office!r}")
    return Principal(subject=subject, role=role, office=office)


def _role(value: Any, names: ClaimNames) -> Role:
    granted = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    known = {f"{names.role_prefix}{r.value}": r for r in Role}
    roles = {known[g] for g in granted if isinstance(g, str) and g in known}
    if not roles:
        raise UnusableClaims(f"it grants no Relais role in the claim {names.role!r}")
    if len(roles) > 1:
        listed = ", ".join(sorted(r.value for r in roles))
        raise UnusableClaims(f"it grants several Relais roles ({listed}); a person has one")
    return roles.pop()


def _single(value: Any) -> str | None:
    # Keycloak's user-attribute mappers give a list when the attribute is multivalued.
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value if isinstance(value, str) and value else None
