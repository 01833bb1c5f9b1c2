"""Working together on a case, against a stub of the services: who else is on it, the
person's draft kept as they type and given back, presence renewed with the session token."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.console_client import CASE, csrf, held_case, sign_in
from tests.support.console_stub import DRAFT, Stub, example


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
