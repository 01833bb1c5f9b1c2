"""What a route asks FastAPI for: the signed-in person, and the services as they call them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request

from services.console import session
from services.console.client import Api, Services
from services.console.session import LoginRequired, Staff


async def signed_in(request: Request) -> Staff:
    staff = session.current(request)
    if staff is None:
        raise LoginRequired()
    return staff


async def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


async def api(
    staff: Annotated[Staff, Depends(signed_in)], found: Annotated[Services, Depends(services)]
) -> Api:
    return found.bound(staff.token)


async def checked_form(request: Request, csrf: Annotated[str | None, Form()] = None) -> None:
    """Every POST form carries the session's CSRF token."""
    session.check_form(request, csrf)


StaffDep = Annotated[Staff, Depends(signed_in)]
ApiDep = Annotated[Api, Depends(api)]
FormChecked = Depends(checked_form)
