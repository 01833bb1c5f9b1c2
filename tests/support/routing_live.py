"""What routing's live consumer runs on each topic (services.routing.app): the facts applied,
then decided on, in one transaction (shared.service.then). Tests that drive routing as it runs
live use these; a rebuild runs the ``apply_*`` handlers alone."""

from __future__ import annotations

from functools import partial

from services.routing import handlers
from shared.service import then
from shared.settings import DEMO_OFFICES

# Routing decides for the offices it is configured with; the tests run the demo's.
decide_request_received = partial(handlers.decide_request_received, offices=DEMO_OFFICES)
on_request_received = then(handlers.apply_request_received, decide_request_received)
on_case_escalated = then(handlers.apply_case_escalated, handlers.decide_case_escalated)
on_case_work = handlers.apply_case_work
on_organisation = handlers.apply_organisation
