"""The adviser's and the support screens against a stub of the services: the lists they ask
advisory for, the SLA state in words, the live rows, in French and in Dutch."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.console_client import ADVISER, CASE, sign_in
from tests.support.console_stub import Stub


def test_the_queue_says_the_sla_state_in_words_and_every_row_can_be_compared(
    client: TestClient,
) -> None:
    sign_in(client)
    page = client.get("/queue").text
    # The example cases are due in March 2026: overdue now, said in words, not colour alone.
    assert page.count("En retard") == 2
    assert 'data-id="' + CASE + '"' in page
    assert 'data-rows-url="/queue/rows?"' in page
    assert 'aria-live="polite"' in page


def test_the_live_rows_are_the_same_rows_without_the_page(client: TestClient) -> None:
    sign_in(client)
    rows = client.get("/queue/rows", headers={"X-Relais-Console": "live"}).text
    assert "<html" not in rows
    assert f'data-id="{CASE}"' in rows


@pytest.mark.parametrize(
    ("who", "screen", "query", "asked"),
    [
        (
            ADVISER,
            "/queue",
            "tab=queue&queue_name=desk-2&search=dupont&cursor=c1",
            {"queue": "desk-2", "search": "dupont", "cursor": "c1"},
        ),
        (
            "support|support-01|",
            "/support",
            "tab=queue&language=nl&cursor=c1",
            {"language": "nl", "cursor": "c1"},
        ),
    ],
)
def test_the_live_rows_ask_for_the_list_the_page_shows(
    client: TestClient, stub: Stub, who: str, screen: str, query: str, asked: dict[str, str]
) -> None:
    sign_in(client, who)
    client.get(f"{screen}?{query}")
    client.get(f"{screen}/rows?{query}")
    page, rows = [r.url.params for m, p, _, r in stub.calls if p == "/cases"][-2:]
    assert rows == page
    assert {name: page[name] for name in asked} == asked


def test_my_cases_ask_for_what_i_hold(client: TestClient, stub: Stub) -> None:
    sign_in(client)
    client.get("/queue?tab=mine")
    asked = [r for m, p, _, r in stub.calls if p == "/cases"][-1]
    assert asked.url.params["assignee"] == "liege-adv-01"
    assert asked.url.params.get_list("state") == ["claimed", "waiting_on_member"]


def test_the_queue_in_dutch(client: TestClient) -> None:
    sign_in(client, lang="nl")
    page = client.get("/queue").text
    assert 'lang="nl"' in page
    assert "Te laat" in page
    assert "Mijn wachtrij" in page
    assert "⟦" not in page


def test_support_sees_the_escalations_matched_to_them_first(client: TestClient, stub: Stub) -> None:
    answer = client.post("/login", data={"who": "support|support-01|", "lang": "fr"})
    assert answer.headers["location"] == "/support"
    client.get("/support")
    asked = [r for m, p, _, r in stub.calls if p == "/cases"][-1]
    assert asked.url.params["routed_to"] == "support-01"
    assert asked.url.params["tier"] == "support"
