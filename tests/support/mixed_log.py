"""A realistic, messy log of routing's sources: whole case lives (requests, first and support
routings, claims, escalations, returns, resolutions), the organisation's facts, both versions
of requests and decisions, duplicates, decisions read before their request, later decisions,
forged decisions, and poison. What a rebuild must read exactly as the handlers do."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import orjson

from shared.codec import encode
from shared.events import (
    CASE_ACTIVITY,
    ESCALATED,
    ORGANISATION,
    REQUEST_RECEIVED,
    RESOLVED,
    ROUTED,
    CaseRouted,
    Event,
    RequestReceived,
)
from tests.support.events import T0, request, rerouted, routed
from tests.support.lifecycles import logs
from tests.support.organisation import SEED

ROUTING_TOPICS = (REQUEST_RECEIVED, ROUTED, ESCALATED, CASE_ACTIVITY, RESOLVED, ORGANISATION)
Message = tuple[bytes | None, bytes]


def as_v1(event: RequestReceived | CaseRouted) -> bytes:
    """The event as its version 1 was written (before the fields version 2 added)."""
    raw = orjson.loads(encode(event))
    for added in ("idempotency_key", "desk", "inputs", "follows_case_id"):
        raw.pop(added, None)
    raw["schema_version"] = 1
    return orjson.dumps(raw)


def edited(event: Event, **changes: object) -> bytes:
    """The event's JSON with some fields changed (whatever the contract says of them)."""
    return orjson.dumps({**orjson.loads(encode(event)), **changes})


def message(event: Event, value: bytes | None = None) -> Message:
    return event.message_key.encode(), encode(event) if value is None else value


def mixed_log(cases: int = 48) -> dict[str, list[Message]]:
    """Messages per contract topic, in publishing order."""
    log: dict[str, list[Message]] = {t: [] for t in ROUTING_TOPICS}
    for topic, event in logs(cases):
        if topic in log:
            log[topic].append(message(event))
    log[ORGANISATION] = [message(f) for f in SEED]
    _versions_and_duplicates(log)
    _decisions_out_of_order(log)
    _ties(log)
    _poison(log)
    return log


def _versions_and_duplicates(log: dict[str, list[Message]]) -> None:
    for i in range(12):
        old = request(100 + i, at=_t(i), member={"member_id": f"M-{i % 3}"})
        decision = routed(old)
        log[REQUEST_RECEIVED].append(message(old, as_v1(old) if i % 2 else None))
        log[ROUTED].append(message(decision, as_v1(decision) if i % 3 else None))
        if i % 4 == 0:  # published twice (an outbox retry)
            log[REQUEST_RECEIVED].append(message(old))
            log[ROUTED].append(message(decision))


def _decisions_out_of_order(log: dict[str, list[Message]]) -> None:
    for i in range(6):
        late = request(200 + i, at=_t(i), member={"member_id": "M-late"})
        first = routed(late)
        later = rerouted(first, "liege/contracts", timedelta(minutes=5))
        # the later decision first, then the first one, the request last of all
        log[ROUTED] += [message(later), message(first)]
        log[REQUEST_RECEIVED].append(message(late))
    orphan = routed(request(300, at=_t(0)))  # a decision whose request is not in the log
    log[ROUTED].append(message(orphan))
    forged = rerouted(orphan, "nowhere", timedelta(hours=1)).model_copy(
        update={"producer": "mallory"}
    )
    log[ROUTED].append(message(forged))


def _ties(log: dict[str, list[Message]]) -> None:
    """Facts at the same instant: the event id decides, whatever the order they are read in."""
    for i in range(4):
        same_time = request(500 + i, at=_t(9), member={"member_id": "M-tie"})
        first = routed(same_time)
        twin = first.model_copy(update={"event_id": uuid.uuid4(), "queue": f"liege/twin{i}"})
        log[REQUEST_RECEIVED].append(message(same_time))
        log[ROUTED] += [message(twin), message(first)] if i % 2 else [message(first), message(twin)]


def _poison(log: dict[str, list[Message]]) -> None:
    valid = request(400, at=_t(1))
    log[REQUEST_RECEIVED] += [
        (b"k", b"{not json"),
        (b"k", b""),
        message(
            valid, edited(valid, member={**valid.member.model_dump(), "home_office": "Liège!"})
        ),
        message(valid, edited(valid, member_id="M\u00001")),
        message(valid, edited(valid, schema_version=3)),
    ]
    # valid for the contract, spelled as the bulk loader does not vouch for: the handlers
    sub = request(401, at=_t(2))
    log[REQUEST_RECEIVED].append(
        message(sub, edited(sub, received_at="2025-03-03T09:00:02.1234567Z"))
    )
    upper = request(402, at=_t(3))
    log[REQUEST_RECEIVED].append(message(upper, edited(upper, case_id=str(upper.case_id).upper())))
    decision = routed(request(403, at=_t(4)))
    log[ROUTED] += [
        message(decision, edited(decision, type="CaseRerouted")),
        message(decision, edited(decision, policy_version=0)),
        message(decision, edited(decision, policy_version=2**40)),
        message(decision, edited(decision, extra="field")),
    ]
    log[ESCALATED].append((b"k", b'{"type": "CaseEscalated"}'))


def _t(i: int) -> datetime:
    return T0 + timedelta(seconds=i)
