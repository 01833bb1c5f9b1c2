"""Reply templates (services/console/replies.py): every template has a French and a Dutch
variant, the text inserted is in the member's language whatever the adviser's, with the
member's name and the adviser filled in."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from services.console import replies
from tests.support.console_client import CASE, held_case
from tests.support.console_stub import Stub

FIELD = re.compile(r"\{([a-z_]+)\}")


def test_every_template_has_both_variants_with_words_and_known_fields_only() -> None:
    fr, nl = replies.TEMPLATES["fr"], replies.TEMPLATES["nl"]
    assert fr.keys() == nl.keys()
    assert len(fr) >= 3
    for variant in (*fr.values(), *nl.values()):
        assert variant.title.strip()
        assert variant.text.strip()
        assert set(FIELD.findall(variant.text)) <= set(replies.FIELDS)
    assert all(fr[i].text != nl[i].text for i in fr)  # really translated


def detail(case_language: str | None, preferred: str) -> dict[str, object]:
    return {
        "case": {"language": case_language},
        "request": {"member": {"name": "Camille Dupont", "preferred_language": preferred}},
    }


@pytest.mark.parametrize(
    ("case_language", "preferred", "adviser", "expected"),
    [
        ("nl", "nl", "fr", "nl"),
        ("fr", "nl", "nl", "fr"),  # the case's language first
        (None, "nl", "fr", "nl"),  # else the member's preferred
        ("en", "de", "nl", "nl"),  # neither French nor Dutch: the adviser's own
    ],
)
def test_the_text_is_in_the_members_language(
    case_language: str | None, preferred: str, adviser: str, expected: str
) -> None:
    assert replies.member_language(detail(case_language, preferred), adviser) == expected


def test_titles_follow_the_adviser_texts_the_member_with_fields_filled() -> None:
    lang, offers = replies.offers(detail("nl", "nl"), "fr", "liege-adv-01")
    assert lang == "nl"
    first = offers[0]
    assert first.title == replies.TEMPLATES["fr"][first.id].title
    assert first.text.startswith("Beste Camille Dupont,")
    assert first.text.endswith("liege-adv-01")
    assert "{" not in first.text


@pytest.fixture
def stub() -> Stub:
    found = Stub()
    held_case(found)
    return found


def test_the_reply_form_offers_templates_in_the_members_language(client: TestClient) -> None:
    client.post("/login", data={"who": "adviser|liege-adv-01|liege", "lang": "nl"})
    page = client.get(f"/cases/{CASE}")
    assert page.status_code == 200, page.text
    assert 'id="reply-template"' in page.text
    assert "tekst in het Frans" in page.text  # the member (example) speaks French
    assert replies.TEMPLATES["nl"]["acknowledge"].title in page.text
    texts = [unescape(t) for t in re.findall(r'data-text="([^"]*)"', page.text)]
    assert texts[0].startswith("Bonjour Camille Dupont,")
    assert '<script src="/static/reply_templates.js"' in page.text
    assert client.get("/static/reply_templates.js").status_code == 200
