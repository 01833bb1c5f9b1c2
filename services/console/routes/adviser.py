"""The adviser's screen: their office's queue (or one desk's) sorted by SLA due time, and the
cases they hold. ``/queue/rows`` is the same list as an HTML fragment, for the live update."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.console.client import Api
from services.console.deps import ApiDep, StaffDep
from services.console.rendering import page
from services.console.views import queue

router = APIRouter()


async def listing(
    request: Request,
    api: Api,
    lists: dict[str, queue.Listing],
    wanted: str | None,
    cursor: str | None,
    search: str | None,
) -> tuple[queue.Listing, dict[str, Any]]:
    chosen = queue.pick(lists, wanted)
    size = request.app.state.settings.page_size
    body = await api.get(
        "advisory", "/cases", **chosen.filters, search=search, cursor=cursor, limit=size
    )
    return chosen, body


@router.get("/queue")
async def adviser_queue(
    request: Request,
    staff: StaffDep,
    api: ApiDep,
    tab: str | None = None,
    queue_name: str | None = None,
    search: str | None = None,
    cursor: str | None = None,
) -> Response:
    lists = queue.adviser_lists(staff.subject, staff.office, queue_name)
    # The list and the queue counts at once: the first paint waits for the slower, not both.
    (chosen, cases), counts = await asyncio.gather(
        listing(request, api, lists, tab, cursor, search),
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
        queue_name=queue_name or "",
        search=search or "",
        cursor=cursor or "",
        fingerprint=queue.fingerprint,
        can_claim=lambda row: queue.can_claim(row, staff.role),
        rows_url="/queue/rows?" + request.url.query,
    )


@router.get("/queue/rows")
async def adviser_rows(
    request: Request,
    staff: StaffDep,
    api: ApiDep,
    tab: str | None = None,
    queue_name: str | None = None,
    search: str | None = None,
    cursor: str | None = None,
) -> Response:
    """The rows of the same list, for the live update (the page decides when to show them)."""
    lists = queue.adviser_lists(staff.subject, staff.office, queue_name)
    chosen, body = await listing(request, api, lists, tab, cursor, search)
    return page(
        request,
        staff,
        "layout/_rows.html",
        chosen=chosen,
        cases=body["cases"],
        fingerprint=queue.fingerprint,
        can_claim=lambda row: queue.can_claim(row, staff.role),
    )
