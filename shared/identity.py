"""Who is calling: the roles of Relais and the authenticated principal. Pure data, so domain
modules can decide who may do what without knowing about tokens or HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    MEMBER_CHANNEL = "member_channel"  # web form, e-mail gateway, phone and walk-in desk apps
    ADVISER = "adviser"  # first line, bound to one office
    SUPPORT = "support"  # second line: the support team
    ADMIN_TEAM = "admin_team"  # the administrative team
    OPS = "ops"  # operations: reads everything; of the cases, only reassigns them
    TEAM_LEAD = "team_lead"  # leads one office: reassigns its cases, records its absences
    DPO = "dpo"  # the data protection officer: reads who read which member's personal data


# Roles whose token must name the office they belong to (and whose power stops at it).
OFFICE_BOUND = frozenset({Role.ADVISER, Role.TEAM_LEAD})


@dataclass(frozen=True)
class Principal:
    """The caller, as its verified token says."""

    subject: str
    role: Role
    office: str | None = None
