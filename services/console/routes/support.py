"""The support team's screen: escalations routing matched to me (my skills and languages),
the support queue, and the cases I hold. Answering the adviser, taking over, resolving and
returning happen on the case screen."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.console.deps import ApiDep, StaffDep
from services.console.rendering import page
from services.console.translations import LANGUAGES
from services.console.views import queue

router = APIRouter()


def lists_for(me: str, language: str | None) -> dict[str, queue.Listing]:
    return queue.support_lists(me, language if language in LANGUAGES else None)


@router.get("/support")
async def support_screen(
    request: Request,
    staff: StaffDep,
    api: ApiDep,
    tab: str | None = None,
    language: str | None = None,
    cursor: str | None = None,
) -> Response:
    lists = lists_for(staff.subject, language)
    chosen = queue.pick(lists, tab)
    size = request.app.state.settings.page_size
    body = await api.get("advisory", "/cases", **chosen.filters, cursor=cursor, limit=size)
    return page(
        request,
        staff,
        "support/support.html",
        lists=lists,
        chosen=chosen,
        cases=body["cases"],
        next_cursor=body.get("next_cursor"),
        cursor=cursor or "",
        language=language or "",
        fingerprint=queue.fingerprint,
        can_claim=lambda row: queue.can_claim(row, staff.role),
        rows_url="/support/rows?" + request.url.query,
    )


@router.get("/support/rows")
async def support_rows(
    request: Request,
    staff: StaffDep,
    api: ApiDep,
    tab: str | None = None,
    language: str | None = None,
    cursor: str | None = None,
) -> Response:
    chosen = queue.pick(lists_for(staff.subject, language), tab)
    size = request.app.state.settings.page_size
    body = await api.get("advisory", "/cases", **chosen.filters, cursor=cursor, limit=size)
    return page(
        request,
        staff,
        "layout/_rows.html",
        cases=body["cases"],
        fingerprint=queue.fingerprint,
        can_claim=lambda row: queue.can_claim(row, staff.role),
    )
