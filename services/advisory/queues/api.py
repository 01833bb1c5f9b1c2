"""The queues' routes: ``GET /cases`` (the listing) and ``GET /queues`` (the counts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from services.advisory import examples
from services.advisory.api import READERS, READS, own_office
from services.advisory.domain import Status
from services.advisory.queues import cursor, queries
from services.advisory.queues.views import CaseList, QueueCounts, QueueRow, counted
from shared.events import Language, Tier
from shared.http import MAX_AGE_MINUTES
from shared.identity import Principal
from shared.service import ServiceRuntime


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(tags=["cases"])
    holder = runtime.holder

    @api.get(
        "/cases", response_model=CaseList, responses={**READS, **examples.ok(examples.CASE_LIST)}
    )
    async def list_cases(
        actor: Annotated[Principal, Depends(READERS)],
        queue: Annotated[
            str | None, Query(description="Queue (desk), e.g. 'liege/first_line'.")
        ] = None,
        office: Annotated[str | None, Query(description="Office code.")] = None,
        tier: Annotated[Tier | None, Query(description="Team: first_line or support.")] = None,
        assignee: Annotated[str | None, Query(description="Staff id working the case.")] = None,
        routed_to: Annotated[
            str | None,
            Query(
                description="Staff id routing picked for the case: a support member's matched "
                "escalations, queued for them, are `tier=support&routed_to=<id>&state=queued`."
            ),
        ] = None,
        state: Annotated[list[Status] | None, Query(description="Any of these states.")] = None,
        language: Annotated[Language | None, Query(description="Member's language.")] = None,
        topic_family: Annotated[str | None, Query(description="Topic family code.")] = None,
        older_than_minutes: Annotated[
            int | None,
            Query(ge=0, le=MAX_AGE_MINUTES, description="Opened at least this long ago."),
        ] = None,
        member_id: Annotated[
            str | None, Query(max_length=64, description="The member's cases only.")
        ] = None,
        search: Annotated[
            str | None,
            Query(
                max_length=200,
                description="Words of the member's name or the subject, each matching the "
                "start of a word ('dup' finds 'Dupont'); every word must match.",
            ),
        ] = None,
        cursor_: Annotated[
            str | None,
            Query(alias="cursor", description="`next_cursor` of the previous page."),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000, description="At most this many.")] = 100,
    ) -> Response:
        """A queue: the cases of a team, desk, office, adviser or member, the soonest SLA due
        time first, then the oldest, a page at a time."""
        office = own_office(actor, office)
        before = None
        if older_than_minutes is not None:
            before = datetime.now(UTC) - timedelta(minutes=older_than_minutes)
        words = cursor.words(search) if search else []
        wanted = queries.Listing(
            filters={
                "queue": queue,
                "office": office,
                "tier": tier.value if tier else None,
                "assignee": assignee,
                "routed_to": routed_to,
                "statuses": [s.value for s in state] if state else None,
                "language": language.value if language else None,
                "topic_family": topic_family,
                "opened_before": before,
                "member_id": member_id,
                "search": cursor.tsquery(words) if words else None,
            },
            after=cursor.decode(cursor_) if cursor_ else None,
            limit=limit,
        )
        async with holder.require().acquire() as conn:
            rows = await queries.listing(conn, wanted)
        page = [QueueRow.of_row(r) for r in rows[:limit]]
        more = len(rows) > limit
        last = page[-1] if page and more else None
        following = None
        if last is not None:
            following = cursor.encode(
                cursor.position_of(last.sla_due_at, last.opened_at, last.case_id)
            )
        body = CaseList(cases=page, next_cursor=following)
        return JSONResponse(body.model_dump(mode="json"))

    @api.get(
        "/queues",
        response_model=QueueCounts,
        responses={**READS, **examples.ok(examples.QUEUE_COUNTS)},
    )
    async def queue_counts(
        actor: Annotated[Principal, Depends(READERS)],
        office: Annotated[str | None, Query(description="Office code.")] = None,
        tier: Annotated[Tier | None, Query(description="Team: first_line or support.")] = None,
    ) -> Response:
        """Open cases per queue: how many in each state, how many past their SLA due time,
        the soonest due time and the oldest case. Advisers and team leads: their office."""
        office = own_office(actor, office)
        async with holder.require().acquire() as conn:
            rows = await queries.counts(
                conn, office, tier.value if tier else None, datetime.now(UTC)
            )
        return JSONResponse(counted(list(rows)).model_dump(mode="json"))

    return api
