"""The case screen against a stub of the services: what a person sees of a case, what the
console sends for each action, and the refusals in the person's words."""

from __future__ import annotations

from fastapi.testclient import TestClient

from services.advisory import examples
from tests.support.console_client import CASE, csrf, held_case, sign_in
from tests.support.console_stub import Stub


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
    held_case(stub)
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
    held_case(stub)
    sign_in(client)
    token = csrf(client.get(f"/cases/{CASE}").text)
    answer = client.post(f"/cases/{CASE}/reply", data={"csrf": token, "text": "Mon long texte"})
    assert answer.status_code == 409
    assert "Mon long texte</textarea>" in answer.text
    assert "prenez-le d&#39;abord" in answer.text


def test_another_offices_case_is_refused_in_words(client: TestClient, stub: Stub) -> None:
    stub.refuse(
        "GET", f"/cases/{CASE}", 403, "other_office", "Staff of liege see their own office."
    )
    sign_in(client)
    answer = client.get(f"/cases/{CASE}")
    assert answer.status_code == 403
    assert "appartient à un autre bureau" in answer.text


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


def test_a_case_address_that_is_no_case_is_a_page_in_words(client: TestClient) -> None:
    sign_in(client)
    answer = client.get("/cases/not-a-case")
    assert answer.status_code == 404
    assert "Introuvable" in answer.text
