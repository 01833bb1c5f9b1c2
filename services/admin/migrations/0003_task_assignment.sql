-- Tasks are claimed or assigned (AdminTaskClaimed, AdminTaskAssigned) and carry the date their
-- act is due (AdminTaskOpened v2; null for tasks opened before).
ALTER TABLE tasks ADD COLUMN assignee text;
ALTER TABLE tasks ADD COLUMN due_at timestamptz;
CREATE INDEX tasks_assignee ON tasks (assignee, status);

-- The trace context each task's opening keeps: that of the resolution that opened it, kept
-- when the resolution is read, so an opening read back first (a rebuild) gets it as well.
-- Filled from the openings already recorded: from the log alone, as a rebuild fills it.
CREATE TABLE opening_traces (
    task_id     uuid PRIMARY KEY,
    traceparent text NOT NULL
);
INSERT INTO opening_traces (task_id, traceparent)
SELECT task_id, traceparent FROM task_history
WHERE type = 'AdminTaskOpened' AND traceparent IS NOT NULL
ON CONFLICT (task_id) DO NOTHING;
