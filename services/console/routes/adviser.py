"""The adviser's screen: their office's queue (or one desk's) sorted by SLA due time, and the
cases they hold. ``/queue/rows`` is the same list as an HTML fragment, for the live update."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from services.console import case_lists
from services.console.deps import ApiDep, StaffDep
from services.console.rendering import page
from services.console.session import Staff
from services.console.views import queue

router = APIRouter()


class QueueQuery(BaseModel):
    """What the screen is asked, the same for the page and its rows: the rows must be those
    of the list the page shows."""

    tab: str | None = None
    queue_name: str | None = None
    search: str | None = None
    cursor: str | None = None


Asked = Annotated[QueueQuery, Query()]


def lists_for(staff: Staff, asked: QueueQuery) -> dict[str, queue.Listing]:
    return queue.adviser_lists(staff.subject, staff.office, asked.queue_name)


@router.get("/queue")
async def adviser_queue(request: Request, staff: StaffDep, api: ApiDep, asked: Asked) -> Response:
    lists = lists_for(staff, asked)
    # The list and the queue counts at once: the first paint waits for the slower, not both.
    (chosen, cases), counts = await asyncio.gather(
        case_lists.one_page(request, api, lists, asked.tab, asked.cursor, asked.search),
        api.get("advisory", "/queues", office=staff.office, tier="first_line"),
    )
    return page(
        request,
        staff,
        "adviser/queue.html",
        lists=lists,
        chosen=chosen,
        cases=cases["cases"],
        next_cursor=cases.get("next_cursor"),
        counts=counts["queues"],
        queue_name=asked.queue_name or "",
        search=asked.search or "",
        cursor=asked.cursor or "",
        fingerprint=queue.fingerprint,
        can_claim=lambda row: queue.can_claim(row, staff.role),
        rows_url="/queue/rows?" + request.url.query,
    )


@router.get("/queue/rows")
async def adviser_rows(request: Request, staff: StaffDep, api: ApiDep, asked: Asked) -> Response:
    """The rows of the same list, for the live update (the page decides when to show them)."""
    lists = lists_for(staff, asked)
    _, body = await case_lists.one_page(request, api, lists, asked.tab, asked.cursor, asked.search)
    return case_lists.rows(request, staff, body["cases"])
