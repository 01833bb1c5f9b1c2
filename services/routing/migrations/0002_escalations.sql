-- Every escalation routing has seen, and the routing decision it got. An escalation read before
-- its case's request (possible during a replay) waits here, unrouted, until the case is known.
CREATE TABLE escalations (
    event_id        uuid PRIMARY KEY,
    case_id         uuid        NOT NULL,
    event           jsonb       NOT NULL,
    escalated_at    timestamptz NOT NULL,
    routed_event_id uuid,
    routed_at       timestamptz
);
CREATE INDEX escalations_pending ON escalations (case_id) WHERE routed_event_id IS NULL;
