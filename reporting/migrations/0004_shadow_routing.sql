-- Shadow routing (docs/lab.md): live and shadow decisions side by side as they happen, from
-- routing's shadow decisions (each holds the live decision it shadowed). Per office, hour and
-- queue: the cases each side put in the queue and how many of them found no adviser; per
-- adviser: the cases each side gave them (the load the candidate model would have put on them).
CREATE VIEW {bi}.shadow_routing AS
SELECT
    s.office,
    date_trunc('hour', s.routed_at, 'Europe/Brussels')                     AS hour,
    s.organisation_model                                                   AS shadow_model,
    x.queue,
    count(*) FILTER (WHERE x.side = 'live')                                AS live_cases,
    count(*) FILTER (WHERE x.side = 'shadow')                              AS shadow_cases,
    count(*) FILTER (WHERE x.side = 'live' AND x.adviser_id IS NULL)       AS live_waiting,
    count(*) FILTER (WHERE x.side = 'shadow' AND x.adviser_id IS NULL)     AS shadow_waiting
FROM {routing}.shadow_decisions s
CROSS JOIN LATERAL (
    VALUES ('live', s.live_queue, s.live_adviser_id), ('shadow', s.queue, s.adviser_id)
) AS x (side, queue, adviser_id)
GROUP BY 1, 2, 3, 4;

CREATE VIEW {bi}.shadow_load AS
SELECT
    s.office,
    date_trunc('hour', s.routed_at, 'Europe/Brussels')                     AS hour,
    s.organisation_model                                                   AS shadow_model,
    x.adviser_id,
    count(*) FILTER (WHERE x.side = 'live')                                AS live_cases,
    count(*) FILTER (WHERE x.side = 'shadow')                              AS shadow_cases,
    count(*) FILTER (WHERE x.side = 'shadow' AND x.same)                   AS same_cases
FROM {routing}.shadow_decisions s
CROSS JOIN LATERAL (
    VALUES ('live', s.live_adviser_id, s.adviser_id IS NOT DISTINCT FROM s.live_adviser_id),
           ('shadow', s.adviser_id, s.adviser_id IS NOT DISTINCT FROM s.live_adviser_id)
) AS x (side, adviser_id, same)
WHERE x.adviser_id IS NOT NULL
GROUP BY 1, 2, 3, 4;
