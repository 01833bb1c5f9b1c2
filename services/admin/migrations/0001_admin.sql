-- admin's projection: the administrative view of members and cases, and the tasks of the
-- administrative team. Each table is filled from the log alone (request-received, resolved,
-- admin-tasks), and reaches the same rows whatever order those topics are read in.

-- The member as their latest request described them (personal data: name).
CREATE TABLE members (
    member_id          text PRIMARY KEY,
    name               text        NOT NULL,
    preferred_language text        NOT NULL,
    home_office        text        NOT NULL,
    activity_type      text        NOT NULL,
    as_of              timestamptz NOT NULL
);

-- Each case: the request side (from request-received) and the resolution side (from resolved)
-- are separate columns, so either may arrive first.
CREATE TABLE cases (
    case_id             uuid PRIMARY KEY,
    member_id           text NOT NULL,
    office              text,
    topic_family        text,
    channel             text,
    received_at         timestamptz,
    resolution_event_id uuid,
    resolved_at         timestamptz,
    resolved_by         text,
    outcome             text,
    admin_act           text
);
CREATE INDEX cases_member ON cases (member_id);

-- Every fact about every task: the task's full history, and idempotence on event_id.
CREATE TABLE task_history (
    event_id    uuid PRIMARY KEY,
    task_id     uuid        NOT NULL,
    case_id     uuid        NOT NULL,
    occurred_at timestamptz NOT NULL,
    type        text        NOT NULL,
    actor       text        NOT NULL,
    event       jsonb       NOT NULL
);
CREATE INDEX task_history_task ON task_history (task_id, occurred_at, event_id);

-- Each task as the fold of its history.
CREATE TABLE tasks (
    task_id        uuid PRIMARY KEY,
    case_id        uuid,
    member_id      text NOT NULL,
    correlation_id uuid,
    status         text,
    act            text,
    office         text,
    opened_at      timestamptz,
    closed_at      timestamptz,
    closed_by      text,
    events         integer NOT NULL,
    last_event_at  timestamptz
);
CREATE INDEX tasks_open ON tasks (status, act, office, opened_at);
CREATE INDEX tasks_member ON tasks (member_id);
