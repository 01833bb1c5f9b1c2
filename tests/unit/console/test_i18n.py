"""The console speaks French and Dutch, completely: both catalogs hold the same keys, none is
empty, every key a template or a module names exists, and every value of the services'
vocabulary the console shows (states, acts, outcomes, events...) has its words. A missing key
fails here, never shows as English."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import get_args

import pytest

from services.advisory.domain import CaseEvent, Status
from services.advisory.notices import NoticeKind
from services.console import problems, screens
from services.console.sla import SlaState
from services.console.translations import CATALOGS, LANGUAGES, Translator, flatten
from services.console.views import case as case_view
from services.console.views import ops as ops_view
from shared import admin_task_events as tasks
from shared.events import AdminAct, EscalationReason, Language, Outcome
from shared.identity import Role
from shared.settings import DEMO_TOPIC_FAMILIES
from shared.sla_events import SlaEvent

CONSOLE = Path(__file__).resolve().parents[3] / "services" / "console"
# t('key') / t("key", ...) with a literal key, in templates and modules alike.
LITERAL = re.compile(r"""\bt\(\s*['"]([a-z_]+(?:\.[A-Za-z_]+)+)['"]""")
# Said("errors.x") and other keys named in Python.
NAMED = re.compile(r"""['"]((?:errors|case|live|login|common)\.[a-z_]+)['"]""")


def used_keys() -> set[str]:
    found: set[str] = set()
    for path in [*CONSOLE.rglob("*.html"), *CONSOLE.rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        found |= {k for k in LITERAL.findall(text) if not k.endswith("_")}
        if path.suffix == ".py":
            found |= set(NAMED.findall(text))
    return found


def event_types(union: object) -> set[str]:
    return {get_args(m.model_fields["type"].annotation)[0] for m in get_args(union)}


# Every family of values the console shows through t('family.' ~ value).
FAMILIES: dict[str, set[str]] = {
    "status": {s.value for s in Status},
    "role": {r.value for r in Role},
    "language": {lang.value for lang in Language},
    "act": {a.value for a in AdminAct},
    "outcome": {o.value for o in Outcome},
    "reason": {r.value for r in EscalationReason},
    "notice": {k.value for k in NoticeKind},
    "sla": {s.value for s in SlaState},
    "topic": set(DEMO_TOPIC_FAMILIES),
    "task_status": {"open", "completed", "rejected"},
    "event": {"RequestReceived"}
    | event_types(CaseEvent)
    | event_types(SlaEvent)
    | {
        m.__name__
        for m in (
            tasks.AdminTaskOpened,
            tasks.AdminTaskClaimed,
            tasks.AdminTaskAssigned,
            tasks.AdminTaskCompleted,
            tasks.AdminTaskRejected,
        )
    },
    "case.done_": set(case_view.ACTIONS),
    "errors": set(problems.KNOWN) | {"claimed_first"},
    "nav": {s.name for s in screens.SCREENS},
    "adviser.tab_": {"queue", "mine"},
    "adviser.caption_": {"queue", "mine"},
    "support.tab_": {"for_me", "queue", "mine"},
    "support.caption_": {"for_me", "queue", "mine"},
    "case.said_": {"question", "member", "reply", "reminder"},
    "ops.done_": set(ops_view.DONE),
    "ops.model_": set(ops_view.MODELS),
    "ops.team_": set(ops_view.TEAMS),
    "ops.col_": {c for columns in ops_view.COLUMNS.values() for c in columns},
}


def test_french_and_dutch_hold_the_same_keys() -> None:
    fr, nl = set(CATALOGS["fr"]), set(CATALOGS["nl"])
    assert sorted(fr - nl) == []
    assert sorted(nl - fr) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_text_is_empty_and_placeholders_match(lang: str) -> None:
    assert [k for k, v in CATALOGS[lang].items() if not v.strip()] == []
    fields = {
        k: {f for _, f, _, _ in string.Formatter().parse(v) if f} for k, v in CATALOGS["fr"].items()
    }
    theirs = {
        k: {f for _, f, _, _ in string.Formatter().parse(v) if f} for k, v in CATALOGS[lang].items()
    }
    assert {k for k in fields if fields[k] != theirs.get(k)} == set()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_the_console_names_has_words(lang: str) -> None:
    keys = used_keys()
    assert len(keys) > 100  # the scan finds the templates' keys at all
    assert sorted(k for k in keys if k not in CATALOGS[lang]) == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_value_the_services_answer_has_words(lang: str, family: str) -> None:
    prefix = family if family.endswith("_") else f"{family}."
    missing = sorted(v for v in FAMILIES[family] if f"{prefix}{v}" not in CATALOGS[lang])
    assert missing == []


def test_a_missing_key_shows_as_a_key_not_as_other_words() -> None:
    t = Translator("nl", {"fr": {}, "nl": {}})
    assert t("queue.nothing") == "⟦queue.nothing⟧"


def test_nested_catalogs_flatten_to_dotted_keys() -> None:
    assert flatten({"a": {"b": "x", "c": {"d": "y"}}}) == {"a.b": "x", "a.c.d": "y"}
