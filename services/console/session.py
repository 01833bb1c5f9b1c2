"""Who is using the console: the signed session cookie, the console's only state.

The cookie (Starlette's SessionMiddleware, signed with ``RELAIS_CONSOLE_SESSION_SECRET``)
holds the person's id, role and office, the bearer token the services accept for them, their
UI language, whether keyboard shortcuts are on, and a CSRF token the forms send back. It is
signed, not encrypted: it holds nothing the person may not see (their own token)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from services.console.translations import LANGUAGES, pick_language
from shared.identity import Principal, Role


@dataclass(frozen=True)
class Staff:
    """The signed-in person."""

    subject: str
    role: Role
    office: str | None
    token: str
    lang: str
    shortcuts: bool
    csrf: str

    @property
    def principal(self) -> Principal:
        return Principal(self.subject, self.role, self.office)


class LoginRequired(Exception):
    """No one is signed in (or the services no longer accept their token)."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("login required")
        self.expired = expired


class BadForm(Exception):
    """A form came back without this session's CSRF token."""


def current(request: Request) -> Staff | None:
    data: dict[str, Any] = request.session
    if not data.get("sub") or not data.get("token"):
        return None
    try:
        role = Role(data["role"])
    except ValueError:
        return None
    return Staff(
        subject=str(data["sub"]),
        role=role,
        office=data.get("office"),
        token=str(data["token"]),
        lang=language(request),
        shortcuts=bool(data.get("shortcuts", True)),
        csrf=csrf(request),
    )


def language(request: Request) -> str:
    """The person's chosen UI language, else the browser's French or Dutch."""
    chosen = request.session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return pick_language(request.headers.get("accept-language"))


def csrf(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def sign_in(request: Request, who: Principal, token: str, lang: str | None = None) -> None:
    """A new session for ``who``; the page's language stays unless ``lang`` says otherwise
    (their saved choices: ``preferences.of``)."""
    page_language = request.session.get("lang")
    request.session.clear()
    if page_language in LANGUAGES:
        request.session["lang"] = page_language
    request.session.update(
        {"sub": who.subject, "role": who.role.value, "office": who.office, "token": token}
    )
    if lang in LANGUAGES:
        request.session["lang"] = lang
    csrf(request)


def sign_out(request: Request) -> None:
    """The session ends; the login page stays in the language the person used."""
    page_language = request.session.get("lang")
    request.session.clear()
    if page_language in LANGUAGES:
        request.session["lang"] = page_language


def set_preferences(request: Request, lang: str | None, shortcuts: bool | None) -> None:
    if lang in LANGUAGES:
        request.session["lang"] = lang
    if shortcuts is not None:
        request.session["shortcuts"] = shortcuts


def check_form(request: Request, sent: str | None) -> None:
    if not sent or not secrets.compare_digest(sent, csrf(request)):
        raise BadForm()
