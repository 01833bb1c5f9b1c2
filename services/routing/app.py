"""routing: wiring only. `request-received`, `escalated`, `case-activity`, `resolved` and its
own `organisation` in; `routed` and `organisation` out (through the outbox); the organisation
API; the demo organisation seeded at first start."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fastapi import FastAPI

from services.routing import api, handlers
from services.routing.organisation import seed
from services.routing.organisation import store as organisation_store
from shared.erasure_events import MEMBER_ERASURES, MemberErasuresTopic
from shared.events import (
    CASE_ACTIVITY,
    ESCALATED,
    ORGANISATION,
    REQUEST_RECEIVED,
    RESOLVED,
    ROUTED,
    ROUTED_SHADOW,
    CaseActivityTopic,
    EscalatedTopic,
    OrganisationLog,
    RequestReceivedLog,
    ResolvedTopic,
    RoutedTopic,
)
from shared.http import create_app
from shared.organisation_events import OrganisationTopic
from shared.service import ServiceRuntime
from shared.settings import Settings
from shared.shadow_events import RoutedShadowTopic

NAME = "routing"


def build(settings: Settings | None = None) -> tuple[ServiceRuntime, FastAPI]:
    # routing shows no personal data: it keeps what it stores of it (escalation notes) sealed.
    runtime = ServiceRuntime(
        NAME, settings or Settings(), Path(__file__).parent / "migrations", keeps_sealed=True
    )
    runtime.on_start(partial(organisation_store.seed_if_empty, facts=seed.facts(seed.load())))
    offices = runtime.settings.offices
    for topic, schema, apply, decide, why in (
        (
            REQUEST_RECEIVED,
            RequestReceivedLog,
            handlers.apply_request_received,
            partial(handlers.decide_request_received, offices=offices),
            "routing decides where each new case goes, by its office's organisation model "
            "(the log holds RequestReceived v1 and v2; v1 is read as v2)",
        ),
        (
            ESCALATED,
            EscalatedTopic,
            handlers.apply_case_escalated,
            handlers.decide_case_escalated,
            "routing sends escalated cases to the support team; the adviser's load drops",
        ),
        (
            CASE_ACTIVITY,
            CaseActivityTopic,
            handlers.apply_case_work,
            handlers.decide_case_transferred,
            "claims, returns and moves shift advisers' loads; a transferred case is routed "
            "again by the policy of the office it goes to",
        ),
        (
            RESOLVED,
            ResolvedTopic,
            handlers.apply_case_work,
            None,
            "resolutions close cases and name the member's own adviser",
        ),
        (
            ORGANISATION,
            OrganisationLog,
            handlers.apply_organisation,
            None,
            "routing's own organisation facts, read back so its projection is rebuilt from the log",
        ),
    ):
        runtime.subscribe(topic, schema, apply, f"{why} (consumer group 'routing').", decide=decide)
    runtime.subscribe(
        MEMBER_ERASURES,
        MemberErasuresTopic,
        handlers.apply_member_erasures,
        "a member erased: routing masks their escalations' notes (kept sealed until then) "
        "(consumer group 'routing').",
    )
    runtime.publishes(
        ROUTED,
        RoutedTopic,
        "Where a case was routed, and why: first routing (tier first_line, by the office's "
        "organisation model, with the inputs the policy decided from) or, after an escalation, "
        "the support team's queue (tier support). Key: case_id.",
    )
    runtime.publishes(
        ORGANISATION,
        OrganisationTopic,
        "The organisation, owned by routing: office models (and from when), desks, advisers, "
        "absences. Not about cases: the key is the office (OfficeModelChanged, DeskDefined) or "
        "the adviser (AdviserProfileSet, AdviserAbsenceRecorded, AdviserAbsenceCancelled); the "
        "envelope is event_id, occurred_at, causation_id, producer, changed_by.",
    )
    runtime.publishes(
        ROUTED_SHADOW,
        RoutedShadowTopic,
        "Shadow routing: where the candidate model shadowing an office (OfficeShadowSet) would "
        "have routed each new case, beside the live decision, from the same advisers and load. "
        "Acted on by nobody; a shadow decision never changes a live one. Key: case_id.",
    )
    # routing's projection holds its decisions: a rebuild reads them back from `routed`
    # (and the shadow's from `routed-shadow`).
    runtime.own_facts(ROUTED, handlers.apply_case_routed)
    runtime.own_facts(ROUTED_SHADOW, handlers.apply_shadow_routed)
    app = create_app(
        runtime,
        [api.router(runtime)],
        title="Relais routing",
        description="Sends each case to the right queue by its office's organisation model; "
        "ops and the administrative team manage the organisation here (every change is a fact "
        "on `organisation`).",
    )
    return runtime, app
