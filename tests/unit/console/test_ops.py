"""The ops screen against a stub of the services: every service's lag, outbox and dead
letters (one that does not answer is said in words, the others still show), a redrive and a
model switch sent as the services' APIs want them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.console.views.ops import newest
from shared.ops_views import LETTERS, REDRIVEN, STATUS
from tests.support.console_client import csrf
from tests.support.console_stub import Stub, console, dumped

OPS = "ops|ops-1|"
OFFICES = {
    "offices": [
        {
            "office": "mons",
            "model": "polyvalent",
            "model_since": "2026-03-02T09:30:00Z",
            "changes": [],
            "desks": [{"desk": "front", "kind": "front", "topic_families": [], "queue": "m/f"}],
            "shadow_model": None,
        }
    ]
}
ADVISER = {
    "adviser_id": "mons-adv-01",
    "office": "mons",
    "team": "first_line",
    "desk": None,
    "languages": ["fr"],
    "skills": [],
    "capacity": 8,
    "active": True,
    "available": True,
    "open_cases": 3,
    "absences": [],
}


@pytest.fixture
def stub() -> Stub:
    found = Stub()
    found.answers[("GET", "/ops/status")] = (200, dumped(STATUS))
    found.answers[("GET", "/ops/dead-letters")] = (200, dumped(LETTERS))
    found.answers[("POST", "/ops/dead-letters/redrive")] = (200, dumped(REDRIVEN))
    found.answers[("GET", "/offices")] = (200, OFFICES)
    found.answers[("GET", "/advisers")] = (200, {"advisers": [ADVISER]})
    return found


@pytest.fixture
def client(stub: Stub) -> Iterator[TestClient]:
    with TestClient(console(stub), follow_redirects=False) as c:
        answer = c.post("/login", data={"who": OPS, "lang": "fr"})
        assert answer.headers["location"] == "/ops"
        yield c


def test_ops_see_each_service_lag_outbox_and_dead_letters_with_their_reason(
    client: TestClient,
) -> None:
    page = client.get("/ops").text
    for service in ("intake", "routing", "advisory", "admin"):
        assert f'id="status-{service}"' in page
        assert f'id="redrive-{service}-3-41"' in page
    assert 'data-lag="12"' in page
    assert "handler error: UnknownOffice: no office &#39;arlon&#39;" in page
    assert "request-received [3] @ 18204" in page


def test_a_service_that_does_not_answer_is_said_and_the_others_still_show(
    client: TestClient, stub: Stub
) -> None:
    stub.refuse("GET", "/ops/status", 503, "kafka_unavailable", "Kafka does not answer now.")
    answer = client.get("/ops")
    assert answer.status_code == 200
    assert "Kafka ne répond pas pour le moment." in answer.text
    assert 'id="redrive-routing-3-41"' in answer.text


def test_a_redrive_sends_the_position_and_says_how_many_went_back(
    client: TestClient, stub: Stub
) -> None:
    form = {"csrf": csrf(client.get("/ops").text), "partition": "3", "offset": "41"}
    answer = client.post("/ops/dead-letters/routing/redrive", data=form)
    assert answer.headers["location"] == "/ops?done=redriven&count=1"
    [(_, _, body, request)] = [c for c in stub.calls if c[1] == "/ops/dead-letters/redrive"]
    assert body == {"positions": [{"partition": 3, "offset": 41}]}
    assert request.url.port == 8002  # routing's
    everything = client.post("/ops/dead-letters/admin/redrive", data={"csrf": form["csrf"]})
    assert everything.status_code == 303
    assert stub.calls[-1][2] is None or stub.calls[-1][2] == {}


def test_a_redrive_needs_the_form_of_the_session(client: TestClient, stub: Stub) -> None:
    answer = client.post("/ops/dead-letters/routing/redrive", data={"csrf": "forged"})
    assert answer.status_code == 400
    assert not [c for c in stub.calls if c[1] == "/ops/dead-letters/redrive"]


@pytest.mark.parametrize(("lang", "words"), [("fr", "polyvalent"), ("nl", "gespecialiseerd")])
def test_the_organisation_shows_offices_models_desks_and_advisers(
    client: TestClient, stub: Stub, lang: str, words: str
) -> None:
    client.post("/preferences", data={"csrf": csrf(client.get("/ops").text), "lang": lang})
    page = client.get("/ops/organisation").text
    assert 'id="office-mons" data-model="polyvalent"' in page
    assert words in page
    assert 'id="adviser-mons-adv-01"' in page
    assert "⟦" not in page


def test_the_model_switch_puts_the_office_model_to_routing(client: TestClient, stub: Stub) -> None:
    recorded = {"event_id": "00000000-0000-0000-0000-000000000001", "event_type": "x"}
    stub.answers[("PUT", "/offices/mons/model")] = (200, recorded)
    form = {"csrf": csrf(client.get("/ops/organisation").text), "model": "specialised"}
    answer = client.post("/ops/offices/mons/model", data=form)
    assert answer.headers["location"] == "/ops/organisation?done=model_switched#office-mons"
    [(method, _, body, _)] = [c for c in stub.calls if c[1] == "/offices/mons/model"]
    assert (method, body) == ("PUT", {"model": "specialised"})


def test_the_newest_dead_letters_show_first_and_at_most_twenty() -> None:
    letters = [{"offset": n, "failed_at": f"2026-03-02T09:{n:02d}:00+00:00"} for n in range(60)]
    shown = newest(letters)
    assert len(shown) == 20
    assert [d["offset"] for d in shown[:2]] == [59, 58]
