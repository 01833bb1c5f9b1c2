"""The HTTP side every service shares: health, readiness, and every error answered in the
Problem shape (shared/problems.py), bodies read only from authenticated callers and up to a
limit (shared/body_guard.py), text no service can store refused (shared/text_guard.py)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.dependencies.utils import get_flat_params
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from shared import auth, tracing_setup
from shared.body_guard import BodyGuard
from shared.metrics_http import HttpMetrics, metrics_router
from shared.ops_http import ops_router
from shared.problems import FieldProblem as FieldProblem  # the services import these here
from shared.problems import Problem as Problem
from shared.problems import answer_every_error_as_problem
from shared.problems import problem as problem
from shared.service import ServiceRuntime
from shared.text_guard import storable_text


class Health(BaseModel):
    status: str = Field(description="'ok' when the check passed.")
    checks: dict[str, str] = Field(default_factory=dict, description="Each dependency's state.")


VALIDATION_RESPONSE: dict[int | str, dict[str, Any]] = {
    422: {
        "model": Problem,
        "description": "The request is invalid (`validation_failed`; see `fields`), or its body "
        "is not JSON a service can read (`malformed_json`).",
    }
}
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No bearer token, or an invalid or expired one."},
    403: {"model": Problem, "description": "The caller's role (or office) may not do this."},
}
BODY_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {
        "model": Problem,
        "description": "The body is larger than the limit (`RELAIS_HTTP_MAX_BODY_BYTES`).",
    }
}

# The largest age a query may ask for (older_than_minutes): a century is older than any case,
# and a bound keeps "now minus the age" a date Python can compute.
MAX_AGE_MINUTES = 100 * 366 * 24 * 60


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
        whose API reads only what it wrote itself (intake) stays ready while Kafka is down: its
        outbox keeps what it accepts, and `relais_outbox_backlog` shows it."""
        checks: dict[str, str] = {}
        try:
            await runtime.holder.require().fetchval("SELECT 1")
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unavailable: {exc}"
        if runtime.consumers and not runtime.ready_without_kafka:
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
    the token verifier is made: outside dev, incomplete identity-provider settings stop the
    start; the provider's keys are read before the first request."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        verifier = auth.verifier_for(runtime.settings)
        app.state.verifier = verifier
        await verifier.start()
        try:
            async with runtime.lifespan(app):
                yield
        finally:
            await verifier.aclose()

    # FastAPI's own telemetry is off unless asked for: with no provider it exports nothing yet
    # costs intake ~12% of its CPU per request; HTTP spans come from the OTel instrumentation.
    enabled = runtime.settings.http_telemetry
    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        telemetry={"tracing": enabled, "metrics": enabled, "logs": enabled},
        dependencies=[Depends(storable_text)],
    )
    app.state.runtime = runtime
    answer_every_error_as_problem(app)
    # Innermost, so the request metrics and spans see its refusals.
    app.add_middleware(
        BodyGuard, max_body_bytes=runtime.settings.http_max_body_bytes, state=app.state
    )
    app.add_middleware(HttpMetrics, metrics=runtime.metrics)
    tracing_setup.instrument_app(app, runtime.settings)
    app.include_router(health_router(runtime))
    app.include_router(metrics_router(runtime))
    # Every service answers ops the same way: its lag, outbox and dead letters.
    for router in [*routers, ops_router(runtime)]:
        document_shared_answers(router)
        app.include_router(router)
    return app


def document_shared_answers(router: APIRouter) -> None:
    """Adds to each route's documented answers those the shared plumbing gives every
    authenticated route: 401 and 403, 422 when it takes parameters or a body, 413 when it
    takes a body. Done before the router is included: the app's routes are made from these."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        shared = dict(AUTH_RESPONSES)
        if get_flat_params(route.dependant) or route.body_field is not None:
            shared.update(VALIDATION_RESPONSE)
        if route.body_field is not None:
            shared.update(BODY_RESPONSES)
        route.responses = {**shared, **route.responses}


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
