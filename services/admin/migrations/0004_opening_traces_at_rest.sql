-- opening_traces holds a trace context only while its task's opening is not recorded yet (the
-- opening takes it and the row goes: at rest the table is empty, whatever code version wrote
-- the openings). The rows 0003 copied from openings already recorded go.
DELETE FROM opening_traces o
USING task_history h
WHERE o.task_id = h.task_id AND h.type = 'AdminTaskOpened';
