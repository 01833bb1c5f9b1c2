"""The console's screens against a stub of the services' HTTP answers: what a person sees
and what the console sends, in French and in Dutch."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.advisory import examples
from tests.support.console_stub import DRAFT, Stub, console, example

CASE = str(examples.CASE)
ADVISER = "adviser|liege-adv-01|liege"


@pytest.fixture
def stub() -> Stub:
    return Stub()


@pytest.fixture
def client(stub: Stub) -> Iterator[TestClient]:
    with TestClient(console(stub), follow_redirects=False) as c:
        yield c


def sign_in(client: TestClient, who: str = ADVISER, lang: str = "fr") -> None:
    answer = client.post("/login", data={"who": who, "lang": lang})
    assert answer.status_code == 303, answer.text


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


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


def test_the_case_shows_the_question_and_keeps_reply_and_note_apart(client: TestClient) -> None:
    sign_in(client)
    page = client.get(f"/cases/{CASE}").text
    assert "je n&#39;ai pas reçu la facture de janvier" in page
    # A queued case: the only action is to claim it.
    assert 'id="action-claim"' in page
    assert 'id="reply-form"' not in page
    assert 'id="member-cases"' in page
    assert 'id="history"' in page


def test_a_held_case_offers_a_reply_to_the_member_and_a_separate_internal_note(
    client: TestClient, stub: Stub
) -> None:
    detail = examples.CASE_DETAIL.model_dump(mode="json")
    detail["case"].update(status="claimed", assignee="liege-adv-01")
    stub.answers[("GET", f"/cases/{CASE}")] = (200, detail)
    sign_in(client)
    page = client.get(f"/cases/{CASE}").text
    reply = page[page.index(f'action="/cases/{CASE}/reply"') : page.index('id="note-form"')]
    assert "Le membre recevra ce texte." in reply
    assert "Envoyer au membre" in reply
    note = page[page.index('id="note-form"') : page.index(f'action="/cases/{CASE}/wait"')]
    assert "le membre ne la verra jamais" in note
    assert "Ajouter la note interne" in note
    for action in ("wait", "escalate", "resolve", "release", "reassign"):
        assert f'id="action-{action}"' in page


def test_a_reply_is_sent_to_advisory_and_the_person_is_told(client: TestClient, stub: Stub) -> None:
    sign_in(client)
    token = csrf(client.get(f"/cases/{CASE}").text)
    answer = client.post(f"/cases/{CASE}/reply", data={"csrf": token, "text": "Bonjour"})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cases/{CASE}?done=reply"
    sent = [(p, b) for m, p, b, _ in stub.calls if m == "POST"]
    assert sent == [(f"/cases/{CASE}/replies", {"text": "Bonjour"})]
    assert "Réponse envoyée au membre." in client.get(answer.headers["location"]).text


def test_a_resolution_names_the_administrative_act(client: TestClient, stub: Stub) -> None:
    sign_in(client)
    token = csrf(client.get(f"/cases/{CASE}").text)
    form = {"csrf": token, "outcome": "solved", "admin_act": "invoice_issue", "text": ""}
    client.post(f"/cases/{CASE}/resolve", data=form)
    sent = [(p, b) for m, p, b, _ in stub.calls if m == "POST"]
    assert sent == [
        (
            f"/cases/{CASE}/resolution",
            {"outcome": "solved", "admin_act": "invoice_issue", "note": ""},
        )
    ]


def test_a_claim_someone_won_first_says_who_in_the_persons_words(
    client: TestClient, stub: Stub
) -> None:
    stub.refuse(
        "POST",
        f"/cases/{CASE}/claim",
        409,
        "not_queued",
        "The case is claimed by liege-adv-02: it cannot be claimed.",
    )
    sign_in(client)
    token = csrf(client.get("/queue").text)
    answer = client.post(f"/cases/{CASE}/claim", data={"csrf": token})
    assert answer.status_code == 409
    assert "liege-adv-02 a pris ce dossier avant vous." in answer.text
    sign_in(client, lang="nl")
    answer = client.post(f"/cases/{CASE}/claim", data={"csrf": csrf(client.get("/queue").text)})
    assert "liege-adv-02 heeft dit dossier vóór u genomen." in answer.text


def test_a_refused_reply_keeps_what_the_person_typed(client: TestClient, stub: Stub) -> None:
    stub.refuse("POST", f"/cases/{CASE}/replies", 409, "not_claimed", "Nobody has claimed it.")
    detail = examples.CASE_DETAIL.model_dump(mode="json")
    detail["case"].update(status="claimed", assignee="liege-adv-01")
    stub.answers[("GET", f"/cases/{CASE}")] = (200, detail)
    sign_in(client)
    token = csrf(client.get(f"/cases/{CASE}").text)
    answer = client.post(f"/cases/{CASE}/reply", data={"csrf": token, "text": "Mon long texte"})
    assert answer.status_code == 409
    assert "Mon long texte</textarea>" in answer.text
    assert "prenez-le d&#39;abord" in answer.text


def test_a_form_without_the_session_token_is_refused(client: TestClient, stub: Stub) -> None:
    sign_in(client)
    answer = client.post(f"/cases/{CASE}/claim", data={"csrf": "forged"})
    assert answer.status_code == 400
    assert not [c for c in stub.calls if c[0] == "POST"]


def test_another_offices_case_is_refused_in_words(client: TestClient, stub: Stub) -> None:
    stub.refuse(
        "GET", f"/cases/{CASE}", 403, "other_office", "Staff of liege see their own office."
    )
    sign_in(client)
    answer = client.get(f"/cases/{CASE}")
    assert answer.status_code == 403
    assert "appartient à un autre bureau" in answer.text


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


def test_support_sees_the_escalations_matched_to_them_first(client: TestClient, stub: Stub) -> None:
    answer = client.post("/login", data={"who": "support|support-01|", "lang": "fr"})
    assert answer.headers["location"] == "/support"
    client.get("/support")
    asked = [r for m, p, _, r in stub.calls if p == "/cases"][-1]
    assert asked.url.params["routed_to"] == "support-01"
    assert asked.url.params["tier"] == "support"


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


def test_a_reply_on_a_case_that_moved_on_is_refused_with_what_changed(
    client: TestClient, stub: Stub
) -> None:
    detail = examples.CASE_DETAIL.model_dump(mode="json")
    detail["case"].update(status="claimed", assignee="liege-adv-01", version=7)
    stub.answers[("GET", f"/cases/{CASE}")] = (200, detail)
    stub.answers[("POST", f"/cases/{CASE}/replies")] = (
        409,
        {
            "error": "stale_version",
            "message": "The case changed since you opened it: ...",
            "fields": [],
            "seen_version": 7,
            "version": 8,
            "changes": [
                {
                    "version": 8,
                    "type": "ReplySent",
                    "actor": "liege-adv-02",
                    "occurred_at": "2026-12-03T13:05:00+00:00",
                    "summary": "liege-adv-02 replied to the member at 2026-12-03 13:05 UTC",
                }
            ],
        },
    )
    sign_in(client)
    page = client.get(f"/cases/{CASE}").text
    assert 'name="seen_version" value="7"' in page
    answer = client.post(
        f"/cases/{CASE}/reply", data={"csrf": csrf(page), "seen_version": "7", "text": "Bonjour"}
    )
    sent = [r for m, p, _, r in stub.calls if m == "POST"][-1]
    assert sent.headers["if-match"] == '"7"'
    assert answer.status_code == 409
    changes = answer.text[answer.text.index('id="problem-changes"') :]
    assert "Réponse envoyée au membre · liege-adv-02" in changes
    assert "Bonjour</textarea>" in answer.text


def test_a_claim_from_a_list_carries_no_version(client: TestClient, stub: Stub) -> None:
    sign_in(client)
    client.post(f"/cases/{CASE}/claim", data={"csrf": csrf(client.get("/queue").text)})
    sent = [r for m, p, _, r in stub.calls if m == "POST"][-1]
    assert "if-match" not in sent.headers


def held_case(stub: Stub) -> None:
    detail = examples.CASE_DETAIL.model_dump(mode="json")
    detail["case"].update(status="claimed", assignee="liege-adv-01")
    stub.answers[("GET", f"/cases/{CASE}")] = (200, detail)


def test_the_case_says_who_else_is_on_it(client: TestClient, stub: Stub) -> None:
    sign_in(client)
    page = client.get(f"/cases/{CASE}").text
    # advisory's presence example: liege-front-02 is replying.
    presence = page[page.index('id="presence-people"') :]
    assert "liege-front-02 (est en train d&#39;écrire)" in presence
    said = [(m, p, b) for m, p, b, _ in stub.calls if m == "PUT"]
    assert said == [("PUT", f"/cases/{CASE}/presence", {"activity": "viewing"})]


def test_the_persons_draft_comes_back_in_its_box(client: TestClient, stub: Stub) -> None:
    held_case(stub)
    draft = example(DRAFT)
    draft.update(kind="note", text="Penser au contrat cadre")
    stub.answers[("GET", f"/cases/{CASE}/draft")] = (200, draft)
    sign_in(client)
    page = client.get(f"/cases/{CASE}").text
    assert (
        'id="note-text" name="text" rows="4" maxlength="10000" required>Penser au contrat' in page
    )
    assert "Votre brouillon a été repris." in page


def test_typing_keeps_a_draft_and_an_empty_box_drops_it(client: TestClient, stub: Stub) -> None:
    held_case(stub)
    stub.answers[("PUT", f"/cases/{CASE}/draft")] = (200, example(DRAFT))
    stub.answers[("DELETE", f"/cases/{CASE}/draft")] = (204, {})
    sign_in(client)
    token = csrf(client.get(f"/cases/{CASE}").text)
    url = f"/live/cases/{CASE}/draft"
    assert (
        client.post(url, data={"csrf": token, "kind": "reply", "text": "Bonj"}).status_code == 200
    )
    assert client.post(url, data={"csrf": token, "kind": "reply", "text": " "}).status_code == 200
    sent = [(m, b) for m, p, b, _ in stub.calls if p == f"/cases/{CASE}/draft" and m != "GET"]
    assert sent == [("PUT", {"kind": "reply", "text": "Bonj"}), ("DELETE", None)]


def test_presence_is_renewed_only_with_the_session_token(client: TestClient, stub: Stub) -> None:
    sign_in(client)
    token = csrf(client.get(f"/cases/{CASE}").text)
    url = f"/live/cases/{CASE}/presence"
    assert client.post(url, data={"csrf": "x", "activity": "replying"}).status_code == 400
    answer = client.post(url, data={"csrf": token, "activity": "replying"})
    assert "liege-front-02" in answer.text
    assert "<html" not in answer.text
    assert [b for m, p, b, _ in stub.calls if m == "PUT"][-1] == {"activity": "replying"}


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


def test_a_case_address_that_is_no_case_is_a_page_in_words(client: TestClient) -> None:
    sign_in(client)
    answer = client.get("/cases/not-a-case")
    assert answer.status_code == 404
    assert "Introuvable" in answer.text
