"""Driving the console in its unit tests: signing in as a demo person, the CSRF token a page's
forms carry, a case the signed-in adviser holds, what the console sent."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from services.advisory import examples
from tests.support.console_stub import Stub

CASE = str(examples.CASE)
ADVISER = "adviser|liege-adv-01|liege"


def sign_in(client: TestClient, who: str = ADVISER, lang: str = "fr") -> None:
    answer = client.post("/login", data={"who": who, "lang": lang})
    assert answer.status_code == 303, answer.text


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def held_case(stub: Stub) -> None:
    """advisory's example case, claimed by the adviser who signs in (every action shown)."""
    detail = examples.CASE_DETAIL.model_dump(mode="json")
    detail["case"].update(status="claimed", assignee="liege-adv-01")
    stub.answers[("GET", f"/cases/{CASE}")] = (200, detail)


def posted(stub: Stub) -> list[tuple[str, str, Any]]:
    """What the console sent the services that changes something (POST, DELETE), in order."""
    return [(m, p, b) for m, p, b, _ in stub.calls if m in ("POST", "DELETE")]
