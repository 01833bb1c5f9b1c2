"""advisory's reading routes in its OpenAPI: each answers with an example of its own model, and
what the member wrote or is called is marked personal wherever it is answered."""

from __future__ import annotations

from typing import Any

import pytest

from services.catalog import BUILDERS

ROUTES = ("/cases", "/queues", "/cases/{case_id}", "/members/{member_id}/cases")
PERSONAL = {
    "QueueRow": {"member_name", "subject"},
    "RequestView": {"subject", "body"},
    "MemberSnapshotView": {"name"},
    "TaskView": {"note"},
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    _, app = BUILDERS["advisory"](None)
    document: dict[str, Any] = app.openapi()
    return document


@pytest.mark.parametrize("route", ROUTES)
def test_every_reading_route_answers_with_an_example(spec: dict[str, Any], route: str) -> None:
    answer = spec["paths"][route]["get"]["responses"]["200"]["content"]["application/json"]
    assert answer["schema"]["$ref"].startswith("#/components/schemas/")
    assert answer["example"], route


@pytest.mark.parametrize(("model", "fields"), sorted(PERSONAL.items()))
def test_what_the_member_wrote_or_is_called_is_personal(
    spec: dict[str, Any], model: str, fields: set[str]
) -> None:
    properties = spec["components"]["schemas"][model]["properties"]
    marked = {name for name, p in properties.items() if p.get("x-personal")}
    assert marked == fields
