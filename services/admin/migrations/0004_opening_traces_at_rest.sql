-- opening_traces holds a trace context only while its task's opening is not recorded yet (the
-- opening takes it and the row goes: at rest the table is empty, whatever code version wrote
-- the openings). The rows 0003 copied from openings already recorded go.
DELETE FROM opening_traces o
USING task_history h
WHERE o.task_id = h.task_id AND h.type = 'AdminTaskOpened';

-- task_history keeps each fact as the code reads it: AdminTaskOpened v1 is read as v2 (no due
-- date, shared.upcasting), so the openings recorded as v1 are stored as a rebuild stores them.
UPDATE task_history
SET event = event || '{"schema_version": 2, "due_at": null, "due_business_days": null}'::jsonb
WHERE type = 'AdminTaskOpened' AND event->>'schema_version' = '1';
