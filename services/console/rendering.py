"""HTML pages: Jinja2 templates (autoescaped) with what every page needs in its context.

A template gets ``t`` (the person's words), ``when``/``rel``/``num`` (fr-BE/nl-BE dates,
relative times and numbers in Brussels time), ``sla`` (the SLA state of a row), ``staff``,
``nav`` (the screens of their role), ``csrf`` (every POST form sends it back as ``csrf``),
``poll_ms`` and ``shortcuts``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from services.console import formatting, sla
from services.console.screens import visible_to
from services.console.session import Staff, language
from services.console.translations import Translator

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.autoescape = True
TEMPLATES.env.trim_blocks = True
TEMPLATES.env.lstrip_blocks = True


def context(request: Request, staff: Staff | None, now: datetime | None = None) -> dict[str, Any]:
    lang = staff.lang if staff else language(request)
    t = Translator(lang)
    moment = now or datetime.now(UTC)
    settings = request.app.state.settings
    return {
        "t": t,
        "lang": t.lang,
        "locale": t.locale,
        "now": moment,
        "when": lambda v: formatting.when(v, t.locale, moment),
        "iso": formatting.iso,
        "rel": lambda v: formatting.relative(v, moment, t.locale),
        "num": lambda v: formatting.number(v, t.locale),
        "sla": lambda row: sla.state(row.get("sla_due_at"), row.get("status"), moment).value,
        "staff": staff,
        "nav": visible_to(staff.role) if staff else [],
        "csrf": staff.csrf if staff else "",
        "poll_ms": settings.poll_ms,
        "shortcuts": staff.shortcuts if staff else False,
        "dev_login": settings.dev(),
        "path": request.url.path,
    }


def page(
    request: Request,
    staff: Staff | None,
    template: str,
    status_code: int = 200,
    **values: Any,
) -> Response:
    return TEMPLATES.TemplateResponse(
        request, template, {**context(request, staff), **values}, status_code=status_code
    )
