"""Signing in and out, and the person's preferences (UI language, keyboard shortcuts).

Dev login: pick a demo user; the console mints the token the services accept. Production
login (OpenID Connect) lives beside it when configured."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from services.console import roster, session
from services.console.deps import FormChecked, StaffDep
from services.console.rendering import page
from services.console.screens import home_of
from services.console.translations import LANGUAGES
from shared.identity import Principal

router = APIRouter()


def safe_next(target: str | None) -> str | None:
    """Only a path of the console itself (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@router.get("/login")
async def login_page(request: Request, next: str | None = None, expired: bool = False) -> Response:
    settings = request.app.state.settings
    people: list[Principal] = []
    answered = True
    if settings.dev():
        people, answered = await roster.roster(request.app.state.services, settings)
    return page(
        request,
        None,
        "login/login.html",
        people=people,
        key=roster.key,
        routing_answered=answered,
        next=safe_next(next) or "",
        expired=expired,
    )


@router.post("/login")
async def login(
    request: Request,
    who: Annotated[str, Form()],
    lang: Annotated[str | None, Form()] = None,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    settings = request.app.state.settings
    if not settings.dev():
        return RedirectResponse("/login", status_code=303)
    people, _ = await roster.roster(request.app.state.services, settings)
    chosen = None
    for person in people:
        if roster.key(person) == who:
            chosen = person
            break
    if chosen is None:
        return page(
            request,
            None,
            "login/login.html",
            status_code=422,
            people=people,
            key=roster.key,
            routing_answered=True,
            next=safe_next(next) or "",
            expired=False,
            unknown=True,
        )
    session.sign_in(request, chosen, roster.mint(settings, chosen), lang)
    return RedirectResponse(safe_next(next) or home_of(chosen.role), status_code=303)


@router.post("/logout", dependencies=[FormChecked])
async def logout(request: Request) -> Response:
    session.sign_out(request)
    return RedirectResponse("/login", status_code=303)


@router.post("/preferences", dependencies=[FormChecked])
async def preferences(
    request: Request,
    staff: StaffDep,
    lang: Annotated[str | None, Form()] = None,
    shortcuts: Annotated[str | None, Form()] = None,
    back: Annotated[str | None, Form()] = None,
) -> Response:
    """The person's UI language and shortcuts (``shortcuts`` = on/off)."""
    switch = None if shortcuts is None else shortcuts == "on"
    session.set_preferences(request, lang if lang in LANGUAGES else None, switch)
    return RedirectResponse(safe_next(back) or home_of(staff.role), status_code=303)


@router.get("/")
async def home(request: Request) -> Response:
    staff = session.current(request)
    if staff is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(home_of(staff.role), status_code=303)


@router.get("/welcome")
async def welcome(request: Request, staff: StaffDep) -> Response:
    """For a role whose screens are not built yet."""
    return page(request, staff, "login/welcome.html")
