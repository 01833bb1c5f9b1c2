"""The report renders whatever the views hold: nothing yet, or real figures, self-contained."""

from __future__ import annotations

from datetime import UTC, date, datetime

from reporting import charts
from reporting.data import DIMENSIONS, ReportData
from reporting.report import render

NOW = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)
NO_STAGES = {
    f"{k}_{p}": None
    for k in ("routed", "claimed", "response", "escalated", "resolved", "admin")
    for p in ("p50", "p90")
}


def empty() -> ReportData:
    totals = {"cases": 0, "routed": 0, "resolved": 0, "escalated": 0, "first": None, "last": None}
    return ReportData(totals, [], {d: [] for d in DIMENSIONS}, NO_STAGES, [], [], [], [], [])


def test_an_empty_database_gives_a_page_that_says_so() -> None:
    page = render(empty(), NOW)
    assert "no cases yet" in page
    assert page.count("No data yet") >= 4
    assert "<script" not in page


def test_figures_become_labelled_charts() -> None:
    data = empty()
    data.totals.update(cases=3, routed=3, first=NOW, last=NOW)
    data.daily = [
        {"day": "2026-04-01", "channel": "web", "n": 2},
        {"day": "2026-04-01", "channel": "email", "n": 1},
    ]
    data.by["office"] = [{"label": "liege", "n": 2}, {"label": "gent", "n": 1}]
    data.stages = {**NO_STAGES, "routed_p50": 0.8, "routed_p90": 12.0}
    data.workload = [
        {"label": "liege/first_line", "open": 2, "received": 2, "handled": 0, "capacity": None}
    ]
    data.models = [
        {
            "month": date(2026, 4, 1),
            "organisation_model": "polyvalent",
            "model_role": "legacy",
            "cases": 3,
            "median_received_to_routed_s": 0.8,
            "median_received_to_resolved_s": None,
            "escalation_rate": 0.0,
            "sla_met_rate": None,
        }
    ]
    page = render(data, NOW)
    assert "liege" in page
    assert "liege/first_line" in page
    assert "800 ms" in page
    assert "12 s" in page
    assert "Not measured yet: Routed → claimed (queue wait), Received → first response" in page
    assert "polyvalent (legacy)" in page


def test_durations_read_naturally() -> None:
    assert [charts.duration(s) for s in (0.85, 12, 270, 11520, 181440)] == [
        "850 ms",
        "12 s",
        "4.5 min",
        "3.2 h",
        "2.1 d",
    ]


def test_escalations_resolutions_and_the_staff_balance_are_charted() -> None:
    data = empty()
    data.totals.update(cases=4, routed=4, escalated=2, resolved=3, first=NOW, last=NOW)
    data.by["outcome"] = [{"label": "solved", "n": 2}, {"label": "answered", "n": 1}]
    data.stages = {**NO_STAGES, "resolved_p50": 5400.0, "resolved_p90": 86400.0}
    data.stages.update(admin_p50=3600.0, admin_p90=7200.0)
    data.escalations = [
        {"label": "liege", "model": "polyvalent", "rate": 0.5},
        {"label": "charleroi", "model": "specialised", "rate": 0.25},
    ]
    data.reasons = [{"label": "legal", "n": 1}, {"label": "complex_case", "n": 1}]
    data.staff = [
        {"label": "ann", "team": "first_line", "handled": 3, "open": 1},
        {"label": "sam", "team": "support", "handled": 2, "open": 0},
    ]
    page = render(data, NOW)
    for shown in ("Resolved cases per outcome", "solved", "Escalations per reason", "legal"):
        assert shown in page
    assert "50.0 %" in page  # Liège's escalation rate
    assert "1.5 h" in page  # median time to resolution
    assert "Resolved → administrative act done" in page
    assert "ann (first_line)" in page
    assert "sam (support)" in page
    assert "No escalation yet" not in page
