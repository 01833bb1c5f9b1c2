"""The administrative team's screen against a stub of the services: the tasks by due date
with the due state in words, claim, complete, or reject with a reason, refusals in the
person's words, the live rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.advisory import examples
from services.console.views import tasks as tasks_view
from services.console.views.case import BadAction
from tests.support.console_client import csrf, posted, sign_in
from tests.support.console_stub import Stub

ADMIN = "admin_team|admin-1|"
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
TASK = "a3e5c2d1-7b6f-4e8a-9c0d-1f2e3d4c5b6a"
LATE = "11111111-7b6f-4e8a-9c0d-1f2e3d4c5b6a"


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


@pytest.fixture
def stub() -> Stub:
    s = Stub()
    soon = datetime.now(UTC) + timedelta(hours=3)
    s.answers[("GET", "/tasks")] = (
        200,
        {"tasks": [task(TASK, soon), task(LATE, datetime.now(UTC) - timedelta(days=1))]},
    )
    s.answers[("GET", f"/tasks/{TASK}")] = (200, {"task": task(TASK, soon), "history": []})
    return s


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


def test_the_task_list_updates_live_from_its_rows(client: TestClient) -> None:
    sign_in(client, ADMIN)
    page = client.get("/tasks", params={"act": "invoice_issue"})
    assert 'data-rows-url="/tasks/rows?tab=&amp;act=invoice_issue&amp;office="' in page.text
    rows = client.get("/tasks/rows", params={"act": "invoice_issue"})
    assert rows.status_code == 200
    assert "<html" not in rows.text
    assert f'data-id="{TASK}" data-v="open||' in rows.text
