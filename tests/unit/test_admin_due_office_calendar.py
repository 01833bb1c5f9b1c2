"""admin's task due dates count the business days of the case's office, as configured for the
SLA clocks (RELAIS_SLA_*): its community's holiday and its own opening hours."""

from __future__ import annotations

from datetime import datetime

import pytest

from services.admin.due_dates import DueSettings
from shared.business_calendar import BRUSSELS
from shared.events import AdminAct


def at(m: int, d: int, h: int) -> datetime:
    return datetime(2025, m, d, h, tzinfo=BRUSSELS)


def test_a_flemish_office_keeps_11_july_a_french_speaking_one_works() -> None:
    policy = DueSettings().policy()
    opened = at(7, 10, 10)  # Thursday; Friday 11 July is the Flemish community's day
    assert policy.due(AdminAct.DIMONA_DECLARATION, "gent", opened) == at(7, 14, 17)
    assert policy.due(AdminAct.DIMONA_DECLARATION, "liege", opened) == at(7, 11, 17)


def test_an_office_s_own_hours_set_for_the_sla_clocks_set_its_due_dates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "RELAIS_SLA_OFFICES", '{"eupen": {"community": "german", "closes": "12:00"}}'
    )
    policy = DueSettings().policy()
    opened = at(11, 13, 10)  # Thursday; Saturday 15 November: no business day lost
    assert policy.due(AdminAct.DIMONA_DECLARATION, "eupen", opened) == at(11, 14, 12)
    assert policy.due(AdminAct.DIMONA_DECLARATION, "mons", opened) == at(11, 14, 17)
