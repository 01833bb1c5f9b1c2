"""The ops screen: how far behind each service is (consumer lag per group, outbox backlog),
its dead letters with why they failed, and their redrive; the organisation (offices with
their model and desks, the advisers) with the live model switch. All through the services'
public APIs: each service's `/ops/*` endpoints and routing's organisation."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from services.console import problems
from services.console.client import Api, ServiceProblem
from services.console.deps import ApiDep, FormChecked, StaffDep
from services.console.rendering import page
from services.console.settings import SERVICES
from services.console.views import ops as view

router = APIRouter()
Office = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


async def ask(api: Api, service: str, path: str, **params: Any) -> view.Answer:
    try:
        return view.Answer(service, body=await api.get(service, path, **params))
    except ServiceProblem as problem:
        return view.Answer(service, said=problems.said(problem))


@router.get("/ops")
async def ops_screen(
    request: Request,
    staff: StaffDep,
    api: ApiDep,
    everything: bool = False,
    done: str | None = None,
    count: int = 0,
) -> Response:
    statuses = await asyncio.gather(*(ask(api, s, "/ops/status") for s in SERVICES))
    pending = None if everything else "true"
    letters = await asyncio.gather(
        *(ask(api, s, "/ops/dead-letters", pending=pending) for s in SERVICES)
    )
    return page(
        request,
        staff,
        "ops/ops.html",
        statuses=statuses,
        letters=letters,
        everything=everything,
        total_lag=view.total_lag,
        newest=view.newest,
        columns=view.COLUMNS,
        done=view.done(done),
        count=count,
    )


@router.post("/ops/dead-letters/{service}/redrive", dependencies=[FormChecked])
async def redrive(
    service: str,
    staff: StaffDep,
    api: ApiDep,
    partition: Annotated[int | None, Form(ge=0)] = None,
    offset: Annotated[int | None, Form(ge=0)] = None,
) -> Response:
    if service not in SERVICES:
        raise ServiceProblem(service, 404, "not_found", f"No service {service!r}.")
    sent = await api.post(service, "/ops/dead-letters/redrive", view.positions(partition, offset))
    count = len(sent.get("redriven", []))
    return RedirectResponse(f"/ops?done=redriven&count={count}", status_code=303)


@router.get("/ops/organisation")
async def organisation(
    request: Request, staff: StaffDep, api: ApiDep, done: str | None = None
) -> Response:
    offices, advisers = await asyncio.gather(
        api.get("routing", "/offices"), api.get("routing", "/advisers")
    )
    return page(
        request,
        staff,
        "ops/organisation.html",
        offices=offices["offices"],
        advisers=advisers["advisers"],
        models=view.MODELS,
        columns=view.COLUMNS,
        done=view.done(done),
    )


@router.post("/ops/offices/{office}/model", dependencies=[FormChecked])
async def switch_model(
    office: Office, staff: StaffDep, api: ApiDep, model: Annotated[str, Form()]
) -> Response:
    await api.put("routing", f"/offices/{office}/model", {"model": model})
    return RedirectResponse(
        f"/ops/organisation?done=model_switched#office-{office}", status_code=303
    )
