"""Reply templates: the answers advisers send often, each in French and in Dutch
(``reply_templates/fr.json``, ``nl.json``: the same ids in both, tests/unit/console/test_replies.py
fails otherwise). The person picks a template by its title in their own UI language; the text
inserted is the variant in the member's language, with the member's name and the adviser's id
filled in. Data files of the console: editing them needs no code change."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.console.translations import DEFAULT_LANGUAGE, LANGUAGES

FOLDER = Path(__file__).parent / "reply_templates"
FIELDS = ("member_name", "adviser")  # what a template's text may name, as {member_name}


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    text: str


def load(folder: Path = FOLDER) -> dict[str, dict[str, Template]]:
    """Every language's templates, by id."""
    found: dict[str, dict[str, Template]] = {}
    for lang in LANGUAGES:
        rows = json.loads((folder / f"{lang}.json").read_text(encoding="utf-8"))
        found[lang] = {r["id"]: Template(r["id"], r["title"], r["text"]) for r in rows}
    return found


TEMPLATES = load()


def member_language(detail: Mapping[str, Any], fallback: str) -> str:
    """The language to answer the member in: the case's, else the member's preferred one,
    when it is French or Dutch; otherwise ``fallback`` (the adviser's own)."""
    case = detail.get("case") or {}
    member = (detail.get("request") or {}).get("member") or {}
    for lang in (case.get("language"), member.get("preferred_language")):
        if lang in LANGUAGES:
            return str(lang)
    return fallback if fallback in LANGUAGES else DEFAULT_LANGUAGE


def filled(text: str, values: Mapping[str, str]) -> str:
    """``text`` with its fields replaced; an unknown ``{name}`` stays as written."""
    for name in FIELDS:
        text = text.replace("{" + name + "}", values.get(name, ""))
    return text


@dataclass(frozen=True)
class Offer:
    """One template as the reply form offers it: titled in the person's language, its text
    in the member's."""

    id: str
    title: str
    text: str


def offers(
    detail: Mapping[str, Any],
    ui_language: str,
    adviser: str,
    templates: Mapping[str, Mapping[str, Template]] = TEMPLATES,
) -> tuple[str, list[Offer]]:
    """The member's language and the templates to offer for this case."""
    lang = member_language(detail, ui_language)
    titles = templates.get(ui_language) or templates[DEFAULT_LANGUAGE]
    member = (detail.get("request") or {}).get("member") or {}
    values = {"member_name": str(member.get("name") or ""), "adviser": adviser}
    texts = templates[lang]
    return lang, [
        Offer(i, titles[i].title if i in titles else t.title, filled(t.text, values))
        for i, t in texts.items()
    ]
