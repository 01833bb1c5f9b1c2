-- bi_sla (0004) now reads advisory's SLA clocks: one row per case, its resolution clock, in
-- business seconds. met/breached stay NULL while the clock runs, except a breach already seen.
CREATE OR REPLACE VIEW bi_sla AS
SELECT
    case_id::uuid                    AS case_id,
    target_s::double precision       AS target_s,
    deadline::timestamptz            AS due_at,
    paused_s::double precision       AS paused_s,
    elapsed_s::double precision      AS elapsed_s,
    (CASE WHEN stopped_at IS NULL THEN NULL ELSE coalesce(on_time, false) END)::boolean AS met,
    (CASE WHEN breached_at IS NOT NULL THEN true
          WHEN stopped_at IS NULL THEN NULL
          ELSE false END)::boolean  AS breached
FROM sla_clocks
WHERE clock = 'resolution';
