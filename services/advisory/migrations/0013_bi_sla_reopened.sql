-- bi_sla (0005) for reopened cases (0012): the resolution clock's stopped_at is the case's last
-- resolution, so a run started by a reopening after it is running again (met and breached
-- NULL until it stops or breaches), as before its first resolution.
CREATE OR REPLACE VIEW bi_sla AS
SELECT
    case_id::uuid                    AS case_id,
    target_s::double precision       AS target_s,
    deadline::timestamptz            AS due_at,
    paused_s::double precision       AS paused_s,
    elapsed_s::double precision      AS elapsed_s,
    (CASE WHEN stopped_at IS NULL OR stopped_at < started_at THEN NULL
          ELSE coalesce(on_time, false) END)::boolean AS met,
    (CASE WHEN breached_at IS NOT NULL THEN true
          WHEN stopped_at IS NULL OR stopped_at < started_at THEN NULL
          ELSE false END)::boolean  AS breached
FROM sla_clocks
WHERE clock = 'resolution';
