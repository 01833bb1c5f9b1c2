-- Waits on the member, for the SLA tick's reminders and no-response closures: while a clock is
-- paused, since when and by which WaitingOnMember (the fold of its SlaPaused facts, like every
-- other column of the SLA side). Clocks paused before this migration get them from their facts.
ALTER TABLE sla_clocks ADD COLUMN paused_since timestamptz, ADD COLUMN paused_wait uuid;
UPDATE sla_clocks c
SET paused_since = (p.event->>'paused_at')::timestamptz,
    paused_wait = (p.event->>'wait_event_id')::uuid
FROM (
    SELECT DISTINCT ON (case_id, clock) case_id, clock, event FROM sla_facts
    WHERE type = 'SlaPaused' ORDER BY case_id, clock, occurred_at DESC, event_id DESC
) AS p
WHERE c.case_id = p.case_id AND c.clock = p.clock AND c.paused;
-- The tick's third question: the resolution clocks paused on a member for a while.
CREATE INDEX sla_clocks_waiting ON sla_clocks (paused_since)
WHERE paused AND clock = 'resolution';
