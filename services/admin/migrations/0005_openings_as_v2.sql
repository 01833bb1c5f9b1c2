-- task_history keeps each fact as the code reads it: AdminTaskOpened v1 is read as v2 (no due
-- date, shared.upcasting), so the openings recorded as v1 are stored as a rebuild stores them.
UPDATE task_history
SET event = event || '{"schema_version": 2, "due_at": null, "due_business_days": null}'::jsonb
WHERE type = 'AdminTaskOpened' AND event->>'schema_version' = '1';
