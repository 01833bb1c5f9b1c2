"""The support team's screen: escalations routing matched to me (my skills and languages),
the support queue, and the cases I hold. Answering the adviser, taking over, resolving and
returning happen on the case screen. ``/support/rows`` is the same list as an HTML fragment,
for the live update."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from services.console import case_lists
from services.console.deps import ApiDep, StaffDep
from services.console.rendering import page
from services.console.session import Staff
from services.console.translations import LANGUAGES
from services.console.views import queue

router = APIRouter()


class SupportQuery(BaseModel):
    """What the screen is asked, the same for the page and its rows: the rows must be those
    of the list the page shows."""

    tab: str | None = None
    language: str | None = None
    cursor: str | None = None


Asked = Annotated[SupportQuery, Query()]


def lists_for(staff: Staff, asked: SupportQuery) -> dict[str, queue.Listing]:
    language = asked.language if asked.language in LANGUAGES else None
    return queue.support_lists(staff.subject, language)


@router.get("/support")
async def support_screen(request: Request, staff: StaffDep, api: ApiDep, asked: Asked) -> Response:
    lists = lists_for(staff, asked)
    chosen, body = await case_lists.one_page(request, api, lists, asked.tab, asked.cursor)
    return page(
        request,
        staff,
        "support/support.html",
        lists=lists,
        chosen=chosen,
        cases=body["cases"],
        next_cursor=body.get("next_cursor"),
        cursor=asked.cursor or "",
        language=asked.language or "",
        fingerprint=queue.fingerprint,
        can_claim=lambda row: queue.can_claim(row, staff.role),
        rows_url="/support/rows?" + request.url.query,
    )


@router.get("/support/rows")
async def support_rows(request: Request, staff: StaffDep, api: ApiDep, asked: Asked) -> Response:
    """The rows of the same list, for the live update (the page decides when to show them)."""
    _, body = await case_lists.one_page(
        request, api, lists_for(staff, asked), asked.tab, asked.cursor
    )
    return case_lists.rows(request, staff, body["cases"])
