"""The requests a lab run replays: what routing needs of each (office, language, topic family,
the member) and when it was received. Read from the log (``lab.log``) or generated."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from relais_cli.demo_data import OFFICE_LANGUAGES
from shared.events import RequestReceived
from shared.settings import DEMO_TOPIC_FAMILIES


@dataclass(frozen=True, slots=True)
class Case:
    case_id: str
    member_id: str
    office: str
    language: str
    topic_family: str
    received_at: datetime


def of_request(r: RequestReceived) -> Case:
    return Case(
        str(r.case_id),
        r.member_id,
        r.member.home_office,
        r.member.preferred_language.value,
        r.topic_family,
        r.received_at,
    )


def generated(count: int, start: datetime, seed: int = 7, days: int = 365) -> list[Case]:
    """``count`` requests spread over ``days`` from ``start``, office hours mostly, from
    members who ask about five times a year (so continuity can be measured): the demo's offices,
    their members' languages and topic families, as the demo stream draws them."""
    rng = random.Random(seed)  # noqa: S311 - synthetic traffic, not security
    offices = list(OFFICE_LANGUAGES)
    members = max(1, count // 5)
    cases = []
    for i in range(count):
        m = rng.randrange(members)
        office = offices[m % len(offices)]
        language = OFFICE_LANGUAGES[office][m % len(OFFICE_LANGUAGES[office])]
        day = rng.randrange(days)
        hour = rng.triangular(7.0, 19.0, 11.0)
        at = start + timedelta(days=day, hours=hour)
        cases.append(
            Case(f"G-{i:07d}", f"M-{m:06d}", office, language, rng.choice(DEMO_TOPIC_FAMILIES), at)
        )
    cases.sort(key=lambda c: (c.received_at, c.case_id))
    return cases
