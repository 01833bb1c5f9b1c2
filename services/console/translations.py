"""The console's words in French and Dutch: one catalog per language (``i18n/fr.json``,
``i18n/nl.json``), keys grouped per screen (``queue.title``, ``case.claim``...). Both
catalogs hold the same keys (tests/unit/console/test_i18n.py fails otherwise): there is no
fallback to English, and a key missing at run time shows as ``⟦key⟧``, never as other words."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

LANGUAGES = ("fr", "nl")
DEFAULT_LANGUAGE = "fr"
# babel's locales for dates, times and numbers.
LOCALES = {"fr": "fr_BE", "nl": "nl_BE"}
FOLDER = Path(__file__).parent / "i18n"

log = logging.getLogger(__name__)


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"queue": {"title": "…"}}`` as ``{"queue.title": "…"}``."""
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


def load(folder: Path = FOLDER) -> dict[str, dict[str, str]]:
    """Every language's catalog, flattened."""
    return {
        lang: flatten(json.loads((folder / f"{lang}.json").read_text(encoding="utf-8")))
        for lang in LANGUAGES
    }


CATALOGS = load()


class Translator:
    """``t("adviser.title")``, ``t("live.new", count=3)``: the words of one language."""

    def __init__(self, lang: str, catalogs: Mapping[str, Mapping[str, str]] = CATALOGS) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self.locale = LOCALES[self.lang]
        self.messages = catalogs[self.lang]

    def __call__(self, key: str, **params: Any) -> str:
        text = self.messages.get(key)
        if text is None:
            log.warning("console: no %s text for %s", self.lang, key)
            return f"⟦{key}⟧"
        return text.format_map(params) if params else text

    def has(self, key: str) -> bool:
        return key in self.messages

    def label(self, family: str, value: object, *, empty: str = "common.none") -> str:
        """The words for a value of the services' vocabulary (``status.queued``)."""
        if value is None or value == "":
            return self(empty)
        return self(f"{family}.{value}")


def pick_language(accept_language: str | None) -> str:
    """The first of French or Dutch the browser asks for; French otherwise."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
