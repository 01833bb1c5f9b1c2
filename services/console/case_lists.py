"""A list of cases as the adviser's and the support screens show it: one page of it from
advisory's ``GET /cases``, and its rows alone, which the page's live update fetches from the
screen's ``/rows`` (the page decides when to show them)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from services.console.client import Api
from services.console.rendering import page
from services.console.session import Staff
from services.console.views import queue


async def one_page(
    request: Request,
    api: Api,
    lists: dict[str, queue.Listing],
    tab: str | None,
    cursor: str | None,
    search: str | None = None,
) -> tuple[queue.Listing, dict[str, Any]]:
    """The list the tab names (the screen's first by default) and one page of its cases."""
    chosen = queue.pick(lists, tab)
    size = request.app.state.settings.page_size
    body = await api.get(
        "advisory", "/cases", **chosen.filters, search=search, cursor=cursor, limit=size
    )
    return chosen, body


def rows(request: Request, staff: Staff, cases: list[dict[str, Any]]) -> Response:
    """The rows of a page of cases (layout/_rows.html), what the live update swaps in."""
    return page(
        request,
        staff,
        "layout/_rows.html",
        cases=cases,
        fingerprint=queue.fingerprint,
        can_claim=lambda row: queue.can_claim(row, staff.role),
    )
