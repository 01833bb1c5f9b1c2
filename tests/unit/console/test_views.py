"""The console's view logic: SLA states in words, what may be done on a case, the
conversation with the member kept apart from staff's notes, command bodies, refusals in the
person's words, the live update's fingerprints, and dates and numbers as read in Belgium."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from relais_cli import tokens
from services.console import formatting, problems, roster
from services.console.client import ServiceProblem
from services.console.sla import SlaState, state
from services.console.translations import pick_language
from services.console.views import case, queue
from shared.identity import Role

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("due", "status", "expected"),
    [
        (NOW - timedelta(minutes=1), "queued", SlaState.OVERDUE),
        (NOW + timedelta(minutes=30), "claimed", SlaState.DUE_SOON),
        (NOW + timedelta(hours=3), "queued", SlaState.ON_TIME),
        (NOW - timedelta(hours=3), "waiting_on_member", SlaState.PAUSED),
        (None, "queued", SlaState.NONE),
        (NOW - timedelta(hours=3), "resolved", SlaState.NONE),
    ],
)
def test_the_sla_state_of_a_case(due: datetime | None, status: str, expected: SlaState) -> None:
    assert state(due.isoformat() if due else None, status, NOW) is expected


def test_only_the_tier_that_works_a_queued_case_may_claim_it() -> None:
    queued = {"status": "queued", "tier": "first_line", "assignee": None}
    assert case.allowed(queued, Role.ADVISER, "a") == ["claim"]
    assert case.allowed(queued, Role.SUPPORT, "s") == []
    assert case.allowed(queued, Role.TEAM_LEAD, "l") == []
    assert queue.can_claim(queued, Role.ADVISER)
    assert not queue.can_claim(queued, Role.SUPPORT)


def test_a_case_held_by_a_colleague_offers_nothing() -> None:
    held = {"status": "claimed", "tier": "first_line", "assignee": "b"}
    assert case.allowed(held, Role.ADVISER, "a") == []


def test_the_holder_of_a_claimed_case_may_do_everything_an_adviser_does() -> None:
    held = {"status": "claimed", "tier": "first_line", "assignee": "a"}
    assert case.allowed(held, Role.ADVISER, "a") == [
        "reply",
        "note",
        "wait",
        "escalate",
        "resolve",
        "release",
        "reassign",
    ]


def test_support_answers_the_adviser_by_returning_and_never_escalates() -> None:
    held = {"status": "claimed", "tier": "support", "assignee": "s"}
    found = case.allowed(held, Role.SUPPORT, "s")
    assert "return" in found
    assert "resolve" in found
    assert "escalate" not in found


def test_a_wait_can_be_ended_but_not_started_again() -> None:
    waiting = {"status": "waiting_on_member", "tier": "first_line", "assignee": "a"}
    found = case.allowed(waiting, Role.ADVISER, "a")
    assert "end_wait" in found
    assert "wait" not in found
    assert "escalate" not in found


HISTORY = [
    {"type": "CaseClaimed", "actor": "a", "occurred_at": "t1", "event": {}},
    {"type": "NoteAdded", "actor": "a", "occurred_at": "t2", "event": {"note": "internal"}},
    {"type": "ReplySent", "actor": "a", "occurred_at": "t3", "event": {"text": "to member"}},
    {"type": "MemberMessageReceived", "actor": "web", "occurred_at": "t4", "event": {"body": "hi"}},
]


def test_the_conversation_holds_only_what_the_member_and_staff_said_to_each_other() -> None:
    request = {"member": {"name": "Camille"}, "body": "Question?", "received_at": "t0"}
    lines = case.conversation(request, HISTORY)
    assert [(s.kind, s.text) for s in lines] == [
        ("question", "Question?"),
        ("reply", "to member"),
        ("member", "hi"),
    ]
    assert [(s.kind, s.text) for s in case.internal(HISTORY)] == [("NoteAdded", "internal")]


@pytest.mark.parametrize(
    ("action", "form", "body"),
    [
        ("claim", {}, None),
        ("reply", {"text": " Bonjour "}, {"text": "Bonjour"}),
        ("note", {"text": "n"}, {"note": "n"}),
        ("wait", {"text": ""}, {"note": ""}),
        ("escalate", {"reason_code": "legal", "text": "x"}, {"reason_code": "legal", "note": "x"}),
        (
            "resolve",
            {"outcome": "solved", "admin_act": "", "text": ""},
            {"outcome": "solved", "admin_act": None, "note": ""},
        ),
        ("return", {"text": "see art. 4"}, {"note": "see art. 4"}),
        ("release", {"text": "why"}, {"reason": "why"}),
        ("reassign", {"to": " b ", "text": "why"}, {"to": "b", "reason": "why"}),
    ],
)
def test_each_action_sends_the_body_its_command_documents(
    action: str, form: dict[str, str], body: dict[str, object] | None
) -> None:
    assert case.command_body(action, form) == body
    assert action in case.ACTIONS


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(case.BadAction):
        case.command_body("delete", {})


def test_a_claim_won_by_a_colleague_names_them() -> None:
    refused = ServiceProblem(
        "advisory", 409, "not_queued", "The case is claimed by liege-adv-02: it cannot be claimed."
    )
    said = problems.said(refused)
    assert said.key == "errors.claimed_first"
    assert said.params["who"] == "liege-adv-02"


def test_an_unknown_refusal_still_gets_words_by_its_status() -> None:
    said = problems.said(ServiceProblem("admin", 409, "brand_new_code", "Something"))
    assert said.key == "errors.conflict"
    assert said.detail == "Something"
    assert problems.said(ServiceProblem("routing", 0, "unreachable", "x")).key == (
        "errors.unreachable"
    )


def test_a_row_fingerprint_ignores_what_only_ages() -> None:
    row = {"status": "queued", "assignee": None, "sla_due_at": "x", "notice": None, "replies": 0}
    assert queue.fingerprint(row) == queue.fingerprint(dict(row, opened_at="later"))
    assert queue.fingerprint(row) != queue.fingerprint(dict(row, status="claimed"))


def test_a_case_fingerprint_changes_with_its_history() -> None:
    detail = {"case": {"status": "claimed"}, "history": [1], "tasks": []}
    assert case.fingerprint(detail) != case.fingerprint(dict(detail, history=[1, 2]))


def test_the_lists_of_support_start_with_what_routing_matched_to_me() -> None:
    lists = queue.support_lists("support-01", None)
    assert next(iter(lists)) == "for_me"
    assert lists["for_me"].filters["routed_to"] == "support-01"
    assert queue.pick(lists, "nonsense").name == "for_me"


def test_dates_times_and_numbers_as_read_in_belgium() -> None:
    winter = datetime(2026, 12, 1, 13, 5, tzinfo=UTC)  # 14:05 in Brussels
    assert formatting.when(winter, "fr_BE") == "1 déc. 2026 14:05"
    assert formatting.when(winter, "nl_BE") == "1 dec 2026 14:05"
    assert formatting.when(winter, "fr_BE", now=winter) == "14:05"
    assert formatting.number(10000, "fr_BE") == "10\u202f000"
    assert formatting.number(10000, "nl_BE") == "10.000"
    assert formatting.relative(NOW + timedelta(hours=2), NOW, "fr_BE") == "dans 2 heures"
    assert formatting.relative(NOW - timedelta(minutes=5), NOW, "nl_BE") == "5 minuten geleden"


def test_the_browser_language_picks_french_or_dutch_only() -> None:
    assert pick_language("nl-BE,nl;q=0.9,en;q=0.8") == "nl"
    assert pick_language("en-GB,en;q=0.9") == "fr"
    assert pick_language(None) == "fr"


def test_the_fixed_demo_names_are_those_relais_token_knows() -> None:
    assert set(roster.ADMIN_TEAM) == {p.subject for p in tokens.ADMIN_TEAM}
    assert (tokens.OPS.subject,) == roster.OPS
    assert roster.team_lead("liege") == tokens.team_lead("liege")
    assert (tokens.DPO.subject,) == roster.DPO


def test_the_case_gets_its_due_time_from_its_queue_row() -> None:
    member = {"open_cases": [{"case_id": "c1", "sla_due_at": "2026-12-03T15:00:00+00:00"}]}
    found = case.with_due_time({"case_id": "c1", "status": "claimed"}, member)
    assert found["sla_due_at"] == "2026-12-03T15:00:00+00:00"
    assert "sla_due_at" not in case.with_due_time({"case_id": "c2"}, member)


def test_a_version_on_the_page_becomes_an_if_match() -> None:
    assert case.if_match("7") == '"7"'
    assert case.if_match("") is None
    assert case.if_match("7; drop") is None


def test_others_on_the_case_are_those_writing_first_and_never_me() -> None:
    presence = {
        "people": [
            {"staff_id": "me", "activity": "replying"},
            {"staff_id": "b", "activity": "viewing"},
            {"staff_id": "c", "activity": "replying"},
        ]
    }
    assert [p["staff_id"] for p in case.others_present(presence, "me")] == ["c", "b"]


def test_what_a_refused_action_kept_wins_over_the_draft() -> None:
    draft = {"kind": "reply", "text": "draft"}
    assert case.draft_for(draft, {}) == {"kind": "reply", "text": "draft"}
    assert case.draft_for(draft, {"action": "reply", "text": "typed"}) == {}
    assert case.draft_for(None, {}) == {}
