"""routing's bulk loader (shared.bulk): its projection built from `request-received` and
`routed` by a rebuild's first pass, set-based, into empty tables.

It writes exactly what the handlers applying facts write (handlers.apply_request_received and
apply_case_routed, through projection and workload) for the events it stages:
- a case keeps the request columns of its first request read (the handlers keep the first
  applied; a case's id is only ever given to one request);
- a member keeps their latest snapshot, a case its latest decision, a case's holder its latest
  move, each by time then event id, as the handlers' WHERE clauses; an exact tie (the same
  event twice) keeps the first read, as they do;
- a decision about an escalation (support tier) also marks the escalation routed, a write that
  is not order tolerant between two decisions: those decisions are left to the handlers, which
  apply them after the merge in log order. Everything else routing's projection is made of
  (escalations, claims, resolutions, organisation) is order tolerant and replayed by the
  handlers after the merge too."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from msgspec import DecodeError, ValidationError
from msgspec.json import Decoder

from services.routing.bulk import mirrors
from services.routing.bulk.merge import (
    DECISIONS,
    HALVES,
    MEMBER_SNAPSHOTS,
    MEMBERS,
    REQUESTS,
    decisions,
    holders,
    requests,
    since_epoch,
    snapshot_of,
)
from shared import events
from shared.bulk import BulkLoader, Merge, Row, Staged
from shared.events import REQUEST_RECEIVED, ROUTED

# The years of a time staged exactly (see merge.since_epoch); the handlers store the others.
FIRST_YEAR, LAST_YEAR = 1900, 2200
_REQUESTS = (Decoder(mirrors.RequestReceived), Decoder(mirrors.RequestReceivedV1))
_DECISIONS = (Decoder(mirrors.CaseRouted), Decoder(mirrors.CaseRoutedV1))
# The personal fields of a request, checked as the contract checks them (see mirrors).
_NAME = mirrors.personal_check(events.MemberSnapshot, "name")
_SUBJECT = mirrors.personal_check(events.RequestReceived, "subject")
_BODY = mirrors.personal_check(events.RequestReceived, "body")


def stage(topic: str, values: Sequence[bytes | None], seq: int, producer: str | None) -> Staged:
    """Rows for the staging tables; the records it does not vouch for (not readable by the
    mirrors, or a support-tier decision) are left to the handlers."""
    staged = Staged()
    if topic == REQUEST_RECEIVED:
        _stage_as(staged, REQUESTS.name, values, seq, producer, _REQUESTS, _request)
        staged.rows[MEMBER_SNAPSHOTS.name] = list(map(snapshot_of, staged.rows[REQUESTS.name]))
    elif topic == ROUTED:
        _stage_as(staged, DECISIONS.name, values, seq, producer, _DECISIONS, _decision)
    else:
        staged.unvouched.extend(range(len(values)))
    return staged


def _stage_as(
    staged: Staged,
    table: str,
    values: Sequence[bytes | None],
    seq: int,
    producer: str | None,
    decoders: tuple[Decoder[Any], ...],
    row_of: Callable[[int, Any], Row | None],
) -> None:
    """Stages each record the mirrors read and vouch for as a row of ``table``; the others go
    to the handlers. Own facts count only when this service produced them (not forgeries)."""
    rows = staged.rows.setdefault(table, [])
    current, *older = decoders
    sub_microsecond = mirrors.sub_microsecond
    for i, value in enumerate(values):
        # This loop runs once per event: the current version's mirror is tried inline.
        event: Any = None
        if value and not sub_microsecond(value):
            try:
                event = current.decode(value)
            except (DecodeError, ValidationError):
                event = _read(older, value)
        row = row_of(seq + i, event) if event is not None else None
        if row is None:
            staged.unvouched.append(i)
        elif producer is None or event.producer == producer:
            rows.append(row)


def _read(decoders: Sequence[Decoder[Any]], value: bytes) -> Any:
    """The event as the first of these mirrors that reads it, or None."""
    for decoder in decoders:
        try:
            return decoder.decode(value)
        except (DecodeError, ValidationError):
            continue
    return None


def _request(seq: int, r: Any) -> Row | None:
    """A request's staging row (``r``: a RequestReceived mirror of any version)."""
    member = r.member
    if not (
        FIRST_YEAR <= r.occurred_at.year <= LAST_YEAR
        and FIRST_YEAR <= r.received_at.year <= LAST_YEAR
        and _code(member.home_office)
        and _code(member.activity_type)
        and _code(r.topic_family)
        and _member_id(member.member_id)
        and "\x00" not in r.member_id
        and mirrors.personal_fits(_NAME, member.name)
        and mirrors.personal_fits(_SUBJECT, r.subject)
        and mirrors.personal_fits(_BODY, r.body)
    ):
        return None
    return (
        seq,
        r.case_id,
        r.event_id,
        r.member_id,
        member.preferred_language,
        member.home_office,
        member.activity_type,
        r.channel,
        r.topic_family,
        since_epoch(r.received_at),
    )


def _decision(seq: int, c: Any) -> Row | None:
    """A decision's staging row (``c``: a CaseRouted mirror of any version)."""
    if c.tier != "first_line":
        return None  # marks an escalation routed: the handlers do it, in log order
    desk = getattr(c, "desk", None)
    if not (
        FIRST_YEAR <= c.occurred_at.year <= LAST_YEAR
        and FIRST_YEAR <= c.routed_at.year <= LAST_YEAR
        and _code(c.office)
        and _code(c.topic_family)
        and (desk is None or _code(desk))
        and "\x00" not in c.queue
        and "\x00" not in c.policy
        and (c.adviser_id is None or "\x00" not in c.adviser_id)
    ):
        return None
    return (
        seq,
        c.case_id,
        c.event_id,
        since_epoch(c.occurred_at),
        c.office,
        c.queue,
        c.tier,
        c.adviser_id,
        c.organisation_model,
        c.policy,
        c.policy_version,
        since_epoch(c.routed_at),
    )


# A log holds few distinct codes (offices, topic families) and member ids repeat: a cache
# lookup costs less than a regular expression. The caches are bounded.
@functools.lru_cache(maxsize=100_000)
def _code(text: str) -> bool:
    return mirrors.CODE.fullmatch(text) is not None


@functools.lru_cache(maxsize=100_000)
def _member_id(text: str) -> bool:
    return mirrors.MEMBER_ID.fullmatch(text) is not None


# NUL is checked in the text stored (PostgreSQL text cannot hold it): such an event fails in
# the handlers (dead letter), so it is left to them.


LOADER = BulkLoader(
    topics=frozenset({REQUEST_RECEIVED, ROUTED}),
    tables=(REQUESTS, DECISIONS, MEMBER_SNAPSHOTS),
    stage=stage,
    # Two at a time, in this order: each half of the requests beside a half of the decisions,
    # then the holders, the members (a few rows per member) last.
    merge=(
        Merge("requests", requests(HALVES[0])),
        Merge("decisions", decisions(HALVES[0])),
        Merge("requests", requests(HALVES[1])),
        Merge("decisions", decisions(HALVES[1])),
        Merge("workload", holders(HALVES[0])),
        Merge("workload", holders(HALVES[1])),
        Merge("members", MEMBERS),
    ),
)
