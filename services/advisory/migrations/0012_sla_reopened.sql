-- A reopened case runs its resolution clock again (services/advisory/sla/timeline.py).
-- Case side: reopens counts the case's reopenings, and the resolution clock's stopped_at is its
-- last resolution (a run is behind once its case resolved after it started). SLA side:
-- restarts counts the runs started after the first. The tick works on a clock whose reopenings
-- outnumber its restarts. Cases reopened before this migration get their count from their
-- history, so the tick starts their new run.
ALTER TABLE sla_clocks ADD COLUMN reopens integer NOT NULL DEFAULT 0,
    ADD COLUMN restarts integer NOT NULL DEFAULT 0;
UPDATE sla_clocks c SET reopens = r.n
FROM (SELECT case_id, count(*)::int AS n FROM case_history WHERE type = 'CaseReopened'
      GROUP BY case_id) AS r
WHERE c.case_id = r.case_id AND c.clock = 'resolution';
UPDATE sla_clocks c SET stopped_at = r.last
FROM (SELECT case_id, max(occurred_at) AS last FROM case_history WHERE type = 'CaseResolved'
      GROUP BY case_id) AS r
WHERE c.case_id = r.case_id AND c.clock = 'resolution';
DROP INDEX sla_clocks_behind;
CREATE INDEX sla_clocks_behind ON sla_clocks (case_id)
WHERE opened_at IS NOT NULL
  AND (reopens <> restarts
       OR (met_at IS NULL
           AND (started_at IS NULL OR stopped_at >= started_at OR pauses <> waits_begun
                OR resumes <> waits_ended)));
