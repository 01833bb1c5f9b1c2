-- What advisory tells BI about each case's SLA clock (read by the `bi` views, docs/bi.md).
-- SLA clocks are not projected yet: the view is empty and every SLA column of bi.sla_case
-- reads NULL ("not assessed"). When advisory projects its clocks, a later migration replaces
-- this view (CREATE OR REPLACE VIEW, same columns: one row per case) and the BI views follow
-- without changing. Business time, in seconds.
CREATE VIEW bi_sla AS
SELECT
    NULL::uuid             AS case_id,    -- the case
    NULL::double precision AS target_s,   -- its SLA target
    NULL::timestamptz      AS due_at,     -- when it falls due, pauses included
    NULL::double precision AS paused_s,   -- time the clock was paused (waiting on the member)
    NULL::double precision AS elapsed_s,  -- time counted against the target
    NULL::boolean          AS met,        -- met (NULL while open)
    NULL::boolean          AS breached    -- breached (NULL while open)
WHERE false;
