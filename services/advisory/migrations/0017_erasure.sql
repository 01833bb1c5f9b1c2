-- A member's erasure masks the events of their cases in the history: found by member.
CREATE INDEX case_history_member ON case_history ((event->>'member_id'));
