"""routing's HTTP API: ops and the administrative team read and change the organisation.
Every change is a fact on `organisation`, recorded with the projection in one transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import JSONResponse

from services.routing import organisation_queries as queries
from services.routing.handlers import OFFICE_LOCKS, office_lock_key
from services.routing.organisation_changes import (
    DefineDesk,
    RecordAbsence,
    SetAdviser,
    SetModel,
    absence_cancelled,
    absence_recorded,
    desk_defined,
    model_changed,
    profile_set,
)
from services.routing.organisation_store import apply
from services.routing.views import (
    AdviserList,
    AdviserView,
    ChangeRecorded,
    OfficeList,
    OfficeView,
    adviser_view,
    office_view,
)
from shared import faults, locks, outbox
from shared.auth import requires
from shared.db import Conn
from shared.events import ORGANISATION, Tier
from shared.http import AUTH_RESPONSES, VALIDATION_RESPONSE, Problem
from shared.identity import Principal, Role
from shared.organisation_events import OrganisationEvent
from shared.refusals import NotFound
from shared.service import ServiceRuntime

STAFF = requires(Role.OPS, Role.ADMIN_TEAM)
Staff = Annotated[Principal, Depends(STAFF)]
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
Decide = Callable[[Conn, datetime], Awaitable[OrganisationEvent]]


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(tags=["organisation"])
    holder, settings = runtime.holder, runtime.settings

    def known_office(office: str) -> None:
        if office not in settings.offices:
            raise NotFound("unknown_office", f"No office {office!r}.")

    async def record(lock: str, decide: Decide) -> Response:
        """Locks what changes (an office: the lock its routing decisions take), decides (pure,
        on what routing knows, at a time taken once the lock is held: a decision batch of the
        office is either before or after the change), applies the fact and puts it in the
        outbox, in one transaction."""
        async with holder.require().acquire() as conn, conn.transaction():
            await locks.lock_all(conn, OFFICE_LOCKS, [office_lock_key(lock)])
            fact = await decide(conn, datetime.now(UTC))
            await apply(conn, [fact])
            await outbox.enqueue(conn, [outbox.event_message(ORGANISATION, fact)])
            faults.point("http.recording")  # crash: the fact written, not committed
        faults.point("http.committed")  # crash: committed, not answered
        holder.on_commit()
        done = ChangeRecorded(
            event_id=fact.event_id,
            event_type=fact.type,
            absence_id=getattr(fact, "absence_id", None),
        )
        return JSONResponse(done.model_dump(mode="json"))

    async def office_of(conn: Conn, office: str) -> OfficeView:
        changes = await queries.model_changes(conn, office)
        return office_view(office, changes, await queries.desks(conn, office), datetime.now(UTC))

    @api.get("/offices", response_model=OfficeList, responses=READS)
    async def list_offices(actor: Staff) -> Response:
        """Every office: the model it routes with now, its model history, its desks."""
        async with holder.require().acquire() as conn:
            offices = [await office_of(conn, o) for o in settings.offices]
        return JSONResponse(OfficeList(offices=offices).model_dump(mode="json"))

    @api.get("/offices/{office}", response_model=OfficeView, responses=READS)
    async def get_office(office: OfficeCode, actor: Staff) -> Response:
        """One office: its model now, its model history (and scheduled changes), its desks."""
        known_office(office)
        async with holder.require().acquire() as conn:
            view = await office_of(conn, office)
        return JSONResponse(view.model_dump(mode="json"))

    @api.put("/offices/{office}/model", response_model=ChangeRecorded, responses=CHANGES)
    async def set_model(office: OfficeCode, change: SetModel, actor: Staff) -> Response:
        """Switch the office's organisation model, now or from a future instant: requests
        received from then on are routed by it; earlier cases keep their decision."""

        async def decide(conn: Conn, now: datetime) -> OrganisationEvent:
            known_office(office)
            return model_changed(office, change, actor, event_id=uuid4(), now=now)

        return await record(office, decide)

    @api.put("/offices/{office}/desks/{desk}", response_model=ChangeRecorded, responses=CHANGES)
    async def define_desk(
        office: OfficeCode, desk: DeskCode, change: DefineDesk, actor: Staff
    ) -> Response:
        """Create or redefine a desk (its kind and the topic families it takes)."""

        async def decide(conn: Conn, now: datetime) -> OrganisationEvent:
            known_office(office)
            families = settings.topic_families
            return desk_defined(office, desk, change, families, actor, event_id=uuid4(), now=now)

        return await record(office, decide)

    @api.get("/advisers", response_model=AdviserList, responses=READS)
    async def list_advisers(
        actor: Staff,
        office: Annotated[str | None, Query(description="Office code.")] = None,
        team: Annotated[Tier | None, Query(description="first_line or support.")] = None,
        desk: Annotated[str | None, Query(description="Desk code.")] = None,
    ) -> Response:
        """Advisers with their availability and open load now."""
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

        async def decide(conn: Conn, now: datetime) -> OrganisationEvent:
            known_office(change.office)
            desks = {d["desk"] for d in await queries.desks(conn, change.office)}
            return profile_set(
                adviser_id, change, desks, settings.topic_families, actor, event_id=uuid4(), now=now
            )

        return await record(f"adviser:{adviser_id}", decide)

    @api.post("/advisers/{adviser_id}/absences", response_model=ChangeRecorded, responses=CHANGES)
    async def record_absence(
        adviser_id: AdviserId, change: RecordAbsence, actor: Staff
    ) -> Response:
        """Record an absence: no case is routed to the adviser meanwhile."""

        async def decide(conn: Conn, now: datetime) -> OrganisationEvent:
            if not await queries.advisers(conn, now, adviser_id=adviser_id):
                raise NotFound("unknown_adviser", f"No adviser {adviser_id!r}.")
            return absence_recorded(
                adviser_id, change, actor, absence_id=uuid4(), event_id=uuid4(), now=now
            )

        return await record(f"adviser:{adviser_id}", decide)

    @api.delete(
        "/advisers/{adviser_id}/absences/{absence_id}",
        response_model=ChangeRecorded,
        responses=CHANGES,
    )
    async def cancel_absence(adviser_id: AdviserId, absence_id: UUID, actor: Staff) -> Response:
        """Cancel a recorded absence."""

        async def decide(conn: Conn, now: datetime) -> OrganisationEvent:
            found = await queries.absence(conn, absence_id)
            if found is None or found["adviser_id"] != adviser_id or found["cancelled"]:
                raise NotFound("unknown_absence", f"No absence {absence_id} to cancel.")
            return absence_cancelled(adviser_id, absence_id, actor, event_id=uuid4(), now=now)

        return await record(f"adviser:{adviser_id}", decide)

    return api
