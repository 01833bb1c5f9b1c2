"""advisory's HTTP API: advisers and the support team work their queues here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from inspect import Parameter, Signature
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from services.advisory import (
    commands,
    decisions,
    examples,
    moves,
    organisation_store,
    queries,
    request_store,
    task_store,
)
from services.advisory.views import (
    AdviserLoad,
    CaseDetail,
    CaseView,
    CommandDone,
    RequestView,
    TaskView,
    Workload,
)
from shared.auth import requires
from shared.events import Tier
from shared.history import HistoryEntry
from shared.http import AUTH_RESPONSES, VALIDATION_RESPONSE, Problem
from shared.identity import OFFICE_BOUND, Principal, Role
from shared.refusals import Forbidden, Invalid, NotFound
from shared.service import ServiceRuntime

READERS = requires(Role.ADVISER, Role.SUPPORT, Role.OPS, Role.TEAM_LEAD)
WORKERS = (Role.ADVISER, Role.SUPPORT)
MOVERS = (*WORKERS, Role.TEAM_LEAD)  # team leads move their office's cases, not work them
LEADS = requires(Role.TEAM_LEAD, Role.OPS)  # who sees each adviser's workload
READS: dict[int | str, dict[str, Any]] = {**VALIDATION_RESPONSE, **AUTH_RESPONSES}
REFUSALS: dict[int | str, dict[str, Any]] = {
    **READS,
    409: {"model": Problem, "description": "The case's state does not allow it (or unknown)."},
}

# path, command, roles, summary
COMMANDS: list[tuple[str, type[decisions.Command], tuple[Role, ...], str]] = [
    ("claim", decisions.Claim, WORKERS, "Claim a queued case (one of concurrent claims wins)."),
    ("notes", decisions.AddNote, WORKERS, "Add an internal note."),
    ("replies", decisions.SendReply, WORKERS, "Record a reply to the member."),
    ("waiting", decisions.WaitOnMember, WORKERS, "Put the case on hold until the member answers."),
    ("waiting/end", decisions.EndWaiting, WORKERS, "Take the case back from waiting."),
    ("escalation", decisions.Escalate, (Role.ADVISER,), "Escalate to the support team."),
    ("resolution", decisions.Resolve, WORKERS, "Resolve, naming any administrative act needed."),
    ("return", decisions.ReturnToAdviser, (Role.SUPPORT,), "Return an escalated case."),
    ("reopen", moves.Reopen, MOVERS, "Reopen a resolved case (to its resolver, or its queue)."),
    ("release", moves.Release, MOVERS, "Release a claimed case back to its queue."),
    ("reassign", moves.Reassign, (*MOVERS, Role.OPS), "Give the case to a named colleague."),
    ("transfer", moves.Transfer, MOVERS, "Transfer to another office, desk or topic family."),
]


def own_office(actor: Principal, office: str | None) -> str | None:
    """Advisers and team leads see their own office only."""
    if actor.role not in OFFICE_BOUND:
        return office
    if office not in (None, actor.office):
        raise Forbidden("other_office", f"Staff of {actor.office} see their own office.")
    return actor.office


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(tags=["cases"])
    holder = runtime.holder

    @api.get(
        "/cases/{case_id}",
        response_model=CaseDetail,
        responses={
            **READS,
            404: {"model": Problem, "description": "No such case."},
            **examples.ok(examples.CASE_DETAIL),
        },
    )
    async def case_detail(case_id: UUID, actor: Annotated[Principal, Depends(READERS)]) -> Response:
        """A case: what the member asked, its administrative tasks and its full history."""
        async with holder.require().acquire() as conn:
            row = await queries.case(conn, case_id)
            if row is None:
                raise NotFound("not_found", f"No case {case_id} is known to advisory.")
            own_office(actor, row["office"])
            request = await request_store.of_case(conn, case_id)
            tasks = await task_store.of_case(conn, case_id)
            history = await queries.history(conn, case_id)
        body = CaseDetail(
            case=CaseView.of(row),
            request=RequestView.of(request) if request is not None else None,
            tasks=[TaskView.of(t) for t in tasks],
            history=[HistoryEntry.of(h) for h in history],
        )
        return JSONResponse(body.model_dump(mode="json"))

    @api.get("/workload", response_model=Workload, responses=READS)
    async def workload(
        actor: Annotated[Principal, Depends(LEADS)],
        office: Annotated[
            str | None, Query(description="Office code (a team lead's own by default).")
        ] = None,
        team: Annotated[Tier, Query(description="first_line or support.")] = Tier.FIRST_LINE,
    ) -> Response:
        """Each adviser's workload: the open cases they hold (claimed, waiting on the member),
        their capacity, and until when they are away."""
        office = own_office(actor, office)
        if office is None:
            raise Invalid("office_required", "Name the office whose workload you want.")
        async with holder.require().acquire() as conn:
            rows = await organisation_store.workload(conn, office, team, datetime.now(UTC))
        body = Workload(office=office, team=team, advisers=[AdviserLoad.of(r) for r in rows])
        return JSONResponse(body.model_dump(mode="json"))

    for path, model, roles, summary in COMMANDS:
        api.post(
            f"/cases/{{case_id}}/{path}",
            response_model=CommandDone,
            responses=REFUSALS,
            summary=summary,
            description=model.__doc__ or "",
            name=f"case_{path.replace('/', '_')}",
        )(command_endpoint(runtime, model, roles))
    return api


def command_endpoint(
    runtime: ServiceRuntime, model: type[decisions.Command], roles: tuple[Role, ...]
) -> Callable[..., Awaitable[Response]]:
    """The endpoint of one command: the body is the command (none for a claim)."""
    settings = runtime.settings
    configured = moves.Known(
        offices=frozenset(settings.offices), topic_families=frozenset(settings.topic_families)
    )

    async def endpoint(
        case_id: UUID, actor: Principal, body: decisions.Command | None = None
    ) -> Response:
        command = body if body is not None else model()
        event, after = await commands.execute(
            runtime.holder,
            case_id,
            command,
            actor,
            event_id=uuid4(),
            now=datetime.now(UTC),
            configured=configured,
        )
        done = CommandDone(event_id=event.event_id, event_type=event.type, case=CaseView.of(after))
        return JSONResponse(done.model_dump(mode="json"))

    # What FastAPI reads: the command's model as the body, and the roles that may send it.
    params = [
        Parameter("case_id", Parameter.POSITIONAL_OR_KEYWORD, annotation=UUID),
        Parameter(
            "actor",
            Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[Principal, Depends(requires(*roles))],
        ),
    ]
    if model.model_fields:
        params.append(Parameter("body", Parameter.POSITIONAL_OR_KEYWORD, annotation=model))
    endpoint.__signature__ = Signature(params, return_annotation=Response)  # type: ignore[attr-defined]
    return endpoint
