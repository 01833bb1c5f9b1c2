"""Whole case lives as the log holds them: (topic, event) pairs decided by the services' own
pure code (intake, routing, advisory, admin), for projection tests that need realistic logs."""

from __future__ import annotations

import dataclasses
import random
import uuid
import zlib
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from aiokafka import ConsumerRecord

from relais_cli.demo_data import stream
from services.admin.domain import task_opened
from services.advisory.commands import topic_of
from services.advisory.decisions import (
    AddNote,
    Claim,
    Command,
    Escalate,
    Resolve,
    ReturnToAdviser,
    SendReply,
    WaitOnMember,
)
from services.advisory.domain import evolve, fold
from services.advisory.moves import decisions as moving
from services.advisory.moves.kinds import Release, Reopen, Transfer
from services.advisory.moves.known import Known
from services.intake.domain import SubmitRequest, request_received
from services.routing import domain as routing
from services.routing import support_policy, transfers
from services.routing.deciding import Staffing, route
from shared.codec import encode
from shared.events import (
    ADMIN_TASKS,
    REQUEST_RECEIVED,
    ROUTED,
    AdminAct,
    CaseEscalated,
    CaseFact,
    CaseResolved,
    CaseTransferred,
    EscalationReason,
    Event,
    Outcome,
)
from shared.identity import Principal, Role
from shared.settings import DEMO_OFFICES, DEMO_TOPIC_FAMILIES
from tests.support.cases import SAM, T0
from tests.support.organisation import unstaffed

ROUTE = "route"  # routing sends the escalation to support
TRANSFER = "transfer"  # routing decides on the transfer
# What advisory checks a transfer against (the demo's offices and families).
CONFIGURED = Known(offices=frozenset(DEMO_OFFICES), topic_families=frozenset(DEMO_TOPIC_FAMILIES))
Step = tuple[Principal, Command] | str
RESOLVE_WITH_ACT = Resolve(outcome=Outcome.SOLVED, admin_act=AdminAct.CONTRACT_REGISTRATION)
ESCALATE = Escalate(reason_code=EscalationReason.COMPLEX_CASE, note="too hard")


def paths(adviser: Principal) -> list[list[Step]]:
    """The lives a case can have, from just routed to resolved after a return from support,
    reopened, released or transferred."""
    claim: list[Step] = [(adviser, Claim())]
    elsewhere = next(o for o in DEMO_OFFICES if o != adviser.office)
    at_support: list[Step] = [
        *claim,
        (adviser, SendReply(text="hello")),
        (adviser, ESCALATE),
        ROUTE,
    ]
    return [
        [],
        [*claim, (adviser, AddNote(note="called the member"))],
        [*claim, (adviser, WaitOnMember(note="invoice?"))],
        [*claim, (adviser, ESCALATE)],
        at_support,
        [*at_support, (SAM, Claim()), (SAM, RESOLVE_WITH_ACT)],
        [*at_support, (SAM, ReturnToAdviser(note="yours")), (adviser, RESOLVE_WITH_ACT)],
        [*claim, (adviser, Resolve(outcome=Outcome.ANSWERED))],
        [
            *claim,
            (adviser, Resolve(outcome=Outcome.ANSWERED)),
            (adviser, Reopen(reason="the member wrote back")),
            (adviser, RESOLVE_WITH_ACT),
        ],
        [*claim, (adviser, Release(reason="needs another language"))],
        [*claim, (adviser, Transfer(to_office=elsewhere, reason="moved")), TRANSFER],
    ]


def life(seed: int, steps: list[Step]) -> list[tuple[str, CaseFact]]:
    """One case's events, from the member's request to where ``steps`` lead."""
    body = stream(1, seed=seed)[0]
    case_id = uuid.uuid4()
    start = T0 + timedelta(minutes=seed)
    request = request_received(
        SubmitRequest.model_validate(body),
        case_id=case_id,
        event_id=uuid.uuid4(),
        correlation_id=case_id,
        now=start,
    )
    office = unstaffed(request.member.home_office)
    first = routing.case_routed(request, route(request, office, None), start)
    log: list[tuple[str, CaseFact]] = [(REQUEST_RECEIVED, request), (ROUTED, first)]
    state = fold(case_id, [first])
    escalation: CaseEscalated | None = None
    for i, step in enumerate(steps):
        now = start + timedelta(seconds=i + 1)
        if step == TRANSFER:
            transfer = log[-1][1]
            assert isinstance(transfer, CaseTransferred)
            there = Staffing(transfer.to_office)
            event: Any = transfers.route_transfer(transfer, there, first.language, None, now)
            log.append((ROUTED, event))
        elif isinstance(step, str):
            assert escalation is not None
            known = routing.KnownCase(
                first.topic_family, first.language, first.organisation_model, start
            )
            event = routing.escalation_routed(
                escalation, known, support_policy.route_escalation(escalation, known), now
            )
            log.append((ROUTED, event))
        else:
            actor, command = step
            event = moving.decide(
                state, command, actor, event_id=uuid.uuid4(), now=now, known=CONFIGURED
            )
            escalation = event if isinstance(event, CaseEscalated) else escalation
            log.append((topic_of(event), event))
            opened = task_opened(event) if isinstance(event, CaseResolved) else None
            if opened is not None:
                log.append((ADMIN_TASKS, opened))
        state = evolve(state, event)
    return log


def logs(count: int, seed: int = 0) -> list[tuple[str, CaseFact]]:
    """``count`` cases, cycling through every path, each case's events in causal order."""
    result: list[tuple[str, CaseFact]] = []
    for i in range(count):
        office = stream(1, seed=seed + i)[0]["member"]["home_office"]
        adviser = Principal(f"adviser-{office}", Role.ADVISER, office)
        options = paths(adviser)
        result.extend(life(seed + i, options[i % len(options)]))
    return result


def as_records(
    log: Sequence[tuple[str, Event]], start: int = 0
) -> list[ConsumerRecord[bytes, bytes]]:
    """The Kafka records of a log: partition by key (a case, or an office or adviser for the
    organisation's facts), offsets growing per topic and partition."""
    offsets: dict[tuple[str, int], int] = {}
    records = []
    for topic, event in log:
        key = event.message_key.encode()
        partition = zlib.crc32(key) % 6
        offset = offsets.get((topic, partition), start)
        offsets[(topic, partition)] = offset + 1
        value = encode(event)
        records.append(
            ConsumerRecord(
                topic=topic,
                partition=partition,
                offset=offset,
                timestamp=0,
                timestamp_type=0,
                key=key,
                value=value,
                checksum=None,
                serialized_key_size=len(key),
                serialized_value_size=len(value),
                headers=[],
            )
        )
    return records


def moved(
    records: list[ConsumerRecord[bytes, bytes]], by: int
) -> list[ConsumerRecord[bytes, bytes]]:
    """The same messages published again further down the log (an outbox re-publish)."""
    return [dataclasses.replace(r, offset=r.offset + by) for r in records]


def interleaved(records: list[ConsumerRecord[bytes, bytes]], seed: int) -> list[Any]:
    """The records in another order a replay could read them in: each partition of each topic
    in its own order (Kafka's guarantee), the partitions and topics mixed at random."""
    rng = random.Random(seed)
    queues: dict[tuple[str, int], list[Any]] = {}
    for r in records:
        queues.setdefault((r.topic, r.partition), []).append(r)
    lanes = [list(reversed(q)) for q in queues.values()]
    result = []
    while lanes:
        lane = rng.choice(lanes)
        result.append(lane.pop())
        if not lane:
            lanes.remove(lane)
    return result
