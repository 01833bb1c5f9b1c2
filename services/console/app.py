"""The console's wiring: sessions, the screens' routes, static assets, and the answers to
refusals (a page in the person's words, or the login page when their session is over).

The console is no event-sourced service: no database, no Kafka, no state but the signed
session cookie. It reads and acts only through the services' public HTTP APIs."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

from services.console import oidc_login, problems, session
from services.console.client import ServiceProblem, Services
from services.console.rendering import page
from services.console.routes import (
    adviser,
    case,
    collaboration,
    login,
    oidc,
    ops,
    support,
    tasks,
    team,
)
from services.console.session import BadForm, LoginRequired
from services.console.settings import ConsoleSettings

HERE = Path(__file__).parent
# One module per screen (docs/console.md: adding a screen).
ROUTES = [login, oidc, adviser, collaboration, case, support, tasks, team, ops]

# Everything from the console itself: no CDN, no inline script (the JS reads data-* attributes).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def build(
    settings: ConsoleSettings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """The console app; ``transport`` replaces the network to the services (unit tests)."""
    settings = settings or ConsoleSettings()
    secret = settings.session_key()  # outside dev, no secret: the console refuses to start

    provider = oidc_login.login_for(settings.base)  # outside dev, none: the console stops

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await app.state.services.aclose()
        if provider is not None:
            await provider.aclose()

    app = FastAPI(title="Relais console", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.session_key = secret
    app.state.services = Services(settings, transport)
    app.state.oidc = provider
    security_headers = with_provider(SECURITY_HEADERS, provider)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="relais_console",
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.cookies_secure(),
    )

    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        answer = await call_next(request)
        for name, value in security_headers.items():
            answer.headers.setdefault(name, value)
        return answer

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in ROUTES:
        app.include_router(module.router)
    answer_refusals(app)

    @app.get("/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        return JSONResponse({"status": "ready"})

    # Liveness, as every service has it (the image's HEALTHCHECK, deploy/k8s probes).
    @app.get("/health", include_in_schema=False)
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return app


def with_provider(headers: dict[str, str], provider: oidc_login.OidcLogin | None) -> dict[str, str]:
    """The security headers, the provider's origin allowed as where a form may lead: signing
    out is a form whose answer sends the browser to the provider's end-session endpoint."""
    if provider is None:
        return headers
    parts = urlsplit(provider.settings.issuer)
    origin = f"{parts.scheme}://{parts.netloc}"
    policy = headers["Content-Security-Policy"].replace(
        "form-action 'self'", f"form-action 'self' {origin}"
    )
    return {**headers, "Content-Security-Policy": policy}


def wants_fragment(request: Request) -> bool:
    """A request of the console's own script (live updates), not a page to navigate to."""
    return request.headers.get("x-relais-console") == "live"


def answer_refusals(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if wants_fragment(request):
            return JSONResponse({"error": "login_required"}, status_code=401)
        target = request.url.path
        if request.url.query and request.method == "GET":
            target += "?" + request.url.query
        expired = "&expired=1" if exc.expired else ""
        return RedirectResponse(f"/login?next={quote(target)}{expired}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def unreadable(request: Request, exc: RequestValidationError) -> Response:
        """A path or form the console cannot read (a case id that is no id): a page in words,
        not FastAPI's JSON."""
        staff = session.current(request)
        key = "errors.not_found" if request.method == "GET" else "errors.validation_failed"
        status = 404 if request.method == "GET" else 422
        return page(
            request, staff, "layout/error.html", status_code=status, said=problems.Said(key)
        )

    @app.exception_handler(BadForm)
    async def bad_form(request: Request, exc: BadForm) -> Response:
        staff = session.current(request)
        said = problems.Said("errors.form_expired")
        return page(request, staff, "layout/error.html", status_code=400, said=said)

    @app.exception_handler(ServiceProblem)
    async def service_problem(request: Request, exc: ServiceProblem) -> Response:
        if exc.status == 401:  # the services no longer accept the token: sign in again
            session.sign_out(request)
            return await login_required(request, LoginRequired(expired=True))
        staff = session.current(request)
        status = exc.status if 400 <= exc.status < 500 else 502
        if wants_fragment(request):
            return JSONResponse({"error": exc.error}, status_code=status)
        said = problems.said(exc)
        return page(request, staff, "layout/error.html", status_code=status, said=said)
