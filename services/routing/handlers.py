"""routing's handlers: thin. Decode is done; store, decide (pure), publish through the outbox.

Each topic has an ``apply_*`` handler, which folds the events' facts into the projection, and
where routing decides something on them, a ``decide_*`` handler (shared.service: live, both run
in the batch's transaction). A rebuild applies only: routing's decisions are facts in `routed`,
read back by ``apply_case_routed``, so a rebuilt projection equals the live one."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import get_args

from services.routing import (
    deciding,
    domain,
    erasure_store,
    escalation_store,
    projection,
    shadow_store,
    shadowing,
    staffing_store,
    support_policy,
    transfer_store,
    transfers,
    workload_store,
)
from services.routing.deciding import Staffing
from services.routing.organisation import store as organisation_store
from services.routing.organisation.model import OFFICE_LOCKS, office_lock_key
from shared import faults, locks, outbox
from shared.consumer import Delivery
from shared.db import Conn
from shared.erasure_events import MemberErased
from shared.events import (
    ROUTED,
    ROUTED_SHADOW,
    CaseEscalated,
    CaseResolved,
    CaseRouted,
    CaseTransferred,
    RequestReceived,
    Tier,
)
from shared.organisation_events import OrganisationEvent
from shared.shadow_events import CaseShadowRouted

ORGANISATION_EVENTS = get_args(OrganisationEvent)
log = logging.getLogger(__name__)
# The support team's lock, in the offices' lock space (no office is named so).
SUPPORT_TEAM_LOCK = "team:support"


async def apply_request_received(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Stores the request side of each case and the member's latest snapshot."""
    requests = [d.event for d in deliveries if isinstance(d.event, RequestReceived)]
    await projection.upsert_members(conn, requests)
    await projection.insert_requests(conn, requests)


async def decide_request_received(
    conn: Conn, deliveries: Sequence[Delivery], *, offices: Collection[str]
) -> None:
    """Routes each new case by its office's model; a case already decided (redelivery,
    duplicate publish) is left alone. Decisions of one office are serialised (an office lock),
    so two batches never both give an adviser their last free slot. A request for an office
    routing is not configured for fails (dead-lettered, redriven once it is configured)."""
    requests = [d.event for d in deliveries if isinstance(d.event, RequestReceived)]
    undecided = await projection.undecided(conn, [r.case_id for r in requests])
    if not undecided:
        return
    unique = {r.case_id: r for r in requests if r.case_id in undecided}
    new = sorted(unique.values(), key=lambda r: (r.received_at, r.event_id.int))
    for request in new:
        domain.require_office(request.member.home_office, offices)
    names = sorted({r.member.home_office for r in new})
    await locks.lock_all(conn, OFFICE_LOCKS, [office_lock_key(o) for o in names])
    now = datetime.now(UTC)
    staff = await staffing_store.staffing(conn, names, now)
    own = await workload_store.own_advisers(conn, [r.member_id for r in new])
    routed = deciding.route_batch(new, staff, own, now)
    await projection.apply_routed(conn, routed)
    await workload_store.record(conn, routed)
    await outbox.enqueue(conn, [outbox.event_message(ROUTED, c) for c in routed])
    # escalations read before their case (a replay of `escalated` ahead) are routed now
    await route_escalations(
        conn, await escalation_store.pending(conn, [r.case_id for r in new]), now
    )
    await shadow(conn, new, routed, staff, own)


async def shadow(
    conn: Conn,
    requests: Sequence[RequestReceived],
    live: Sequence[CaseRouted],
    staff: Mapping[str, Staffing],
    own: Mapping[str, str],
) -> None:
    """The shadowed offices' cases decided again by their candidate model, once every live
    decision of the batch is made and recorded. Whatever fails in here (the candidate's
    policy, its writes) rolls back this savepoint alone and is logged: the live decisions
    commit as they are, and the shadow skips the batch. The shadow writes its own table and
    topic only; nothing live routing reads."""
    try:
        async with conn.transaction():  # a savepoint inside the batch's transaction
            candidates = await shadow_store.candidates(conn, list(staff))
            if not candidates:
                return
            faults.fail("routing.shadow")
            decided = shadowing.shadow_batch(requests, live, staff, own, candidates)
            await shadow_store.record(conn, decided)
            await outbox.enqueue(conn, [outbox.event_message(ROUTED_SHADOW, d) for d in decided])
    except Exception:  # by design: a failure of the shadow never touches live routing
        log.exception(
            "shadow routing failed for a batch of %d cases; live routing unaffected", len(requests)
        )


async def apply_case_routed(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Folds routing's own decisions read back from `routed` (a rebuild): the case keeps its
    latest, the adviser's load moves, and a decision for an escalation marks it routed."""
    decisions = [d.event for d in deliveries if isinstance(d.event, CaseRouted)]
    await projection.apply_routed(conn, decisions)
    await workload_store.record(conn, decisions)
    await escalation_store.mark_routed(conn, [d for d in decisions if d.tier is Tier.SUPPORT])


async def apply_shadow_routed(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Folds routing's own shadow decisions read back from `routed-shadow` (a rebuild)."""
    await shadow_store.record(
        conn, [d.event for d in deliveries if isinstance(d.event, CaseShadowRouted)]
    )


async def apply_case_escalated(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Records each escalation once; the adviser's load drops."""
    seen = [d.event for d in deliveries if isinstance(d.event, CaseEscalated)]
    unique = list({e.event_id: e for e in seen}.values())
    await workload_store.record(conn, unique)
    await escalation_store.insert(conn, unique)


async def decide_case_escalated(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Routes each escalation not routed yet to the support team: a member with the skill and
    language, or its queue (one whose case routing does not know yet waits for it:
    ``decide_request_received`` routes it then)."""
    ids = list({d.event.event_id for d in deliveries if isinstance(d.event, CaseEscalated)})
    await route_escalations(conn, await escalation_store.unrouted(conn, ids), datetime.now(UTC))


async def apply_case_work(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Claims, returns, moves and resolutions move advisers' open load; a first-line resolution
    makes its adviser the member's own adviser; transfers are kept (routing decides on them)."""
    events = [d.event for d in deliveries]
    await workload_store.record(conn, events)
    await workload_store.learn_own_advisers(
        conn, [e for e in events if isinstance(e, CaseResolved)]
    )
    await transfer_store.insert(conn, [e for e in events if isinstance(e, CaseTransferred)])


async def decide_case_transferred(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Routes each transferred case again, by the policy of the office it goes to (that
    office's lock held, as for a new case). A transfer whose case routing does not know
    fails: it is dead-lettered, to be redriven."""
    seen = [d.event for d in deliveries if isinstance(d.event, CaseTransferred)]
    if not seen:
        return
    ordered = sorted(
        {t.event_id: t for t in seen}.values(), key=lambda t: (t.occurred_at, t.event_id.int)
    )
    known = await transfer_store.known_cases(conn, [t.case_id for t in ordered])
    for t in ordered:
        if t.case_id not in known:
            raise LookupError(f"case {t.case_id} is transferred but routing never routed it")
    todo = [t for t in ordered if transfers.undecided(t, known[t.case_id].decided_at)]
    if not todo:
        return
    offices = sorted({t.to_office for t in todo})
    await locks.lock_all(conn, OFFICE_LOCKS, [office_lock_key(o) for o in offices])
    now = datetime.now(UTC)
    staff = await staffing_store.staffing(conn, offices, now)
    own = await workload_store.own_advisers(conn, [known[t.case_id].member_id for t in todo])
    routed = []
    for t in todo:
        case = known[t.case_id]
        office = staff.get(t.to_office) or deciding.Staffing(t.to_office)
        decided = transfers.route_transfer(t, office, case.language, own.get(case.member_id), now)
        if decided.adviser_id is not None:
            staff[t.to_office] = office.with_one_more(decided.adviser_id)
        routed.append(decided)
    await projection.apply_routed(conn, routed)
    await workload_store.record(conn, routed)
    await outbox.enqueue(conn, [outbox.event_message(ROUTED, r) for r in routed])


async def apply_organisation(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Folds the organisation's facts (routing's own, read back: already applied live when the
    API recorded them, so a no-op then; the whole projection on a rebuild)."""
    await organisation_store.apply(
        conn, [d.event for d in deliveries if isinstance(d.event, ORGANISATION_EVENTS)]
    )


async def route_escalations(conn: Conn, pending: Sequence[CaseEscalated], now: datetime) -> None:
    """Routes the escalations whose case routing knows, in order, to the support member with
    the skill and language (each assignment counting in the load the next one sees), else to
    the support queue; the others wait for their case. Escalation decisions are serialised
    (the support team's lock), so two batches never both give a member their last slot."""
    known = await escalation_store.known_cases(conn, list({e.case_id for e in pending}))
    ready = [(e, case) for e in pending if (case := known.get(e.case_id)) is not None]
    if not ready:
        return
    await locks.lock_all(conn, OFFICE_LOCKS, [office_lock_key(SUPPORT_TEAM_LOCK)])
    staff = await staffing_store.support_team(conn, now)
    routed = []
    for escalation, case in ready:
        decision = support_policy.route_escalation(escalation, case, staff)
        staff = support_policy.with_one_more(staff, decision.adviser_id)
        routed.append(domain.escalation_routed(escalation, case, decision, now))
    await escalation_store.mark_routed(conn, routed)
    await projection.apply_routed(conn, routed)
    await workload_store.record(conn, routed)
    await outbox.enqueue(conn, [outbox.event_message(ROUTED, r) for r in routed])


async def apply_member_erasures(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """A member erased: what routing keeps of their personal data is masked (a rebuild after the
    erasure writes the same: the readers give it masked values)."""
    for d in deliveries:
        if isinstance(d.event, MemberErased):
            await erasure_store.erase(conn, d.event.member_id)
