-- The administrative tasks of advisory's cases, read from `admin-tasks` (owned by admin): what
-- an adviser sees of a member's open acts before answering. The opening side (task_id ..
-- opened_at) and the closing side (closing .. closing_event_id) are separate columns, so either
-- fact may be read first; a task is open while it is opened and not closed.
CREATE TABLE admin_tasks (
    task_id          uuid PRIMARY KEY,
    case_id          uuid        NOT NULL,
    member_id        text        NOT NULL,
    act              text        NOT NULL,
    office           text,
    opened_at        timestamptz,
    -- completed | rejected; null while the task is open (or only its opening is known).
    closing          text,
    closed_at        timestamptz,
    closed_by        text,
    -- The administrative team's note (personal data): why an act was refused, or what was done.
    closing_note     text,
    closing_event_id uuid
);
CREATE INDEX admin_tasks_member ON admin_tasks (member_id, opened_at);
CREATE INDEX admin_tasks_case ON admin_tasks (case_id);
