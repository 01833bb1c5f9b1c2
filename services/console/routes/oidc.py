"""The production login (OpenID Connect, authorization code with PKCE): to the identity
provider and back (services/console/oidc_login.py says what is checked). Present only when
the console has a provider (always outside dev); the dev login (routes/login.py) stays dev's."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from services.console.oidc_login import PENDING_KEY, LoginFailed, OidcLogin, Pending, console_url
from services.console.rendering import page
from services.console.routes.login import safe_next, signed_in
from services.console.session import language

log = logging.getLogger(__name__)
router = APIRouter()


def redirect_uri(request: Request) -> str:
    """Where the provider sends the person back (registered with the provider)."""
    return console_url(request, "/login/callback")


def flow(request: Request) -> OidcLogin | None:
    found: OidcLogin | None = request.app.state.oidc
    return found


@router.get("/login/oidc")
async def oidc_begin(request: Request, next: str | None = None) -> Response:
    login = flow(request)
    if login is None:
        return RedirectResponse("/login", status_code=303)
    pending = Pending.fresh(safe_next(next) or "")
    try:
        target = await login.begin(pending, redirect_uri(request), language(request))
    except LoginFailed as failed:
        return refused(request, failed)
    request.session[PENDING_KEY] = pending.as_session()
    return RedirectResponse(target, status_code=303)


@router.get("/login/callback")
async def oidc_callback(
    request: Request, state: str = "", code: str = "", error: str | None = None
) -> Response:
    login = flow(request)
    if login is None:
        return RedirectResponse("/login", status_code=303)
    # One use: a callback replayed, or sent to another browser, finds nothing pending
    pending = Pending.from_session(request.session.pop(PENDING_KEY, None))
    try:
        if error is not None or not code:
            raise LoginFailed("login.oidc_refused", error or "no code")
        if pending is None:
            raise LoginFailed("login.oidc_state", "no login pending in this browser")
        who, token = await login.finish(pending, state, code, redirect_uri(request))
    except LoginFailed as failed:
        return refused(request, failed)
    return signed_in(request, who, token, None, pending.next)


def refused(request: Request, failed: LoginFailed) -> Response:
    """The login page again, saying in the person's words why they are not signed in (the
    details, for whoever runs the console, in its log)."""
    log.warning("a login through the identity provider failed: %s", failed)
    return page(
        request,
        None,
        "login/login.html",
        status_code=400,
        people=[],
        next="",
        expired=False,
        oidc_login=True,
        failure=failed.reason,
    )
