"""What a person reads when a service refuses: the Problem's code in their words.

The services answer in English for developers (``message``); the console says the same in
French or Dutch from the error code, and names the colleague when a case moved under the
person (a claim another adviser won says who). Unknown codes get a general sentence in the
person's language; the service's text is kept as a detail, marked as English."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.console.client import ServiceProblem

# The colleague a service names in a 409 ("The case is claimed by liege-adv-02 ...").
_HOLDER = re.compile(r"\bby ([A-Za-z0-9._-]+)")

# Problem codes the console has words for (i18n key ``errors.<code>``).
KNOWN = frozenset(
    {
        "not_queued",
        "claimed_by_other",
        "not_claimed",
        "wrong_state",
        "case_resolved",
        "already_with_support",
        "not_escalated",
        "unknown_case",
        "not_found",
        "other_office",
        "support_tier",
        "first_line_tier",
        "forbidden",
        "validation_failed",
        "unreachable",
        "unauthenticated",
        "invalid_token",
        "token_expired",
        "stale_version",
        # the administrative team's tasks, the team lead's absences and reassignments
        "task_closed",
        "already_yours",
        "already_assigned",
        "assigned_to_other",
        "unknown_task",
        "admin_team_only",
        "empty_absence",
        "self_cover",
        "unknown_adviser",
        "unknown_absence",
        "colleague_away",
        "other_team",
        "not_holder",
        "already_holds",
        "not_movable",
        "unknown_colleague",
        # ops: the services' dead letters and routing's offices
        "kafka_unavailable",
        "no_dead_letter",
        "unknown_office",
    }
)


@dataclass(frozen=True)
class Change:
    """One fact that happened since the version a person saw (a stale command's answer)."""

    type: str
    actor: str
    occurred_at: str | None


@dataclass(frozen=True)
class Said:
    """An error as the console shows it: a key of the catalog, its parameters, and the
    service's own text as a detail (English); for a stale version, what changed since."""

    key: str
    params: dict[str, str] = field(default_factory=dict)
    detail: str = ""
    fields: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()


def said(problem: ServiceProblem) -> Said:
    params = {"service": problem.service}
    holder = _HOLDER.search(problem.message)
    if holder:
        params["who"] = holder.group(1)
    fields = tuple(str(f.get("field", "")) for f in problem.fields if f.get("field"))
    code = problem.error
    if code == "stale_version":
        changes = tuple(
            Change(str(c.get("type", "")), str(c.get("actor", "")), c.get("occurred_at"))
            for c in problem.extra.get("changes") or []
            if isinstance(c, dict)
        )
        return Said("errors.stale_version", params, problem.message, fields, changes)
    if code == "not_queued" and "who" in params:
        code = "claimed_first"
    if code in KNOWN or code == "claimed_first":
        return Said(f"errors.{code}", params, problem.message, fields)
    by_status = {
        0: "errors.unreachable",
        401: "errors.unauthenticated",
        403: "errors.forbidden",
        404: "errors.not_found",
        409: "errors.conflict",
        422: "errors.validation_failed",
    }
    key = by_status.get(problem.status, "errors.unexpected")
    return Said(key, params, problem.message, fields)
