-- advisory's projection. case_history holds every fact about every case, whichever topic it
-- came from (routed, case-activity, escalated, resolved) or whichever command decided it; it is
-- the case's full history and makes every apply idempotent on event_id. cases is the fold of a
-- case's history in (occurred_at, event_id) order: the queues read it.
CREATE TABLE case_history (
    event_id    uuid PRIMARY KEY,
    case_id     uuid        NOT NULL,
    occurred_at timestamptz NOT NULL,
    type        text        NOT NULL,
    -- Staff id (or service) behind the fact: claims, replies, escalations per person.
    actor       text        NOT NULL,
    event       jsonb       NOT NULL
);
CREATE INDEX case_history_case ON case_history (case_id, occurred_at, event_id);

CREATE TABLE cases (
    case_id          uuid PRIMARY KEY,
    member_id        text        NOT NULL,
    correlation_id   uuid,
    -- queued | claimed | waiting_on_member | escalated | resolved; null while only facts
    -- that follow routing are known (a replay read them first).
    status           text,
    tier             text        NOT NULL,
    office           text,
    queue            text,
    first_line_queue text,
    routed_to        text,
    assignee         text,
    escalated_by     text,
    topic_family     text,
    language         text,
    opened_at        timestamptz,
    claimed_at       timestamptz,
    first_reply_at   timestamptz,
    resolved_at      timestamptz,
    resolved_by      text,
    outcome          text,
    admin_act        text,
    escalations      integer     NOT NULL,
    replies          integer     NOT NULL,
    notes            integer     NOT NULL,
    events           integer     NOT NULL,
    last_event_at    timestamptz
);
CREATE INDEX cases_queue ON cases (queue, status, opened_at);
CREATE INDEX cases_office ON cases (office, tier, status, opened_at);
CREATE INDEX cases_assignee ON cases (assignee, status);
CREATE INDEX cases_member ON cases (member_id);

-- advisory's view of each member: their cases, open and past, and the last activity on them.
CREATE VIEW member_cases AS
SELECT member_id,
       count(*) FILTER (WHERE status IS DISTINCT FROM 'resolved') AS open_cases,
       count(*) FILTER (WHERE status = 'resolved')                AS resolved_cases,
       max(last_event_at)                                         AS last_activity_at
FROM cases
GROUP BY member_id;
