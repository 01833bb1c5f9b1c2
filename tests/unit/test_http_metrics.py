"""HTTP metrics are labelled by route template, so a path with ids stays one series."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from shared.http import lag_check
from shared.metrics import ServiceMetrics
from shared.metrics_http import HttpMetrics


async def test_requests_are_counted_and_timed_per_route_template() -> None:
    metrics = ServiceMetrics("intake")
    app = FastAPI()

    @app.get("/requests/{case_id}")
    async def lookup(case_id: str) -> dict[str, str]:
        return {"case_id": case_id}

    app.add_middleware(HttpMetrics, metrics=metrics)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for n in range(3):
            assert (await client.get(f"/requests/{n}")).status_code == 200
        assert (await client.get("/nowhere")).status_code == 404

    def sample(name: str, **labels: str) -> float | None:
        return metrics.registry.get_sample_value(
            name, {"service": "intake", "method": "GET", **labels}
        )

    assert sample("relais_http_requests_total", route="/requests/{case_id}", status="200") == 3
    assert sample("relais_http_requests_total", route="unmatched", status="404") == 1
    assert sample("relais_http_request_duration_seconds_count", route="/requests/{case_id}") == 3


def test_readiness_allows_lag_up_to_the_bound() -> None:
    assert lag_check(0, 0) == {"caught_up": "ok"}
    assert lag_check(10, 10) == {"caught_up": "ok"}
    assert lag_check(11, 10) == {"caught_up": "11 messages behind (bound 10)"}
