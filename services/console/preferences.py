"""Each person's UI language and shortcut choice, kept in the browser between sessions.

The console keeps no state of its own, so a person's preferences live in a long-lived signed
cookie (``relais_console_prefs``, one year) holding the choices of the last few people who
signed in on this browser, by their id: on a shared desk each finds their own language again.
Signing in applies the person's saved choices; changing them saves them."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.responses import Response

COOKIE = "relais_console_prefs"
MAX_AGE = 365 * 24 * 3600
KEPT = 20  # people remembered on one browser


def _serializer(request: Request) -> URLSafeSerializer:
    secret: str = request.app.state.session_key
    return URLSafeSerializer(secret, salt="relais-console-preferences")


def saved(request: Request) -> dict[str, dict[str, Any]]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        found = _serializer(request).loads(raw)
    except BadSignature:
        return {}
    return found if isinstance(found, dict) else {}


def of(request: Request, subject: str) -> dict[str, Any]:
    mine = saved(request).get(subject)
    return mine if isinstance(mine, dict) else {}


def save(request: Request, response: Response, subject: str, choices: dict[str, Any]) -> None:
    everyone = saved(request)
    mine = {**everyone.pop(subject, {}), **choices}
    # The person just seen goes last; the oldest are forgotten first.
    kept = dict(list(everyone.items())[-(KEPT - 1) :])
    kept[subject] = mine
    secure = request.app.state.settings.cookies_secure()
    response.set_cookie(
        COOKIE,
        _serializer(request).dumps(kept),
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
