"""Changes to the organisation asked over routing's API, run by shared.commands in one
transaction: lock what changes (an office, with the lock its routing decisions take, or an
adviser), read what the change is checked against, decide (services.routing.organisation
.decisions, pure) at a time read once the lock is held (a decision batch of the office is
either before or after the change), apply the fact to the organisation tables and put it in
the outbox. A refusal (shared.refusals) records nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID, uuid4

from services.routing.organisation import decisions, queries, store
from services.routing.organisation.decisions import (
    DefineDesk,
    RecordAbsence,
    SetAdviser,
    SetModel,
    SetShadow,
)
from services.routing.organisation.model import OFFICE_LOCKS, office_lock_key
from shared import commands
from shared.db import Conn, PoolHolder
from shared.events import ORGANISATION
from shared.identity import Principal
from shared.organisation_events import OrganisationEvent
from shared.refusals import NotFound
from shared.settings import Settings

StateT = TypeVar("StateT")


async def _apply(conn: Conn, facts: list[OrganisationEvent], _traces: commands.Traces) -> None:
    # Organisation facts keep no trace of their own: nothing to store with them.
    await store.apply(conn, facts)


def _topic(_fact: OrganisationEvent) -> str:
    return ORGANISATION


FACTS = commands.Subject[OrganisationEvent](lock_space=OFFICE_LOCKS, record=_apply, topic_of=_topic)


async def _nothing(_conn: Conn) -> None:
    """A change checked against nothing stored (only against the configuration)."""


async def _run(
    holder: PoolHolder,
    lock: str,
    load: Callable[[Conn], Awaitable[StateT]],
    decide: Callable[[StateT, datetime], OrganisationEvent],
    name: str,
) -> OrganisationEvent:
    fact, _ = await commands.execute(
        holder, FACTS, office_lock_key(lock), load, decide, name=f"{name} change"
    )
    return fact


async def set_model(
    holder: PoolHolder, settings: Settings, office: str, change: SetModel, actor: Principal
) -> OrganisationEvent:
    decisions.known_office(office, settings.offices)

    def decide(_: None, now: datetime) -> OrganisationEvent:
        return decisions.model_changed(office, change, actor, event_id=uuid4(), now=now)

    return await _run(holder, office, _nothing, decide, "SetModel")


async def set_shadow(
    holder: PoolHolder, settings: Settings, office: str, change: SetShadow, actor: Principal
) -> OrganisationEvent:
    decisions.known_office(office, settings.offices)

    def decide(_: None, now: datetime) -> OrganisationEvent:
        return decisions.shadow_set(office, change, actor, event_id=uuid4(), now=now)

    return await _run(holder, office, _nothing, decide, "SetShadow")


async def define_desk(
    holder: PoolHolder,
    settings: Settings,
    office: str,
    desk: str,
    change: DefineDesk,
    actor: Principal,
) -> OrganisationEvent:
    decisions.known_office(office, settings.offices)
    families = settings.topic_families

    def decide(_: None, now: datetime) -> OrganisationEvent:
        return decisions.desk_defined(
            office, desk, change, families, actor, event_id=uuid4(), now=now
        )

    return await _run(holder, office, _nothing, decide, "DefineDesk")


async def set_adviser(
    holder: PoolHolder, settings: Settings, adviser_id: str, change: SetAdviser, actor: Principal
) -> OrganisationEvent:
    decisions.known_office(change.office, settings.offices)

    async def desks(conn: Conn) -> set[str]:
        """The desks of the adviser's (new) office."""
        return {d["desk"] for d in await queries.desks(conn, change.office)}

    def decide(office_desks: set[str], now: datetime) -> OrganisationEvent:
        families = settings.topic_families
        return decisions.profile_set(
            adviser_id, change, office_desks, families, actor, event_id=uuid4(), now=now
        )

    return await _run(holder, f"adviser:{adviser_id}", desks, decide, "SetAdviser")


async def record_absence(
    holder: PoolHolder, adviser_id: str, change: RecordAbsence, actor: Principal
) -> OrganisationEvent:
    async def known_adviser(conn: Conn) -> None:
        found = await queries.advisers(conn, datetime.now(UTC), adviser_id=adviser_id)
        if not found:
            raise NotFound("unknown_adviser", f"No adviser {adviser_id!r}.")
        decisions.may_manage_absences(actor, found[0]["office"])
        if change.covered_by is not None:
            cover = await queries.advisers(conn, datetime.now(UTC), adviser_id=change.covered_by)
            decisions.may_cover(dict(found[0]), dict(cover[0]) if cover else None)

    def decide(_: None, now: datetime) -> OrganisationEvent:
        return decisions.absence_recorded(
            adviser_id, change, actor, absence_id=uuid4(), event_id=uuid4(), now=now
        )

    return await _run(holder, f"adviser:{adviser_id}", known_adviser, decide, "RecordAbsence")


async def cancel_absence(
    holder: PoolHolder, adviser_id: str, absence_id: UUID, actor: Principal
) -> OrganisationEvent:
    async def open_absence(conn: Conn) -> None:
        found = await queries.absence(conn, absence_id)
        if found is None or found["adviser_id"] != adviser_id or found["cancelled"]:
            raise NotFound("unknown_absence", f"No absence {absence_id} to cancel.")
        adviser = await queries.advisers(conn, datetime.now(UTC), adviser_id=adviser_id)
        decisions.may_manage_absences(actor, adviser[0]["office"] if adviser else "")

    def decide(_: None, now: datetime) -> OrganisationEvent:
        return decisions.absence_cancelled(adviser_id, absence_id, actor, event_id=uuid4(), now=now)

    return await _run(holder, f"adviser:{adviser_id}", open_absence, decide, "CancelAbsence")
