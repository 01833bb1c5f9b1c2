"""The HTTP side every service shares: health, readiness, clear validation and auth errors."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from shared import tracing_setup
from shared.auth import AuthProblem
from shared.metrics_http import HttpMetrics, metrics_router
from shared.service import ServiceRuntime


class FieldProblem(BaseModel):
    field: str = Field(description="Where the problem is, e.g. 'body.member.preferred_language'.")
    message: str = Field(description="What is wrong with it.")


class Problem(BaseModel):
    """Every error answer has this shape."""

    error: str = Field(description="Machine-readable error code, e.g. 'validation_failed'.")
    message: str = Field(description="Human-readable explanation.")
    fields: list[FieldProblem] = Field(default_factory=list, description="Field-level problems.")


class Health(BaseModel):
    status: str = Field(description="'ok' when the check passed.")
    checks: dict[str, str] = Field(default_factory=dict, description="Each dependency's state.")


VALIDATION_RESPONSE: dict[int | str, dict[str, Any]] = {
    422: {"model": Problem, "description": "The request is invalid; see `fields`."}
}
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No bearer token, or an invalid or expired one."},
    403: {"model": Problem, "description": "The caller's role (or office) may not do this."},
}


def problem(
    status: int, error: str, message: str, fields: list[FieldProblem] | None = None
) -> JSONResponse:
    """An error answer in the Problem shape."""
    body = Problem(error=error, message=message, fields=fields or [])
    return JSONResponse(body.model_dump(), status_code=status)


async def _auth_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AuthProblem)
    answer = problem(exc.status, exc.error, exc.message)
    if exc.status == 401:
        answer.headers["WWW-Authenticate"] = "Bearer"
    return answer


async def _invalid(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        FieldProblem(field=".".join(str(p) for p in e["loc"]), message=e["msg"])
        for e in exc.errors()
    ]
    problem = Problem(error="validation_failed", message="The request is invalid.", fields=fields)
    return JSONResponse(problem.model_dump(), status_code=422)


def health_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health", response_model=Health)
    async def health() -> Health:
        """Alive: the process answers."""
        return Health(status="ok")

    @router.get("/ready", response_model=Health, responses={503: {"model": Health}})
    async def ready() -> Any:
        """Ready: the database answers and, for consuming services, Kafka answers and the
        consumer group is caught up (at most `RELAIS_READY_MAX_LAG` messages behind). A service
        that only publishes (intake) stays ready while Kafka is down: its outbox keeps what it
        accepts, and `relais_outbox_backlog` shows it."""
        checks: dict[str, str] = {}
        try:
            await runtime.holder.require().fetchval("SELECT 1")
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unavailable: {exc}"
        if runtime.consumers:
            checks["kafka"] = "ok" if runtime.kafka_connected else "connecting"
            if runtime.kafka_connected and checks["database"] == "ok":
                checks.update(await caught_up(runtime))
        ok = all(v == "ok" for v in checks.values())
        body = Health(status="ok" if ok else "unavailable", checks=checks)
        return JSONResponse(body.model_dump(), status_code=200 if ok else 503)

    return router


async def caught_up(runtime: ServiceRuntime) -> dict[str, str]:
    """The lag check of /ready: Kafka must answer, and the group be within the bound."""
    try:
        behind = sum((await runtime.lag()).values())
    except Exception as exc:
        return {"kafka": f"unreachable: {type(exc).__name__}: {exc}"}
    return lag_check(behind, runtime.settings.ready_max_lag)


def lag_check(behind: int, bound: int) -> dict[str, str]:
    """'ok' within the bound, else how far behind."""
    return {"caught_up": "ok" if behind <= bound else f"{behind} messages behind (bound {bound})"}


def create_app(
    runtime: ServiceRuntime, routers: Sequence[APIRouter], *, title: str, description: str
) -> FastAPI:
    """The service's ASGI app; its lifespan is the runtime's (database, outbox, Kafka), after
    the token key is checked: outside dev a missing or default secret stops the start."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.auth_key = runtime.settings.auth_key()
        async with runtime.lifespan(app):
            yield

    # FastAPI's own telemetry is off unless asked for: with no provider it exports nothing yet
    # costs intake ~12% of its CPU per request; HTTP spans come from the OTel instrumentation.
    enabled = runtime.settings.http_telemetry
    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        telemetry={"tracing": enabled, "metrics": enabled, "logs": enabled},
    )
    app.state.runtime = runtime
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_middleware(HttpMetrics, metrics=runtime.metrics)
    tracing_setup.instrument_app(app, runtime.settings)
    app.add_exception_handler(AuthProblem, _auth_problem)
    app.include_router(health_router(runtime))
    app.include_router(metrics_router(runtime))
    for router in routers:
        app.include_router(router)
    return app


def serve(app: FastAPI, port: int, host: str = "127.0.0.1") -> None:
    """Runs one service process (uvloop + httptools: the fast paths)."""
    import uvicorn

    uvicorn.run(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
    )
