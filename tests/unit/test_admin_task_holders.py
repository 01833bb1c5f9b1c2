"""Administrative tasks are claimed and assigned, and are due by the act's business days: a
task opened by a resolution carries its due date; the team claims it, or it is assigned to a
named member (by the team or ops); then only its holder closes it. Old openings (v1) read with
no due date."""

from __future__ import annotations

import uuid
from datetime import datetime

import orjson
import pytest

from services.admin.decisions import AssignTask, ClaimTask, RejectTask, TaskCommand, decide
from services.admin.domain import TaskState, evolve, fold, task_opened
from services.admin.due_dates import DuePolicy, DueSettings, due_at
from shared.business_calendar import BRUSSELS, Calendar
from shared.codec import decode, encode
from shared.events import ADMIN_TASKS, AdminAct, AdminTaskOpened
from shared.identity import Principal, Role
from shared.refusals import Conflict, Forbidden
from tests.support.cases import ADA, ANN, OPS
from tests.unit.test_admin_tasks import resolution

ADELE = Principal("adele", Role.ADMIN_TEAM)
T_LATE = datetime.fromisoformat("2027-01-01T10:00+01:00")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BRUSSELS)


@pytest.mark.parametrize(
    ("opened", "days", "due"),
    [
        ("2026-12-04T10:00", 1, "2026-12-07T17:00"),  # Friday -> Monday's close
        ("2026-12-05T10:00", 1, "2026-12-07T17:00"),  # Saturday -> Monday's close too
        ("2026-12-04T10:00", 0, "2026-12-04T17:00"),  # the same day
        ("2026-12-04T18:00", 0, "2026-12-07T17:00"),  # after hours: the next open day
        ("2026-12-24T10:00", 1, "2026-12-28T17:00"),  # over Christmas
        ("2026-12-30T10:00", 2, "2027-01-04T17:00"),  # and New Year
        ("2026-12-01T10:00", 5, "2026-12-08T17:00"),
    ],
)
def test_an_act_is_due_at_the_close_of_the_nth_business_day(
    opened: str, days: int, due: str
) -> None:
    assert due_at(Calendar(), local(opened), days) == local(due)


def test_an_opening_carries_its_due_date_by_the_act_and_the_settings() -> None:
    resolved = resolution(AdminAct.PAYMENT)  # resolved Monday 2 March 2026, 10:00 Brussels
    default = task_opened(resolved)
    assert default is not None
    assert (default.schema_version, default.due_business_days) == (2, 3)
    assert default.due_at == local("2026-03-05T17:00")
    quicker = DueSettings(due_days={AdminAct.PAYMENT: 1}).policy()
    faster = task_opened(resolved, quicker)
    assert faster is not None
    assert faster.due_at == local("2026-03-03T17:00")
    assert faster.event_id == default.event_id  # the same opening: decided once, live
    state = fold(default.task_id, [default])
    assert state.due_at == default.due_at


def test_settings_refuse_an_absurd_number_of_days() -> None:
    with pytest.raises(ValueError, match="payment"):
        DueSettings(due_days={AdminAct.PAYMENT: 9999}).policy()
    assert DuePolicy().days_for(AdminAct.DIMONA_DECLARATION) == 1


def test_a_version_1_opening_reads_with_no_due_date() -> None:
    opened = task_opened(resolution())
    assert opened is not None
    raw = orjson.loads(encode(opened))
    old = {k: v for k, v in raw.items() if k not in ("due_at", "due_business_days")}
    read = decode(ADMIN_TASKS, orjson.dumps({**old, "schema_version": 1}))
    assert isinstance(read, AdminTaskOpened)
    assert (read.schema_version, read.due_at, read.due_business_days) == (2, None, None)


def opened() -> TaskState:
    event = task_opened(resolution())
    assert event is not None
    return fold(event.task_id, [event])


def step(state: TaskState, command: TaskCommand, actor: Principal) -> TaskState:
    return evolve(state, decide(state, command, actor, event_id=uuid.uuid4(), now=T_LATE))


def test_a_claimed_task_is_its_holders_to_close() -> None:
    # Given Ada claims the task
    state = step(opened(), ClaimTask(), ADA)
    assert state.assignee == "ada"
    # Then Adele can neither claim nor reject it
    for command in (ClaimTask(), RejectTask(note="missing annex")):
        with pytest.raises(Conflict) as refused:
            decide(state, command, ADELE, event_id=uuid.uuid4(), now=T_LATE)
        assert refused.value.code == "assigned_to_other"
    # And Ada claiming again is refused
    with pytest.raises(Conflict, match="already yours"):
        decide(state, ClaimTask(), ADA, event_id=uuid.uuid4(), now=T_LATE)
    # But once assigned to Adele (by ops), Adele rejects it
    state = step(state, AssignTask(assignee="adele"), OPS)
    assert state.assignee == "adele"
    event = decide(
        state, RejectTask(note="missing annex"), ADELE, event_id=uuid.uuid4(), now=T_LATE
    )
    assert event.type == "AdminTaskRejected"


@pytest.mark.parametrize(
    ("actor", "command", "refusal", "code"),
    [
        (ANN, ClaimTask(), Forbidden, "admin_team_only"),
        (OPS, ClaimTask(), Forbidden, "admin_team_only"),
        (ANN, AssignTask(assignee="ada"), Forbidden, "admin_team_only"),
        (ADA, AssignTask(assignee="ada"), None, None),
    ],
)
def test_who_claims_and_assigns(
    actor: Principal, command: TaskCommand, refusal: type[Exception] | None, code: str | None
) -> None:
    state = opened()
    if refusal is None:
        assert decide(state, command, actor, event_id=uuid.uuid4(), now=T_LATE).type == (
            "AdminTaskAssigned"
        )
        assigned = step(state, command, actor)
        with pytest.raises(Conflict, match="already"):
            decide(assigned, command, actor, event_id=uuid.uuid4(), now=T_LATE)
        return
    with pytest.raises(refusal) as refused:
        decide(state, command, actor, event_id=uuid.uuid4(), now=T_LATE)
    assert getattr(refused.value, "code", None) == code


def test_a_closed_task_is_neither_claimed_nor_assigned() -> None:
    state = step(opened(), RejectTask(note="missing annex"), ADA)
    for command in (ClaimTask(), AssignTask(assignee="adele")):
        with pytest.raises(Conflict) as refused:
            decide(state, command, ADA, event_id=uuid.uuid4(), now=T_LATE)
        assert refused.value.code == "task_closed"
