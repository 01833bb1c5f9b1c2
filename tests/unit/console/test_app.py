"""The console as a whole against a stub of the services: signing in and out, the session and
its token, each person's language and shortcuts, what a page may load, a service that does
not answer, and every screen without a missing word, in French and in Dutch."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.console_client import ADVISER, CASE, csrf, held_case, sign_in
from tests.support.console_stub import Stub


def test_the_login_page_lists_the_demo_people_from_routing(client: TestClient) -> None:
    page = client.get("/login").text
    assert "liege-adv-01" in page
    assert "support-01" in page
    assert "lead-liege" in page
    assert "admin-1" in page
    assert "ops-1" in page


def test_a_screen_without_a_session_sends_to_the_login(client: TestClient) -> None:
    answer = client.get("/queue?tab=mine")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=/queue%3Ftab%3Dmine")


def test_signing_in_leads_an_adviser_to_their_queue_with_a_token_the_services_get(
    client: TestClient, stub: Stub
) -> None:
    answer = client.post("/login", data={"who": ADVISER, "lang": "fr"})
    assert answer.headers["location"] == "/queue"
    page = client.get("/queue").text
    assert "Facture de janvier non reçue" in page
    assert "Camille Dupont" in page
    asked = [r for m, p, _, r in stub.calls if p == "/cases"][-1]
    assert asked.headers["authorization"].startswith("Bearer ")
    assert asked.url.params["office"] == "liege"
    assert asked.url.params["tier"] == "first_line"
    assert asked.url.params.get_list("state") == ["queued"]
    assert asked.url.params["limit"] == "50"


def test_a_person_who_is_not_in_the_demo_is_not_signed_in(client: TestClient) -> None:
    answer = client.post("/login", data={"who": "ops|intruder|", "lang": "fr"})
    assert answer.status_code == 422
    assert client.get("/queue").status_code == 303


def test_a_form_without_the_session_token_is_refused(client: TestClient, stub: Stub) -> None:
    sign_in(client)
    answer = client.post(f"/cases/{CASE}/claim", data={"csrf": "forged"})
    assert answer.status_code == 400
    assert not [c for c in stub.calls if c[0] == "POST"]


def test_a_token_the_services_refuse_ends_the_session(client: TestClient, stub: Stub) -> None:
    stub.refuse("GET", "/cases", 401, "token_expired", "The bearer token has expired.")
    sign_in(client)
    answer = client.get("/queue")
    assert answer.status_code == 303
    assert "expired=1" in answer.headers["location"]
    assert client.get("/queue/rows").status_code == 303  # signed out


def test_a_service_that_does_not_answer_is_named(client: TestClient, stub: Stub) -> None:
    def down(request: object) -> tuple[int, dict[str, object]]:
        raise __import__("httpx").ConnectError("refused")

    stub.answers[("GET", "/cases")] = down
    stub.answers[("GET", "/queues")] = down
    sign_in(client)
    answer = client.get("/queue")
    assert answer.status_code == 502
    assert "Le service advisory ne répond pas" in answer.text


def test_the_language_is_chosen_per_person_and_kept(client: TestClient) -> None:
    sign_in(client)
    token = csrf(client.get("/queue").text)
    client.post("/preferences", data={"csrf": token, "lang": "nl", "back": "/queue"})
    assert "Mijn wachtrij" in client.get("/queue").text


def test_shortcuts_can_be_switched_off(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/queue").text
    assert 'data-shortcuts="on"' in page
    client.post("/preferences", data={"csrf": csrf(page), "shortcuts": "off", "back": "/queue"})
    assert 'data-shortcuts="off"' in client.get("/queue").text


def test_pages_allow_no_script_from_elsewhere(client: TestClient) -> None:
    answer = client.get("/login")
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert '<script src="/static/console.js"' in answer.text
    assert client.get("/static/console.js").status_code == 200


def test_a_persons_language_and_shortcuts_come_back_at_their_next_sign_in(
    client: TestClient,
) -> None:
    sign_in(client)
    token = csrf(client.get("/queue").text)
    client.post("/preferences", data={"csrf": token, "lang": "nl", "back": "/queue"})
    client.post("/preferences", data={"csrf": token, "shortcuts": "off", "back": "/queue"})
    client.post("/logout", data={"csrf": token})
    client.get("/login?lang=fr")
    # Someone else on the same browser keeps the page's language and their own shortcuts.
    client.post("/login", data={"who": "adviser|liege-adv-02|liege"})
    other = client.get("/queue").text
    assert 'lang="fr"' in other
    assert 'data-shortcuts="on"' in other
    client.post("/logout", data={"csrf": csrf(other)})
    client.post("/login", data={"who": ADVISER})
    mine = client.get("/queue").text
    assert 'lang="nl"' in mine
    assert 'data-shortcuts="off"' in mine


def test_the_login_page_speaks_dutch_on_request(client: TestClient) -> None:
    page = client.get("/login?lang=nl").text
    assert 'lang="nl"' in page
    assert "Aanmelden" in page


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize(
    ("who", "paths"),
    [
        (ADVISER, ["/queue", "/queue?tab=mine", f"/cases/{CASE}", "/queue/rows"]),
        ("support|support-01|", ["/support", "/support?tab=queue", "/support?tab=mine"]),
    ],
)
def test_every_screen_renders_without_a_missing_word(
    client: TestClient, stub: Stub, lang: str, who: str, paths: list[str]
) -> None:
    held_case(stub)  # every action of the case screen shown
    sign_in(client, who, lang)
    for path in paths:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "⟦" not in answer.text, path
