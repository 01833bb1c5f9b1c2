-- advisory and admin have landed: the columns that read NULL until then get their facts
-- (first response, escalation, resolution, outcome, administrative act, who holds a case), and
-- the views read two seams the services own for facts they do not project yet: the SLA clock
-- ({advisory}.bi_sla) and the advisers' capacity ({routing}.bi_capacity). Columns are only
-- added, at the end of a view (docs/bi.md, tests/integration/test_bi_contract.py).

-- One row per case: where it came from, where it is, when each step happened.
CREATE OR REPLACE VIEW {bi}.case_lifecycle AS
WITH first_routing AS (
    -- Routing's row keeps its latest decision (the support queue, after an escalation).
    SELECT DISTINCT ON (case_id) case_id, event ->> 'adviser_id' AS adviser_id
    FROM {advisory}.case_history
    WHERE type = 'CaseRouted'
    ORDER BY case_id, occurred_at, event_id
), first_escalation AS (
    SELECT DISTINCT ON (case_id)
           case_id, occurred_at AS escalated_at, event ->> 'reason_code' AS reason
    FROM {advisory}.case_history
    WHERE type = 'CaseEscalated'
    ORDER BY case_id, occurred_at, event_id
), task AS (
    -- A resolution opens at most one task; a case is resolved once.
    SELECT DISTINCT ON (case_id) case_id, status, closed_at
    FROM {admin}.tasks
    WHERE case_id IS NOT NULL AND status IS NOT NULL
    ORDER BY case_id, opened_at, task_id
), known AS (
    SELECT
        coalesce(c.case_id, r.case_id)                                     AS case_id,
        coalesce(c.member_id, r.member_id)                                 AS member_id,
        coalesce(c.channel, r.channel)                                     AS channel,
        coalesce(c.topic_family, r.topic_family)                           AS topic_family,
        coalesce(c.language, r.event -> 'member' ->> 'preferred_language') AS language,
        coalesce(c.office, r.event -> 'member' ->> 'home_office')          AS office,
        c.organisation_model                                               AS organisation_model,
        -- Where the case is now: advisory follows it back to first line after a return.
        CASE WHEN a.queue IS NOT NULL THEN a.tier ELSE c.tier END          AS team,
        coalesce(a.queue, c.queue)                                         AS desk,
        CASE WHEN f.case_id IS NOT NULL THEN f.adviser_id ELSE c.adviser_id END
                                                                           AS adviser_id,
        CASE
            WHEN a.status = 'resolved' THEN 'resolved'
            WHEN a.status = 'escalated' OR (a.status IS NOT NULL AND a.tier = 'support')
                THEN 'escalated'
            WHEN a.status IN ('claimed', 'waiting_on_member') THEN 'in_progress'
            WHEN c.case_id IS NOT NULL THEN 'routed'
            ELSE 'received'
        END                                                                AS status,
        coalesce(c.received_at, r.received_at)                             AS received_at,
        coalesce(a.opened_at, c.routed_at)                                 AS routed_at,
        a.first_reply_at                                                   AS first_response_at,
        e.escalated_at                                                     AS escalated_at,
        e.reason                                                           AS escalation_reason,
        a.resolved_at                                                      AS resolved_at,
        a.outcome                                                          AS outcome,
        a.admin_act                                                        AS admin_act,
        coalesce(a.assignee, a.resolved_by)                                AS handled_by,
        a.claimed_at                                                       AS claimed_at,
        a.escalations                                                      AS escalations,
        a.resolved_by                                                      AS resolved_by,
        CASE WHEN a.resolved_at IS NOT NULL THEN a.tier END                AS resolved_team,
        t.status                                                           AS admin_task_status,
        t.closed_at                                                        AS admin_task_closed_at
    FROM {intake}.requests r
    FULL JOIN {routing}.cases c ON c.case_id = r.case_id
    LEFT JOIN {advisory}.cases a ON a.case_id = coalesce(c.case_id, r.case_id)
    LEFT JOIN first_routing f ON f.case_id = coalesce(c.case_id, r.case_id)
    LEFT JOIN first_escalation e ON e.case_id = coalesce(c.case_id, r.case_id)
    LEFT JOIN task t ON t.case_id = coalesce(c.case_id, r.case_id)
)
SELECT
    case_id, member_id, channel, topic_family, language, office, organisation_model, team,
    desk, adviser_id, status, received_at,
    (received_at AT TIME ZONE 'Europe/Brussels')::date                     AS received_date,
    date_trunc('month', received_at AT TIME ZONE 'Europe/Brussels')::date  AS received_month,
    routed_at, first_response_at, escalated_at, escalation_reason, resolved_at, outcome,
    admin_act,
    extract(epoch FROM routed_at - received_at)::double precision          AS received_to_routed_s,
    extract(epoch FROM first_response_at - routed_at)::double precision
                                                                      AS routed_to_first_response_s,
    extract(epoch FROM first_response_at - received_at)::double precision
                                                                    AS received_to_first_response_s,
    extract(epoch FROM escalated_at - received_at)::double precision   AS received_to_escalated_s,
    extract(epoch FROM resolved_at - received_at)::double precision    AS received_to_resolved_s,
    handled_by, claimed_at,
    extract(epoch FROM claimed_at - routed_at)::double precision       AS routed_to_claimed_s,
    escalations, resolved_by, resolved_team, admin_task_status, admin_task_closed_at,
    extract(epoch FROM admin_task_closed_at - resolved_at)::double precision
                                                                    AS resolved_to_admin_closed_s
FROM known;

-- SLA per case: the clock advisory keeps for it (NULL until advisory projects SLA clocks).
CREATE OR REPLACE VIEW {bi}.sla_case AS
SELECT
    l.case_id,
    l.office,
    l.organisation_model,
    l.topic_family,
    l.channel,
    l.received_at,
    l.received_month,
    s.target_s,
    s.due_at,
    l.first_response_at,
    l.resolved_at,
    s.paused_s,
    s.elapsed_s,
    s.met,
    s.breached
FROM {bi}.case_lifecycle l
LEFT JOIN {advisory}.bi_sla s ON s.case_id = l.case_id;

-- Workload per day and unit (office, team, desk, staff member holding the cases), from the
-- facts that move a case: a routing or a return puts it in a desk (received), a claim moves
-- it to the claimer within the desk, an escalation takes it out, a resolution too (handled).
-- A case is in one unit at a time, so every measure but load_ratio adds up over units.
CREATE OR REPLACE VIEW {bi}.workload_daily AS
WITH facts AS (
    SELECT
        h.case_id, h.occurred_at, h.event_id, h.type, a.office,
        CASE h.type
            WHEN 'CaseRouted' THEN h.event ->> 'queue'
            WHEN 'CaseClaimed' THEN lag(h.event ->> 'queue') OVER w  -- claimed from its queue
            WHEN 'CaseReturned' THEN a.first_line_queue
        END AS desk,
        CASE h.type WHEN 'CaseReturned' THEN 'first_line' ELSE h.event ->> 'tier' END AS team,
        coalesce(CASE h.type
            WHEN 'CaseRouted' THEN h.event ->> 'adviser_id'
            WHEN 'CaseClaimed' THEN h.event ->> 'claimed_by'
            WHEN 'CaseReturned' THEN h.event ->> 'returned_to'
        END, '') AS holder
    FROM {advisory}.case_history h
    JOIN {advisory}.cases a ON a.case_id = h.case_id
    WHERE h.type IN ('CaseRouted', 'CaseClaimed', 'CaseEscalated', 'CaseReturned', 'CaseResolved')
      AND (a.resolved_at IS NULL OR h.occurred_at <= a.resolved_at)  -- nothing reopens a case
    WINDOW w AS (PARTITION BY h.case_id ORDER BY h.occurred_at, h.event_id)
), stints AS (
    SELECT office, team, desk, holder, type AS entered_by, occurred_at AS entered_at,
           lead(occurred_at) OVER w AS left_at, lead(type) OVER w AS left_by
    FROM facts
    WINDOW w AS (PARTITION BY case_id ORDER BY occurred_at, event_id)
), placed AS (
    SELECT * FROM stints
    WHERE entered_by IN ('CaseRouted', 'CaseClaimed', 'CaseReturned') AND desk IS NOT NULL
), moves AS (
    SELECT office, team, desk, holder, (entered_at AT TIME ZONE 'Europe/Brussels')::date AS day,
           1 AS delta, (entered_by <> 'CaseClaimed')::int AS received, 0 AS handled
    FROM placed
    UNION ALL
    SELECT office, team, desk, holder, (left_at AT TIME ZONE 'Europe/Brussels')::date,
           -1, 0, (left_by = 'CaseResolved')::int
    FROM placed WHERE left_at IS NOT NULL
), units AS (
    SELECT office, team, desk, holder, min(day) AS first_day, max(day) AS last_day
    FROM moves GROUP BY office, team, desk, holder
), days AS (
    SELECT u.office, u.team, u.desk, u.holder, d::date AS day
    FROM units u,
         generate_series(
             u.first_day,
             greatest(u.last_day, (now() AT TIME ZONE 'Europe/Brussels')::date),
             interval '1 day'
         ) AS d
), daily AS (
    -- Every day of every unit, with its movements if any (a union, not a join: linear).
    SELECT office, team, desk, holder, day,
           sum(received) AS received, sum(handled) AS handled, sum(delta) AS delta
    FROM (
        SELECT office, team, desk, holder, day, received, handled, delta FROM moves
        UNION ALL
        SELECT office, team, desk, holder, day, 0, 0, 0 FROM days
    ) AS all_days
    GROUP BY office, team, desk, holder, day
), running AS (
    SELECT office, team, desk, holder, day, received, handled,
           sum(delta) OVER (PARTITION BY office, team, desk, holder ORDER BY day) AS open
    FROM daily
)
SELECT
    r.day,
    r.office,
    r.team,
    r.desk,
    nullif(r.holder, '')                                                  AS adviser_id,
    r.received::bigint                                                    AS received,
    r.handled::bigint                                                     AS handled,
    r.open::bigint                                                        AS open_end_of_day,
    cap.capacity                                                          AS capacity,
    r.open::double precision / nullif(cap.capacity, 0)                    AS load_ratio
FROM running r
LEFT JOIN {routing}.bi_capacity cap ON cap.adviser_id = nullif(r.holder, '');

-- Pilot (specialised) vs legacy (polyvalent): three more measures, at the end.
CREATE OR REPLACE VIEW {bi}.model_comparison AS
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
        / nullif(count(*) FILTER (WHERE s.met OR s.breached), 0)          AS sla_met_rate,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY l.received_to_first_response_s)
                                                                          AS p90_received_to_first_response_s,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY l.received_to_resolved_s) AS p90_received_to_resolved_s,
    count(*) FILTER (WHERE l.resolved_team = 'first_line' AND l.escalated_at IS NULL)
                                                                          AS resolved_at_first_line
FROM {bi}.case_lifecycle l
JOIN {bi}.sla_case s ON s.case_id = l.case_id
WHERE l.organisation_model IS NOT NULL
GROUP BY l.received_month, l.organisation_model;
