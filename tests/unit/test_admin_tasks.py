"""admin's task state machine: a resolution needing an act opens one task; the team completes
or rejects it once; the rest is refused with a reason. Table-driven, then a property."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.admin.decisions import CloseTask, CompleteTask, RejectTask, decide
from services.admin.domain import TaskEvent, TaskState, TaskStatus, evolve, fold, task_opened
from shared.events import AdminAct, CaseResolved, Outcome, Tier
from shared.identity import Principal
from shared.refusals import Conflict, Forbidden
from tests.support.cases import ADA, ANN, OPS, SAM, T0

COMPLETE = CompleteTask(note="registered")
REJECT = RejectTask(note="the signed contract is missing")
ADELE = Principal("adele", ADA.role)


def resolution(act: AdminAct | None = AdminAct.CONTRACT_REGISTRATION) -> CaseResolved:
    case_id = uuid.uuid4()
    return CaseResolved(
        type="CaseResolved",
        schema_version=1,
        event_id=uuid.uuid4(),
        occurred_at=T0,
        case_id=case_id,
        member_id="M-100002",
        correlation_id=case_id,
        causation_id=None,
        producer="advisory",
        outcome=Outcome.SOLVED,
        admin_act=act,
        resolved_by="ann",
        tier=Tier.FIRST_LINE,
        office="liege",
        note="",
        resolved_at=T0,
    )


def opened_task() -> TaskState:
    opened = task_opened(resolution())
    assert opened is not None
    return fold(opened.task_id, [opened])


def closed(command: CloseTask) -> TaskState:
    state = opened_task()
    return evolve(state, decide(state, command, ADA, event_id=uuid.uuid4(), now=T0))


def test_a_resolution_with_an_act_opens_one_task_always_the_same() -> None:
    resolved = resolution(AdminAct.DIMONA_DECLARATION)
    first, again = task_opened(resolved), task_opened(resolved)
    assert first is not None
    assert first == again  # a redelivery or a rebuild decides the very same fact
    assert (first.act, first.office, first.causation_id) == (
        AdminAct.DIMONA_DECLARATION,
        "liege",
        resolved.event_id,
    )
    assert task_opened(resolution(act=None)) is None


@pytest.mark.parametrize(
    ("command", "event_type", "status"),
    [
        (COMPLETE, "AdminTaskCompleted", TaskStatus.COMPLETED),
        (REJECT, "AdminTaskRejected", TaskStatus.REJECTED),
    ],
)
def test_the_team_closes_an_open_task(
    command: CloseTask, event_type: str, status: TaskStatus
) -> None:
    state = opened_task()
    event = decide(state, command, ADA, event_id=uuid.uuid4(), now=T0 - timedelta(hours=1))
    assert event.type == event_type
    assert event.occurred_at > T0  # after the opening, even with a clock behind
    after = evolve(state, event)
    assert (after.status, after.closed_by) == (status, "ada")


REFUSED = [
    (
        "completing a completed task",
        lambda: closed(COMPLETE),
        ADA,
        COMPLETE,
        Conflict,
        "task_closed",
    ),
    (
        "rejecting a completed task",
        lambda: closed(COMPLETE),
        ADELE,
        REJECT,
        Conflict,
        "task_closed",
    ),
    ("completing a rejected task", lambda: closed(REJECT), ADA, COMPLETE, Conflict, "task_closed"),
    (
        "acting on an unknown task",
        lambda: TaskState(uuid.uuid4()),
        ADA,
        COMPLETE,
        Conflict,
        "unknown_task",
    ),
    ("an adviser completing", opened_task, ANN, COMPLETE, Forbidden, "admin_team_only"),
    ("support rejecting", opened_task, SAM, REJECT, Forbidden, "admin_team_only"),
    ("ops completing", opened_task, OPS, COMPLETE, Forbidden, "admin_team_only"),
]


@pytest.mark.parametrize(
    ("given", "actor", "command", "refusal", "code"),
    [r[1:] for r in REFUSED],
    ids=[r[0] for r in REFUSED],
)
def test_invalid_task_commands_are_refused(
    given: object, actor: Principal, command: CloseTask, refusal: type[Exception], code: str
) -> None:
    assert callable(given)
    state = given()
    with pytest.raises(refusal) as raised:
        decide(state, command, actor, event_id=uuid.uuid4(), now=T0)
    assert getattr(raised.value, "code", None) == code


def test_rejecting_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="at least 1 character"):
        RejectTask(note="")


@settings(max_examples=200, deadline=None)
@given(
    script=st.lists(
        st.tuples(st.sampled_from([ADA, ADELE, ANN, OPS]), st.sampled_from([COMPLETE, REJECT])),
        max_size=12,
    ),
    data=st.data(),
)
def test_a_task_is_closed_at_most_once_and_folds_the_same_in_any_order(
    script: list[tuple[Principal, CloseTask]], data: st.DataObject
) -> None:
    opened = task_opened(resolution())
    assert opened is not None
    history: list[TaskEvent] = [opened]
    state = fold(opened.task_id, history)
    for actor, command in script:
        try:
            event = decide(state, command, actor, event_id=uuid.uuid4(), now=T0)
        except (Conflict, Forbidden):
            continue
        history.append(event)
        state = evolve(state, event)
    assert len(history) <= 2  # opened, then at most one closing fact
    assert (state.status is TaskStatus.OPEN) == (len(history) == 1)
    assert fold(opened.task_id, data.draw(st.permutations(history))) == state
