-- The BI read models: stable, documented views over the services' projections (docs/bi.md).
-- Placeholders in braces name the schemas (bi, and each source service's), so the same views
-- can be installed over scratch schemas in tests. Days and months are Belgian local time.
-- A column is never removed or retyped: later migrations only add columns at the end
-- (CREATE OR REPLACE VIEW), and tests/integration/test_bi_views.py pins them.
-- Columns whose facts belong to services not yet projected (advisory: first response,
-- escalation, resolution, SLA clock; capacities) are typed NULLs until those services land.

-- One row per case: where it came from, where it went, when each step happened.
CREATE VIEW {bi}.case_lifecycle AS
SELECT
    coalesce(c.case_id, r.case_id)                                         AS case_id,
    coalesce(c.member_id, r.member_id)                                     AS member_id,
    coalesce(c.channel, r.channel)                                         AS channel,
    coalesce(c.topic_family, r.topic_family)                               AS topic_family,
    coalesce(c.language, r.event -> 'member' ->> 'preferred_language')     AS language,
    coalesce(c.office, r.event -> 'member' ->> 'home_office')              AS office,
    c.organisation_model                                                   AS organisation_model,
    c.tier                                                                 AS team,
    c.queue                                                                AS desk,
    c.adviser_id                                                           AS adviser_id,
    CASE WHEN c.case_id IS NULL THEN 'received' ELSE 'routed' END          AS status,
    coalesce(c.received_at, r.received_at)                                 AS received_at,
    (coalesce(c.received_at, r.received_at) AT TIME ZONE 'Europe/Brussels')::date
                                                                           AS received_date,
    date_trunc('month', coalesce(c.received_at, r.received_at) AT TIME ZONE 'Europe/Brussels')::date
                                                                           AS received_month,
    c.routed_at                                                            AS routed_at,
    NULL::timestamptz                                                      AS first_response_at,
    NULL::timestamptz                                                      AS escalated_at,
    NULL::text                                                             AS escalation_reason,
    NULL::timestamptz                                                      AS resolved_at,
    NULL::text                                                             AS outcome,
    NULL::text                                                             AS admin_act,
    extract(epoch FROM c.routed_at - coalesce(c.received_at, r.received_at))::double precision
                                                                           AS received_to_routed_s,
    NULL::double precision                                                 AS routed_to_first_response_s,
    NULL::double precision                                                 AS received_to_first_response_s,
    NULL::double precision                                                 AS received_to_escalated_s,
    NULL::double precision                                                 AS received_to_resolved_s
FROM {intake}.requests r
FULL JOIN {routing}.cases c ON c.case_id = r.case_id;

-- SLA per case: the target, the paused time, and whether it was met.
CREATE VIEW {bi}.sla_case AS
SELECT
    l.case_id,
    l.office,
    l.organisation_model,
    l.topic_family,
    l.channel,
    l.received_at,
    l.received_month,
    NULL::double precision  AS target_s,
    NULL::timestamptz       AS due_at,
    l.first_response_at,
    l.resolved_at,
    NULL::double precision  AS paused_s,
    NULL::double precision  AS elapsed_s,
    NULL::boolean           AS met,
    NULL::boolean           AS breached
FROM {bi}.case_lifecycle l;

-- SLA per office and month.
CREATE VIEW {bi}.sla_monthly AS
SELECT
    s.office,
    s.received_month                                                      AS month,
    s.organisation_model,
    count(*)                                                              AS cases,
    count(*) FILTER (WHERE s.met)                                         AS met,
    count(*) FILTER (WHERE s.breached)                                    AS breached,
    count(*) FILTER (WHERE s.met IS NULL AND s.breached IS NULL)          AS not_assessed,
    (count(*) FILTER (WHERE s.met))::double precision
        / nullif(count(*) FILTER (WHERE s.met OR s.breached), 0)          AS met_rate,
    sum(s.paused_s)                                                       AS paused_s_total,
    avg(s.paused_s)                                                       AS paused_s_avg
FROM {bi}.sla_case s
GROUP BY s.office, s.received_month, s.organisation_model;

-- Workload per day at the finest grain (office, team, desk, adviser): cases routed in, cases
-- handled (resolved), cases open at the end of the day, against capacity. Every measure but
-- load_ratio adds up: sum over advisers for a desk, over desks for a team or an office.
CREATE VIEW {bi}.workload_daily AS
WITH moves AS (
    SELECT office, team, desk, coalesce(adviser_id, '') AS adviser_key,
           (routed_at AT TIME ZONE 'Europe/Brussels')::date AS day, 1 AS received, 0 AS handled
    FROM {bi}.case_lifecycle WHERE routed_at IS NOT NULL
    UNION ALL
    SELECT office, team, desk, coalesce(adviser_id, ''),
           (resolved_at AT TIME ZONE 'Europe/Brussels')::date, 0, 1
    FROM {bi}.case_lifecycle WHERE routed_at IS NOT NULL AND resolved_at IS NOT NULL
), units AS (
    SELECT office, team, desk, adviser_key, min(day) AS first_day, max(day) AS last_day
    FROM moves GROUP BY office, team, desk, adviser_key
), days AS (
    SELECT u.office, u.team, u.desk, u.adviser_key, d::date AS day
    FROM units u,
         generate_series(
             u.first_day,
             greatest(u.last_day, (now() AT TIME ZONE 'Europe/Brussels')::date),
             interval '1 day'
         ) AS d
), daily AS (
    SELECT d.office, d.team, d.desk, d.adviser_key, d.day,
           coalesce(sum(m.received), 0) AS received, coalesce(sum(m.handled), 0) AS handled
    FROM days d
    LEFT JOIN moves m
      ON m.office = d.office AND m.team = d.team AND m.desk = d.desk
     AND m.adviser_key = d.adviser_key AND m.day = d.day
    GROUP BY d.office, d.team, d.desk, d.adviser_key, d.day
)
SELECT
    day,
    office,
    team,
    desk,
    nullif(adviser_key, '')                                               AS adviser_id,
    received::bigint                                                      AS received,
    handled::bigint                                                       AS handled,
    (sum(received - handled) OVER (
        PARTITION BY office, team, desk, adviser_key ORDER BY day))::bigint AS open_end_of_day,
    NULL::integer                                                         AS capacity,
    NULL::double precision                                                AS load_ratio
FROM daily;

-- Escalation rate per month, office, topic family and organisation model.
CREATE VIEW {bi}.escalation_rates AS
SELECT
    received_month                                                        AS month,
    office,
    topic_family,
    organisation_model,
    count(*)                                                              AS cases,
    count(*) FILTER (WHERE escalated_at IS NOT NULL)                      AS escalated,
    (count(*) FILTER (WHERE escalated_at IS NOT NULL))::double precision / count(*)
                                                                          AS escalation_rate
FROM {bi}.case_lifecycle
WHERE organisation_model IS NOT NULL
GROUP BY received_month, office, topic_family, organisation_model;

-- Escalations per reason, same dimensions.
CREATE VIEW {bi}.escalation_reasons AS
SELECT
    received_month      AS month,
    office,
    topic_family,
    organisation_model,
    escalation_reason   AS reason,
    count(*)            AS escalations
FROM {bi}.case_lifecycle
WHERE escalated_at IS NOT NULL
GROUP BY received_month, office, topic_family, organisation_model, escalation_reason;

-- Pilot (specialised) vs legacy (polyvalent): the same measures side by side, per month.
CREATE VIEW {bi}.model_comparison AS
SELECT
    l.received_month                                                      AS month,
    l.organisation_model,
    CASE l.organisation_model WHEN 'specialised' THEN 'pilot' ELSE 'legacy' END AS model_role,
    count(DISTINCT l.office)                                              AS offices,
    count(*)                                                              AS cases,
    count(*) FILTER (WHERE l.resolved_at IS NOT NULL)                     AS resolved,
    count(*) FILTER (WHERE l.escalated_at IS NOT NULL)                    AS escalated,
    (count(*) FILTER (WHERE l.escalated_at IS NOT NULL))::double precision / count(*)
                                                                          AS escalation_rate,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY l.received_to_routed_s)   AS median_received_to_routed_s,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY l.received_to_routed_s)   AS p90_received_to_routed_s,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY l.received_to_first_response_s)
                                                                          AS median_received_to_first_response_s,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY l.received_to_resolved_s) AS median_received_to_resolved_s,
    (count(*) FILTER (WHERE s.met))::double precision
        / nullif(count(*) FILTER (WHERE s.met OR s.breached), 0)          AS sla_met_rate
FROM {bi}.case_lifecycle l
JOIN {bi}.sla_case s ON s.case_id = l.case_id
WHERE l.organisation_model IS NOT NULL
GROUP BY l.received_month, l.organisation_model;
