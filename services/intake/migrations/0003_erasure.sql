-- A member's erasure masks their messages: found by member.
CREATE INDEX member_messages_member ON member_messages (member_id);
