"""The administrative team's and the team lead's screens against a stub of the services: what
they show (due dates, workload, absences, in words), what they send (claim, complete, reject
with a reason; record and cancel an absence; reassign with the case version seen), and
refusals in the person's words, in French and in Dutch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.advisory import examples
from services.console.views import tasks as tasks_view
from services.console.views import team as team_view
from services.console.views.case import BadAction
from tests.support.console_stub import Stub, console

ADMIN = "admin_team|admin-1|"
LEAD = "team_lead|lead-liege|liege"
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
TASK = "a3e5c2d1-7b6f-4e8a-9c0d-1f2e3d4c5b6a"
LATE = "11111111-7b6f-4e8a-9c0d-1f2e3d4c5b6a"
ABSENCE = "22222222-7b6f-4e8a-9c0d-1f2e3d4c5b6a"


def task(task_id: str, due: datetime | None, **more: Any) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "case_id": str(examples.PAST_CASE),
        "member_id": "M-004217",
        "status": "open",
        "act": "invoice_issue",
        "office": "liege",
        "opened_at": "2026-12-01T09:00:00+00:00",
        "closed_at": None,
        "closed_by": None,
        "assignee": None,
        "due_at": due.isoformat() if due else None,
        **more,
    }


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
    soon = datetime.now(UTC) + timedelta(hours=3)
    s.answers[("GET", "/tasks")] = (
        200,
        {"tasks": [task(TASK, soon), task(LATE, datetime.now(UTC) - timedelta(days=1))]},
    )
    s.answers[("GET", f"/tasks/{TASK}")] = (200, {"task": task(TASK, soon), "history": []})
    s.answers[("GET", "/workload")] = (200, WORKLOAD)
    return s


@pytest.fixture
def client(stub: Stub) -> Iterator[TestClient]:
    with TestClient(console(stub), follow_redirects=False) as c:
        yield c


def sign_in(client: TestClient, who: str, lang: str = "fr") -> None:
    answer = client.post("/login", data={"who": who, "lang": lang})
    assert answer.status_code == 303, answer.text


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def posted(stub: Stub) -> list[tuple[str, str, Any]]:
    return [(m, p, b) for m, p, b, _ in stub.calls if m in ("POST", "DELETE")]


# --- pure decisions ---------------------------------------------------------------------------


def test_a_tasks_due_state_is_said_from_its_due_date_and_status() -> None:
    assert tasks_view.due(task(TASK, NOW - timedelta(minutes=1)), NOW) is tasks_view.Due.OVERDUE
    assert tasks_view.due(task(TASK, NOW + timedelta(hours=5)), NOW) is tasks_view.Due.SOON
    assert tasks_view.due(task(TASK, NOW + timedelta(days=3)), NOW) is tasks_view.Due.LATER
    assert tasks_view.due(task(TASK, None), NOW) is tasks_view.Due.UNKNOWN
    closed = task(TASK, NOW - timedelta(days=1), status="completed")
    assert tasks_view.due(closed, NOW) is tasks_view.Due.CLOSED


def test_tasks_are_listed_soonest_due_first_undated_last() -> None:
    listed = [
        task("c", None),
        task("b", NOW + timedelta(days=2)),
        task("a", NOW + timedelta(hours=1)),
    ]
    assert [t["task_id"] for t in tasks_view.by_due_date(listed)] == ["a", "b", "c"]


def test_who_may_do_what_with_a_task() -> None:
    assert tasks_view.allowed(task(TASK, NOW), "admin-1") == ("claim", "complete", "reject")
    assert tasks_view.allowed(task(TASK, NOW, assignee="admin-1"), "admin-1") == (
        "complete",
        "reject",
    )
    assert tasks_view.allowed(task(TASK, NOW, assignee="admin-2"), "admin-1") == ()
    assert tasks_view.allowed(task(TASK, NOW, status="rejected"), "admin-1") == ()


def test_the_filters_keep_known_acts_only_and_mine_asks_for_me() -> None:
    asked = tasks_view.filters(tasks_view.tab("mine"), "admin-1", "bogus", " Liege ")
    assert asked["assignee"] == "admin-1"
    assert asked["act"] is None
    assert asked["office"] == "liege"
    assert tasks_view.filters(tasks_view.tab("closed"), "a", None, None)["status"] == [
        "completed",
        "rejected",
    ]


def test_a_rejection_needs_a_reason_a_completion_does_not() -> None:
    assert tasks_view.command_body("complete", {"note": ""}) == {"note": ""}
    with pytest.raises(BadAction, match="reason"):
        tasks_view.command_body("reject", {"note": "  "})


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


# --- the administrative team's screen ---------------------------------------------------------


def test_the_team_sees_tasks_soonest_due_first_with_the_due_state_in_words(
    client: TestClient,
) -> None:
    sign_in(client, ADMIN)
    page = client.get("/tasks")
    assert page.status_code == 200, page.text
    assert 'id="nav-tasks"' in page.text
    assert page.text.index(LATE) < page.text.index(TASK)  # overdue first
    assert "En retard" in page.text
    assert "Dans les 24 heures" in page.text
    assert "Émission de la facture" in page.text


def test_the_team_completes_and_rejects_with_a_reason(client: TestClient, stub: Stub) -> None:
    sign_in(client, ADMIN)
    token = csrf(client.get(f"/tasks/{TASK}").text)
    done = client.post(f"/tasks/{TASK}/complete", data={"csrf": token, "note": "Fait."})
    assert (done.status_code, done.headers["location"]) == (303, f"/tasks/{TASK}?done=complete")
    rejected = client.post(f"/tasks/{TASK}/reject", data={"csrf": token, "note": "No contract."})
    assert rejected.status_code == 303
    assert posted(stub) == [
        ("POST", f"/tasks/{TASK}/completion", {"note": "Fait."}),
        ("POST", f"/tasks/{TASK}/rejection", {"note": "No contract."}),
    ]


def test_a_rejection_without_reason_is_not_sent_and_says_why(
    client: TestClient, stub: Stub
) -> None:
    sign_in(client, ADMIN, "nl")
    token = csrf(client.get(f"/tasks/{TASK}").text)
    answer = client.post(f"/tasks/{TASK}/reject", data={"csrf": token, "note": " "})
    assert answer.status_code == 422
    assert "Zeg waarom de handeling niet uitgevoerd kan worden" in answer.text
    assert posted(stub) == []


def test_a_task_someone_closed_first_is_refused_in_words(client: TestClient, stub: Stub) -> None:
    stub.refuse(
        "POST", f"/tasks/{TASK}/completion", 409, "task_closed", "The task is already rejected."
    )
    sign_in(client, ADMIN)
    token = csrf(client.get(f"/tasks/{TASK}").text)
    answer = client.post(f"/tasks/{TASK}/complete", data={"csrf": token, "note": "Fait."})
    assert answer.status_code == 409
    assert "Cette tâche est déjà clôturée" in answer.text
    assert "Fait." in answer.text  # what was typed is kept


# --- the team lead's screen -------------------------------------------------------------------


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


def test_the_task_list_updates_live_from_its_rows(client: TestClient) -> None:
    sign_in(client, ADMIN)
    page = client.get("/tasks", params={"act": "invoice_issue"})
    assert 'data-rows-url="/tasks/rows?tab=&amp;act=invoice_issue&amp;office="' in page.text
    rows = client.get("/tasks/rows", params={"act": "invoice_issue"})
    assert rows.status_code == 200
    assert "<html" not in rows.text
    assert f'data-id="{TASK}" data-v="open||' in rows.text


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
