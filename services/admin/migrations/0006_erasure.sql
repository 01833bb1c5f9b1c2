-- A member's erasure masks the events of their tasks in the history: found by member.
CREATE INDEX task_history_member ON task_history ((event->>'member_id'));
