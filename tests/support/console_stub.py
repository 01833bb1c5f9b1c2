"""A stand-in for the services' HTTP answers, for the console's unit tests: the answers are
the services' own OpenAPI examples (services/advisory/examples.py), so the stub cannot drift
from the contract the console reads. Each test can replace an answer or add a refusal."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel

from services.advisory import examples
from services.advisory.drafts.views import Draft
from services.advisory.presence.views import CasePresence
from services.console.app import build
from services.console.settings import ConsoleSettings
from shared.settings import Settings

Answer = tuple[int, dict[str, Any]]
Handler = Callable[[httpx.Request], Answer]

DRAFT = Draft

ADVISERS = {
    "advisers": [
        {"adviser_id": "liege-adv-01", "office": "liege", "team": "first_line", "active": True},
        {"adviser_id": "liege-adv-02", "office": "liege", "team": "first_line", "active": True},
        {"adviser_id": "support-01", "office": "bruxelles", "team": "support", "active": True},
    ]
}


def example(model: type[BaseModel]) -> dict[str, Any]:
    """The first example of a model's JSON schema (what its OpenAPI shows)."""
    found: dict[str, Any] = model.model_json_schema()["examples"][0]
    return found


def dumped(model: Any) -> dict[str, Any]:
    value: dict[str, Any] = model.model_dump(mode="json")
    return value


@dataclass
class Stub:
    """Answers by (method, path); ``calls`` keeps what the console asked, with its body."""

    answers: dict[tuple[str, str], Answer | Handler] = field(default_factory=dict)
    calls: list[tuple[str, str, dict[str, Any] | None, httpx.Request]] = field(default_factory=list)

    def __post_init__(self) -> None:
        case = str(examples.CASE)
        member = examples.MEMBER.member_id
        self.answers.update(
            {
                ("GET", "/cases"): (200, dumped(examples.CASE_LIST)),
                ("GET", "/queues"): (200, dumped(examples.QUEUE_COUNTS)),
                ("GET", f"/cases/{case}"): (200, dumped(examples.CASE_DETAIL)),
                ("GET", f"/members/{member}/cases"): (200, dumped(examples.MEMBER_CASES)),
                ("GET", "/advisers"): (200, ADVISERS),
                ("PUT", f"/cases/{case}/presence"): (200, example(CasePresence)),
            }
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.calls.append((request.method, request.url.path, body, request))
        found = self.answers.get((request.method, request.url.path))
        if found is None:
            if request.method == "POST":
                found = (200, {"event_id": "00000000-0000-0000-0000-000000000001"})
            else:
                found = (404, {"error": "not_found", "message": "No such thing.", "fields": []})
        status, payload = found(request) if callable(found) else found
        return httpx.Response(status, json=payload)

    def refuse(self, method: str, path: str, status: int, error: str, message: str) -> None:
        self.answers[(method, path)] = (status, {"error": error, "message": message, "fields": []})


def console(stub: Stub) -> Any:
    """The console app in dev, its services replaced by the stub."""
    settings = ConsoleSettings(base=Settings(env="dev"))
    return build(settings, httpx.MockTransport(stub.handle))
