-- A member's erasure masks their escalations' notes: found by member.
CREATE INDEX escalations_member ON escalations ((event->>'member_id'));
