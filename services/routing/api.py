"""routing's HTTP API: ops and the administrative team read and change the organisation.
Every change is a fact on `organisation`, recorded with the projection in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import JSONResponse

from services.routing.organisation import commands, decisions, queries
from services.routing.organisation.decisions import (
    DefineDesk,
    RecordAbsence,
    SetAdviser,
    SetModel,
    SetShadow,
)
from services.routing.organisation.views import (
    AdviserList,
    AdviserView,
    ChangeRecorded,
    OfficeList,
    OfficeView,
    adviser_view,
    office_view,
)
from shared.auth import requires
from shared.db import Conn
from shared.events import Tier
from shared.http import AUTH_RESPONSES, VALIDATION_RESPONSE, Problem
from shared.identity import Principal, Role
from shared.organisation_events import OrganisationEvent
from shared.refusals import NotFound
from shared.service import ServiceRuntime

STAFF = requires(Role.OPS, Role.ADMIN_TEAM)
Staff = Annotated[Principal, Depends(STAFF)]
# Team leads read their office's advisers and record their absences.
Leads = Annotated[Principal, Depends(requires(Role.OPS, Role.ADMIN_TEAM, Role.TEAM_LEAD))]
READS: dict[int | str, dict[str, Any]] = {
    **VALIDATION_RESPONSE,
    **AUTH_RESPONSES,
    404: {"model": Problem, "description": "No such office, adviser or absence."},
}
CHANGES: dict[int | str, dict[str, Any]] = {
    **READS,
    409: {"model": Problem, "description": "The change does not fit the organisation."},
}
OfficeCode = Annotated[str, Path(description="Office code, e.g. 'namur'.")]
AdviserId = Annotated[
    str, Path(description="Adviser id.", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
]
DeskCode = Annotated[str, Path(description="Desk code.", pattern=r"^[a-z][a-z0-9_]{0,63}$")]


def recorded(fact: OrganisationEvent) -> Response:
    done = ChangeRecorded(
        event_id=fact.event_id, event_type=fact.type, absence_id=getattr(fact, "absence_id", None)
    )
    return JSONResponse(done.model_dump(mode="json"))


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(tags=["organisation"])
    holder, settings = runtime.holder, runtime.settings

    async def office_of(conn: Conn, office: str) -> OfficeView:
        changes = await queries.model_changes(conn, office)
        desks, shadow = await queries.desks(conn, office), await queries.shadow(conn, office)
        return office_view(office, changes, desks, datetime.now(UTC), shadow)

    @api.get("/offices", response_model=OfficeList, responses=READS)
    async def list_offices(actor: Staff) -> Response:
        """Every office: the model it routes with now, its model history, its desks."""
        async with holder.require().acquire() as conn:
            offices = [await office_of(conn, o) for o in settings.offices]
        return JSONResponse(OfficeList(offices=offices).model_dump(mode="json"))

    @api.get("/offices/{office}", response_model=OfficeView, responses=READS)
    async def get_office(office: OfficeCode, actor: Staff) -> Response:
        """One office: its model now, its model history (and scheduled changes), its desks."""
        decisions.known_office(office, settings.offices)
        async with holder.require().acquire() as conn:
            view = await office_of(conn, office)
        return JSONResponse(view.model_dump(mode="json"))

    @api.put("/offices/{office}/model", response_model=ChangeRecorded, responses=CHANGES)
    async def set_model(office: OfficeCode, change: SetModel, actor: Staff) -> Response:
        """Switch the office's organisation model, now or from a future instant: requests
        received from then on are routed by it; earlier cases keep their decision."""
        return recorded(await commands.set_model(holder, settings, office, change, actor))

    @api.put("/offices/{office}/shadow", response_model=ChangeRecorded, responses=CHANGES)
    async def set_shadow(office: OfficeCode, change: SetShadow, actor: Staff) -> Response:
        """Shadow the office's routing with a candidate model (null: stop): every new case is
        also decided by it, as a fact on `routed-shadow` that nobody acts on. Live routing is
        unchanged; `bi.shadow_routing` compares the two."""
        return recorded(await commands.set_shadow(holder, settings, office, change, actor))

    @api.put("/offices/{office}/desks/{desk}", response_model=ChangeRecorded, responses=CHANGES)
    async def define_desk(
        office: OfficeCode, desk: DeskCode, change: DefineDesk, actor: Staff
    ) -> Response:
        """Create or redefine a desk (its kind and the topic families it takes)."""
        return recorded(await commands.define_desk(holder, settings, office, desk, change, actor))

    @api.get("/advisers", response_model=AdviserList, responses=READS)
    async def list_advisers(
        actor: Leads,
        office: Annotated[str | None, Query(description="Office code.")] = None,
        team: Annotated[Tier | None, Query(description="first_line or support.")] = None,
        desk: Annotated[str | None, Query(description="Desk code.")] = None,
    ) -> Response:
        """Advisers with their availability and open load now (a team lead: of their office)."""
        if actor.role is Role.TEAM_LEAD:
            office = actor.office
        now = datetime.now(UTC)
        async with holder.require().acquire() as conn:
            rows = await queries.advisers(
                conn, now, office=office, team=team.value if team else None, desk=desk
            )
            away = await queries.absences(conn, [r["adviser_id"] for r in rows], now)
        views = [
            adviser_view(r, [a for a in away if a["adviser_id"] == r["adviser_id"]]) for r in rows
        ]
        return JSONResponse(AdviserList(advisers=views).model_dump(mode="json"))

    @api.get("/advisers/{adviser_id}", response_model=AdviserView, responses=READS)
    async def get_adviser(adviser_id: AdviserId, actor: Staff) -> Response:
        """One adviser, with their absences not over yet."""
        now = datetime.now(UTC)
        async with holder.require().acquire() as conn:
            rows = await queries.advisers(conn, now, adviser_id=adviser_id)
            if not rows:
                raise NotFound("unknown_adviser", f"No adviser {adviser_id!r}.")
            away = await queries.absences(conn, [adviser_id], now)
        return JSONResponse(adviser_view(rows[0], away).model_dump(mode="json"))

    @api.put("/advisers/{adviser_id}", response_model=ChangeRecorded, responses=CHANGES)
    async def set_adviser(adviser_id: AdviserId, change: SetAdviser, actor: Staff) -> Response:
        """Set an adviser's whole profile: join, move office or desk, languages, skills,
        capacity, or leave (active false)."""
        return recorded(await commands.set_adviser(holder, settings, adviser_id, change, actor))

    @api.post("/advisers/{adviser_id}/absences", response_model=ChangeRecorded, responses=CHANGES)
    async def record_absence(
        adviser_id: AdviserId, change: RecordAbsence, actor: Leads
    ) -> Response:
        """Record an absence: no case is routed to the adviser meanwhile, and advisory hands
        the open cases they hold back to their queues when it begins. Ops, the administrative
        team, and the team lead of the adviser's office (403 for another office's)."""
        return recorded(await commands.record_absence(holder, adviser_id, change, actor))

    @api.delete(
        "/advisers/{adviser_id}/absences/{absence_id}",
        response_model=ChangeRecorded,
        responses=CHANGES,
    )
    async def cancel_absence(adviser_id: AdviserId, absence_id: UUID, actor: Leads) -> Response:
        """Cancel a recorded absence (who may record it may cancel it)."""
        return recorded(await commands.cancel_absence(holder, adviser_id, absence_id, actor))

    return api
