"""Signing in and out, and the person's preferences (UI language, keyboard shortcuts).

Dev login: pick a demo user; the console mints the token the services accept. Production
login (OpenID Connect) lives beside it when configured."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from services.console import preferences, roster, session
from services.console.deps import FormChecked, StaffDep
from services.console.oidc_login import OidcLogin, console_url
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
async def login_page(
    request: Request, next: str | None = None, expired: bool = False, lang: str | None = None
) -> Response:
    """``?lang=nl``: the login page in Dutch (before anyone is known)."""
    settings = request.app.state.settings
    if lang in LANGUAGES:
        request.session["lang"] = lang
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
        oidc_login=request.app.state.oidc is not None,
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
    return signed_in(request, chosen, roster.mint(settings, chosen), lang, next)


def signed_in(
    request: Request, who: Principal, token: str, lang: str | None, next: str | None
) -> Response:
    """The session of a person the console now knows (dev login or the identity provider's):
    their saved language and shortcuts apply, unless they chose a language on the way in."""
    mine = preferences.of(request, who.subject)
    session.sign_in(request, who, token, lang if lang in LANGUAGES else mine.get("lang"))
    if "shortcuts" in mine:
        session.set_preferences(request, None, bool(mine["shortcuts"]))
    return RedirectResponse(safe_next(next) or home_of(who.role), status_code=303)


@router.post("/logout", dependencies=[FormChecked])
async def logout(request: Request) -> Response:
    """Signed out of the console; with the identity provider, of its session too (else the
    next login would sign the same person in without asking)."""
    session.sign_out(request)
    provider: OidcLogin | None = request.app.state.oidc
    back = console_url(request, "/login")
    target = await provider.logout_url(back) if provider is not None else None
    return RedirectResponse(target or "/login", status_code=303)


@router.post("/preferences", dependencies=[FormChecked])
async def change_preferences(
    request: Request,
    staff: StaffDep,
    lang: Annotated[str | None, Form()] = None,
    shortcuts: Annotated[str | None, Form()] = None,
    back: Annotated[str | None, Form()] = None,
) -> Response:
    """The person's UI language and shortcuts (``shortcuts`` = on/off)."""
    switch = None if shortcuts is None else shortcuts == "on"
    chosen = lang if lang in LANGUAGES else None
    session.set_preferences(request, chosen, switch)
    answer = RedirectResponse(safe_next(back) or home_of(staff.role), status_code=303)
    choices: dict[str, object] = {}
    if chosen:
        choices["lang"] = chosen
    if switch is not None:
        choices["shortcuts"] = switch
    preferences.save(request, answer, staff.subject, choices)
    return answer


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
