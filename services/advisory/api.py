"""advisory's HTTP API: advisers and the support team work their queues here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from inspect import Parameter, Signature
from typing import Annotated, Any
from uuid import UUID, uuid4

import asyncpg
from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field

from services.advisory import (
    commands,
    decisions,
    examples,
    organisation_store,
    queries,
    request_store,
    task_store,
    versions,
)
from services.advisory.moves.kinds import Reassign, Release, Reopen, Transfer
from services.advisory.moves.known import Known
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
from shared.db import Conn
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
IF_MATCH = (
    'The case version you decided on: the ETag of GET /cases/{case_id} (e.g. `"7"`). If the '
    "case has changed since, the command is refused 409 `stale_version` with what changed, "
    "and nothing is recorded or sent. Optional: without it the command acts on the case as it "
    "is (services and scripts); the console always sends it."
)


class Change(BaseModel):
    version: int = Field(description="The case's version once this fact was added.")
    type: str = Field(description="The fact's type, e.g. 'ReplySent'.")
    actor: str = Field(description="Staff id (or service, or 'member') behind it.")
    occurred_at: AwareDatetime = Field(description="When.")
    summary: str = Field(description="The fact in words, e.g. 'liege-adv-05 replied to ...'.")


class StaleVersion(Problem):
    """A 409: the state does not allow the command, or (error `stale_version`) the case has
    changed since the version in If-Match; then the facts added since are listed."""

    seen_version: int | None = Field(None, description="stale_version: the version you sent.")
    version: int | None = Field(None, description="stale_version: the case's version now.")
    changes: list[Change] = Field(
        default_factory=list, description="stale_version: what happened since, oldest first."
    )


ETAG = {
    "ETag": {
        "description": 'The case\'s version, e.g. `"7"`: send it back as If-Match with a command.',
        "schema": {"type": "string"},
    }
}
REFUSALS: dict[int | str, dict[str, Any]] = {
    **READS,
    200: {"description": "Done: the fact and the case after it.", "headers": ETAG},
    409: {
        "model": StaleVersion,
        "description": "The case's state does not allow it (or unknown), or it changed since "
        "the version in If-Match (`stale_version`, with what changed).",
        "content": {"application/json": {"example": examples.STALE_VERSION}},
    },
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
    ("reopen", Reopen, MOVERS, "Reopen a resolved case (to its resolver, or its queue)."),
    ("release", Release, MOVERS, "Release a claimed case back to its queue."),
    ("reassign", Reassign, (*MOVERS, Role.OPS), "Give the case to a named colleague."),
    ("transfer", Transfer, MOVERS, "Transfer to another office, desk or topic family."),
]


def own_office(actor: Principal, office: str | None) -> str | None:
    """Advisers and team leads see their own office only."""
    if actor.role not in OFFICE_BOUND:
        return office
    if office not in (None, actor.office):
        raise Forbidden("other_office", f"Staff of {actor.office} see their own office.")
    return actor.office


async def case_in_reach(conn: Conn, case_id: UUID, actor: Principal) -> asyncpg.Record:
    """The case's row, if it exists and the caller may see it (their office's, for advisers
    and team leads)."""
    row = await queries.case(conn, case_id)
    if row is None:
        raise NotFound("not_found", f"No case {case_id} is known to advisory.")
    own_office(actor, row["office"])
    return row


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(tags=["cases"])
    holder = runtime.holder

    @api.get(
        "/cases/{case_id}",
        response_model=CaseDetail,
        responses={
            **READS,
            404: {"model": Problem, "description": "No such case."},
            200: {**examples.ok(examples.CASE_DETAIL)[200], "headers": ETAG},
        },
    )
    async def case_detail(case_id: UUID, actor: Annotated[Principal, Depends(READERS)]) -> Response:
        """A case: what the member asked, its administrative tasks and its full history."""
        async with holder.require().acquire() as conn:
            row = await case_in_reach(conn, case_id, actor)
            request = await request_store.of_case(conn, case_id)
            tasks = await task_store.of_case(conn, case_id)
            history = await queries.history(conn, case_id)
        body = CaseDetail(
            case=CaseView.of(row),
            request=RequestView.of(request) if request is not None else None,
            tasks=[TaskView.of(t) for t in tasks],
            history=[HistoryEntry.of(h) for h in history],
        )
        etag = versions.etag(body.case.version)
        return JSONResponse(body.model_dump(mode="json"), headers={"ETag": etag})

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
    configured = Known(
        offices=frozenset(settings.offices), topic_families=frozenset(settings.topic_families)
    )

    async def endpoint(
        case_id: UUID,
        actor: Principal,
        if_match: str | None = None,
        body: decisions.Command | None = None,
    ) -> Response:
        command = body if body is not None else model()
        seen = versions.seen(if_match)
        event, after = await commands.execute(
            runtime.holder,
            case_id,
            command,
            actor,
            event_id=uuid4(),
            now=datetime.now(UTC),
            configured=configured,
            seen=seen,
        )
        done = CommandDone(event_id=event.event_id, event_type=event.type, case=CaseView.of(after))
        etag = versions.etag(done.case.version)
        return JSONResponse(done.model_dump(mode="json"), headers={"ETag": etag})

    # What FastAPI reads: the command's model as the body, and the roles that may send it.
    params = [
        Parameter("case_id", Parameter.POSITIONAL_OR_KEYWORD, annotation=UUID),
        Parameter(
            "actor",
            Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[Principal, Depends(requires(*roles))],
        ),
        Parameter(
            "if_match",
            Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[str | None, Header(alias="If-Match", description=IF_MATCH)],
        ),
    ]
    if model.model_fields:
        params.append(Parameter("body", Parameter.KEYWORD_ONLY, annotation=model))
    endpoint.__signature__ = Signature(params, return_annotation=Response)  # type: ignore[attr-defined]
    return endpoint
