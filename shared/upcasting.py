"""Upcasters: bring an old event read from the log up to the schema version the code knows.

Events in the log are immutable; when an event's schema changes incompatibly it gets a new
``schema_version`` and an upcaster here from the previous version. Decoding runs the chain
(v1 -> v2 -> ...) on the raw JSON before validation, so a log that mixes versions replays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

from shared.events import Event

RawEvent = dict[str, Any]
Upcaster = Callable[[RawEvent], RawEvent]


def request_received_v1_to_v2(raw: RawEvent) -> RawEvent:
    """Version 1 did not record the client's idempotency key: it is unknown, not absent."""
    return {**raw, "schema_version": 2, "idempotency_key": None}


def case_routed_v1_to_v2(raw: RawEvent) -> RawEvent:
    """Version 1 recorded neither the desk nor the decision's inputs: both unknown (null)."""
    return {**raw, "schema_version": 2, "desk": None, "inputs": None}


def admin_task_opened_v1_to_v2(raw: RawEvent) -> RawEvent:
    """Version 1 gave tasks no due date: unknown (null), not recomputed from today's settings."""
    return {**raw, "schema_version": 2, "due_at": None, "due_business_days": None}


def adviser_absence_recorded_v1_to_v2(raw: RawEvent) -> RawEvent:
    """Version 1 named no colleague to cover the absence: the cases went back to their queues."""
    return {**raw, "schema_version": 2, "covered_by": None}


# (event type, from version) -> function returning the event at version + 1.
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("RequestReceived", 1): request_received_v1_to_v2,
    ("CaseRouted", 1): case_routed_v1_to_v2,
    ("AdminTaskOpened", 1): admin_task_opened_v1_to_v2,
    ("AdviserAbsenceRecorded", 1): adviser_absence_recorded_v1_to_v2,
}


def current_version(model: type[Any]) -> int:
    """The schema_version a model accepts, read from its Literal annotation."""
    (version,) = get_args(model.model_fields["schema_version"].annotation)
    return int(version)


CURRENT_VERSIONS: dict[str, int] = {
    model.__name__: current_version(model) for model in get_args(Event)
}


class UnknownSchemaVersion(ValueError):
    """An event of a version this code cannot read (newer than it, or with no upcaster)."""


def upcast(raw: RawEvent) -> RawEvent:
    """Runs the upcaster chain until the event is at the current version of its type."""
    event_type = raw.get("type")
    version = raw.get("schema_version")
    target = CURRENT_VERSIONS.get(event_type) if isinstance(event_type, str) else None
    if (
        not isinstance(event_type, str)
        or target is None
        or not isinstance(version, int)
        or isinstance(version, bool)
    ):
        return raw  # validation reports the unknown type or the missing version clearly
    while version < target:
        step = UPCASTERS.get((event_type, version))
        if step is None:
            raise UnknownSchemaVersion(f"no upcaster for {event_type} v{version}")
        raw = step(raw)
        version = raw["schema_version"]
    if version > target:
        raise UnknownSchemaVersion(
            f"{event_type} v{version} is newer than this service reads (v{target})"
        )
    return raw
