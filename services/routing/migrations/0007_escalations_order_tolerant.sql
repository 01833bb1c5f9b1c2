-- A rebuild reads routing's decisions back from `routed`: the decision for an escalation may be
-- read before the escalation itself, so an escalation row can start from either side.
ALTER TABLE escalations
    ALTER COLUMN case_id DROP NOT NULL,
    ALTER COLUMN event DROP NOT NULL,
    ALTER COLUMN escalated_at DROP NOT NULL;
