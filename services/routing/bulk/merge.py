"""routing's staging tables and the merge that folds them into its empty projection tables
(services.routing.bulk.loader): one set-based statement per table, made by the same
``shared.folds.Fold`` as the handlers' upsert (services.routing.projection, workload_store), so it
keeps what they keep: latest wins by the same keys and the same order (time, then event id),
and an exact tie keeps the first read. What is written here is only how staged columns map
to the table's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from operator import itemgetter

from services.routing import projection, workload_store
from shared.bulk import Latest, StagingTable

# Times are staged as the interval since 2000 (a timedelta: one subtraction in Python, and
# asyncpg copies an interval far faster than a timestamptz). Added back to the epoch by the
# merge, whose sessions are in UTC (ops.schemas.STABLE_TEXT): days are then exactly 24 hours.
# Intervals order as the times do. The loader stages years 1900 to 2200 only.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def since_epoch(at: datetime) -> timedelta:
    return at - EPOCH


def time(column: str) -> str:
    return f"(timestamptz '2000-01-01 00:00:00+00' + {column})"


REQUESTS = StagingTable(
    "bulk_requests",
    (
        "seq",
        "case_id",
        "event_id",
        "member_id",
        "language",
        "home_office",
        "activity_type",
        "channel",
        "topic_family",
        "received_at",
    ),
    "seq bigint, case_id uuid, event_id uuid, member_id text, language text, home_office text, "
    "activity_type text, channel text, topic_family text, received_at interval",
)
DECISIONS = StagingTable(
    "bulk_routed",
    (
        "seq",
        "case_id",
        "event_id",
        "occurred_at",
        "office",
        "queue",
        "tier",
        "adviser_id",
        "organisation_model",
        "policy",
        "policy_version",
        "routed_at",
    ),
    "seq bigint, case_id uuid, event_id uuid, occurred_at interval, office text, queue text, "
    "tier text, adviser_id text, organisation_model text, policy text, policy_version int, "
    "routed_at interval",
)

# A member's snapshots, one per request: each stager keeps only its latest per member
# (shared.bulk.Latest: by time, then event id), so the merge sorts a few rows per member.
_SNAPSHOT = (
    "seq",
    "member_id",
    "language",
    "home_office",
    "activity_type",
    "received_at",
    "event_id",
)
MEMBER_SNAPSHOTS = StagingTable(
    "bulk_members",
    _SNAPSHOT,
    "seq bigint, member_id text, language text, home_office text, activity_type text, "
    "received_at interval, event_id uuid",
    latest=Latest(
        key=itemgetter(_SNAPSHOT.index("member_id")),
        rank=itemgetter(_SNAPSHOT.index("received_at"), _SNAPSHOT.index("event_id")),
    ),
)
# A request's row (REQUESTS) -> its member's snapshot row (MEMBER_SNAPSHOTS), by column name.
snapshot_of = itemgetter(*(REQUESTS.columns.index(c) for c in _SNAPSHOT))

# Member ids sort by bytes (COLLATE "C"): the same groups, a faster sort.
MEMBERS = projection.MEMBERS.merge(
    f"""SELECT seq, member_id, language AS preferred_language, home_office, activity_type,
       {time("received_at")} AS as_of, event_id AS as_of_event FROM bulk_members""",
    key_order='COLLATE "C"',
)

# The cases and their holders are merged in two halves of the case ids, one statement each:
# the statements then share the two cores evenly.
HALVES = ("< '80000000-0000-0000-0000-000000000000'", ">= '80000000-0000-0000-0000-000000000000'")


def requests(half: str) -> str:
    return projection.REQUESTS.merge(f"""
SELECT seq, case_id, member_id, channel, topic_family, language,
       {time("received_at")} AS received_at, event_id AS request_event_id
FROM bulk_requests WHERE case_id {half}""")


def decisions(half: str) -> str:
    return projection.DECISIONS.merge(f"""
SELECT seq, case_id, office, queue, tier, adviser_id, organisation_model, policy, policy_version,
       event_id AS routed_event_id, {time("routed_at")} AS routed_at
FROM bulk_routed WHERE case_id {half}""")


# Only first-line decisions are staged: each gives the case to its adviser (or to nobody).
def holders(half: str) -> str:
    return workload_store.HOLDERS.merge(f"""
SELECT seq, case_id, adviser_id AS holder, {time("occurred_at")} AS as_of,
       event_id AS as_of_event, false AS closed
FROM bulk_routed WHERE case_id {half}""")
