"""The team lead's screen against a stub of the services: each adviser's load and absences in
words, recording and cancelling an absence, reassigning a case with the version seen, the
refusals in the person's words, in French and in Dutch, and the live rows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.advisory import examples
from services.console.views import team as team_view
from tests.support.console_client import csrf, posted, sign_in
from tests.support.console_stub import Stub

LEAD = "team_lead|lead-liege|liege"
ABSENCE = "22222222-7b6f-4e8a-9c0d-1f2e3d4c5b6a"

WORKLOAD = {
    "office": "liege",
    "team": "first_line",
    "advisers": [
        {
            "adviser_id": "liege-adv-02",
            "desk": None,
            "capacity": 4,
            "claimed": 4,
            "waiting": 1,
            "open_cases": 5,
            "away_until": None,
        },
        {
            "adviser_id": "liege-adv-01",
            "desk": None,
            "capacity": 10,
            "claimed": 2,
            "waiting": 0,
            "open_cases": 2,
            "away_until": None,
        },
        {
            "adviser_id": "liege-adv-03",
            "desk": None,
            "capacity": 10,
            "claimed": 0,
            "waiting": 0,
            "open_cases": 0,
            "away_until": "2026-12-05T17:00:00+00:00",
        },
    ],
}
ROSTER = {
    "advisers": [
        {
            "adviser_id": "liege-adv-03",
            "office": "liege",
            "team": "first_line",
            "active": True,
            "absences": [
                {
                    "absence_id": ABSENCE,
                    "starts_at": "2026-12-01T08:00:00+00:00",
                    "ends_at": "2026-12-05T17:00:00+00:00",
                }
            ],
        }
    ]
}


@pytest.fixture
def stub() -> Stub:
    s = Stub()
    s.answers[("GET", "/workload")] = (200, WORKLOAD)
    return s


def test_an_advisers_load_is_said_in_words() -> None:
    team = team_view.advisers(WORKLOAD, ROSTER)
    loads = {a.adviser_id: a.load for a in team}
    assert loads == {
        "liege-adv-01": team_view.Load.ROOM,
        "liege-adv-02": team_view.Load.OVER,
        "liege-adv-03": team_view.Load.AWAY,
    }
    assert team[2].absences[0]["absence_id"] == ABSENCE
    # A case goes to present colleagues, not back to its holder nor to someone away
    assert team_view.colleagues(team, "liege-adv-01") == ["liege-adv-02"]


def test_an_absence_form_becomes_brussels_times_and_needs_its_dates() -> None:
    who, body = team_view.absence_body(
        {"adviser": "liege-adv-01", "starts_at": "2026-07-01T09:00", "ends_at": "2026-07-02T09:00"}
    )
    assert who == "liege-adv-01"
    assert body["starts_at"] == "2026-07-01T09:00:00+02:00"  # summer time in Brussels
    assert "covered_by" not in body
    with pytest.raises(team_view.BadForm) as missing:
        team_view.absence_body({"adviser": "x", "starts_at": "soon", "ends_at": ""})
    assert missing.value.key == "team.dates_required"


def test_the_lead_sees_each_advisers_load_and_absences(client: TestClient, stub: Stub) -> None:
    stub.answers[("GET", "/advisers")] = (200, ROSTER)
    sign_in(client, LEAD)
    page = client.get("/team")
    assert page.status_code == 200, page.text
    assert 'id="nav-team"' in page.text
    assert "Au-delà de sa capacité" in page.text
    assert "5 sur 4" in page.text
    assert f"/absences/{ABSENCE}/cancel" in page.text
    asked = [r for m, p, _, r in stub.calls if p == "/workload"][-1]
    assert asked.url.params["office"] == "liege"


def test_the_lead_in_dutch(client: TestClient, stub: Stub) -> None:
    stub.answers[("GET", "/advisers")] = (200, ROSTER)
    sign_in(client, LEAD, "nl")
    page = client.get("/team")
    assert "Boven de capaciteit" in page.text
    assert "Een afwezigheid registreren" in page.text


def test_the_lead_reassigns_a_case_with_the_version_seen(client: TestClient, stub: Stub) -> None:
    stub.answers[("GET", "/advisers")] = (200, ROSTER)
    sign_in(client, LEAD)
    page = client.get("/team?adviser=liege-adv-02")
    assert f'id="reassign-{examples.CASE}"' in page.text
    token = csrf(page.text)
    answer = client.post(
        f"/team/cases/{examples.CASE}/reassign",
        data={
            "csrf": token,
            "to": "liege-adv-01",
            "reason": "Vacances.",
            "seen_version": "4",
            "back_adviser": "liege-adv-02",
        },
    )
    assert answer.status_code == 303, answer.text
    (call,) = [c for c in stub.calls if c[0] == "POST"]
    assert call[1:3] == (
        f"/cases/{examples.CASE}/reassign",
        {"to": "liege-adv-01", "reason": "Vacances."},
    )
    assert call[3].headers["If-Match"] == '"4"'


def test_a_stale_reassignment_says_what_changed(client: TestClient, stub: Stub) -> None:
    stub.answers[("GET", "/advisers")] = (200, ROSTER)
    stub.answers[("POST", f"/cases/{examples.CASE}/reassign")] = (409, examples.STALE_VERSION)
    sign_in(client, LEAD)
    token = csrf(client.get("/team").text)
    answer = client.post(
        f"/team/cases/{examples.CASE}/reassign",
        data={"csrf": token, "to": "liege-adv-01", "reason": "x", "seen_version": "4"},
    )
    assert answer.status_code == 409
    assert 'id="problem-changes"' in answer.text


def test_the_lead_records_and_cancels_an_absence(client: TestClient, stub: Stub) -> None:
    stub.answers[("GET", "/advisers")] = (200, ROSTER)
    sign_in(client, LEAD)
    token = csrf(client.get("/team").text)
    recorded = client.post(
        "/team/absences",
        data={
            "csrf": token,
            "adviser": "liege-adv-01",
            "starts_at": "2026-12-07T08:00",
            "ends_at": "2026-12-08T08:00",
            "covered_by": "liege-adv-02",
        },
    )
    assert (recorded.status_code, recorded.headers["location"]) == (303, "/team?done=absence")
    path = f"/advisers/liege-adv-03/absences/{ABSENCE}"
    stub.answers[("DELETE", path)] = (200, {"event_id": ABSENCE, "event_type": "x"})
    cancelled = client.post(
        f"/team/advisers/liege-adv-03/absences/{ABSENCE}/cancel", data={"csrf": token}
    )
    assert cancelled.status_code == 303
    (absence, cancel) = posted(stub)
    assert absence[1] == "/advisers/liege-adv-01/absences"
    assert absence[2]["starts_at"] == "2026-12-07T08:00:00+01:00"
    assert absence[2]["covered_by"] == "liege-adv-02"
    assert cancel[:2] == ("DELETE", f"/advisers/liege-adv-03/absences/{ABSENCE}")


def test_an_absence_that_ends_before_it_starts_is_refused_in_words(
    client: TestClient, stub: Stub
) -> None:
    stub.answers[("GET", "/advisers")] = (200, ROSTER)
    stub.refuse(
        "POST", "/advisers/liege-adv-01/absences", 422, "empty_absence", "An absence ends..."
    )
    sign_in(client, LEAD)
    token = csrf(client.get("/team").text)
    answer = client.post(
        "/team/absences",
        data={
            "csrf": token,
            "adviser": "liege-adv-01",
            "starts_at": "2026-12-08T08:00",
            "ends_at": "2026-12-07T08:00",
        },
    )
    assert answer.status_code == 422
    assert "Une absence doit se terminer après son début" in answer.text


def test_other_roles_do_not_see_these_screens_in_their_navigation(client: TestClient) -> None:
    sign_in(client, "adviser|liege-adv-01|liege")
    page = client.get("/queue")
    assert 'id="nav-tasks"' not in page.text
    assert 'id="nav-team"' not in page.text


def test_the_workload_updates_live_from_its_rows(client: TestClient, stub: Stub) -> None:
    stub.answers[("GET", "/advisers")] = (200, ROSTER)
    sign_in(client, LEAD)
    page = client.get("/team")
    assert 'data-rows-url="/team/rows?adviser="' in page.text
    rows = client.get("/team/rows")
    assert rows.status_code == 200
    assert "<html" not in rows.text
    assert f'data-id="liege-adv-03" data-v="0|0|10|2026-12-05T17:00:00+00:00|{ABSENCE}"' in (
        rows.text
    )
