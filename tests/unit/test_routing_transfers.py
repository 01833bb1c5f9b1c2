"""A transferred case, routed again by the policy of the office it goes to (the same pure
policy code as a new case's), its decision saying it was a transfer."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.routing import transfers
from services.routing.deciding import Staffing
from shared.events import CaseTransferred, Language
from tests.support.cases import T0
from tests.support.organisation import staffing

OFFICES = staffing()  # the demo organisation: liege specialised, bruxelles polyvalent


def transferred(
    to_office: str, family: str = "invoicing", desk: str | None = None
) -> CaseTransferred:
    case_id = uuid.uuid4()
    return CaseTransferred(
        type="CaseTransferred",
        schema_version=1,
        event_id=uuid.uuid4(),
        occurred_at=T0,
        case_id=case_id,
        member_id="M-100001",
        correlation_id=case_id,
        causation_id=None,
        producer="advisory",
        transferred_by="lea",
        reason="the member moved",
        from_office="namur",
        from_queue="namur/first_line",
        to_office=to_office,
        to_desk=desk,
        topic_family=family,
        transferred_at=T0,
    )


@pytest.mark.parametrize(
    ("office", "family", "desk", "queue"),
    [
        ("liege", "invoicing", None, "liege/contracts"),  # the family's desk
        ("liege", "expenses", None, "liege/front"),
        ("liege", "expenses", "payments", "liege/payments"),  # the desk asked for
        ("bruxelles", "invoicing", None, "bruxelles/first_line"),  # polyvalent: no desks
        ("namur", "contracts", "social", "namur/first_line"),  # a desk asked, a polyvalent office
    ],
)
def test_a_transfer_is_routed_by_the_policy_of_the_office_it_goes_to(
    office: str, family: str, desk: str | None, queue: str
) -> None:
    transfer = transferred(office, family, desk)
    routed = transfers.route_transfer(transfer, OFFICES[office], Language.FR, None, T0)
    assert (routed.office, routed.queue, routed.topic_family) == (office, queue, family)
    assert routed.adviser_id is not None  # the demo offices have room for it
    assert routed.reason.startswith("transferred by lea from namur/first_line; ")
    assert routed.causation_id == transfer.event_id
    assert routed.inputs is not None  # decided like a new case: replayable from its inputs


def test_a_transfer_is_routed_after_it_and_once() -> None:
    transfer = transferred("liege")
    earlier = T0 - timedelta(hours=1)  # routing's clock behind advisory's
    routed = transfers.route_transfer(transfer, Staffing("mons"), Language.NL, None, earlier)
    assert routed.occurred_at > transfer.occurred_at
    assert routed.queue == "mons/first_line"  # an office routing knows nothing of
    # the same transfer again: the case's latest decision is the one it caused
    assert transfers.undecided(transfer, earlier)
    assert not transfers.undecided(transfer, routed.routed_at)
    again = transfers.route_transfer(transfer, OFFICES["liege"], Language.FR, None, T0)
    assert again.event_id == routed.event_id  # a crash and a second decision: the same fact id
