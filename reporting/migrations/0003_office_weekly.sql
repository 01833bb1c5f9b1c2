-- Each office week by week, with the model its cases were routed under: the before/after view
-- of an office that switched model (Namur in the demo) beside the offices that did not, in the
-- same weeks. The difference in differences over these weeks, with its randomization
-- inference (placebo offices and dates), is in `relais lab`'s report (docs/lab.md).
CREATE VIEW {bi}.office_weekly AS
SELECT
    l.office,
    date_trunc('week', l.received_at AT TIME ZONE 'Europe/Brussels')::date AS week,
    mode() WITHIN GROUP (ORDER BY l.organisation_model)                   AS organisation_model,
    count(*)                                                              AS cases,
    count(*) FILTER (WHERE l.organisation_model = 'specialised')          AS specialised_cases,
    avg(l.received_to_first_response_s)                                   AS mean_received_to_first_response_s,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY l.received_to_first_response_s)
                                                                          AS median_received_to_first_response_s,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY l.received_to_first_response_s)
                                                                          AS p90_received_to_first_response_s,
    avg(l.received_to_resolved_s)                                         AS mean_received_to_resolved_s,
    (count(*) FILTER (WHERE l.escalated_at IS NOT NULL))::double precision / count(*)
                                                                          AS escalation_rate
FROM {bi}.case_lifecycle l
WHERE l.office IS NOT NULL
GROUP BY l.office, date_trunc('week', l.received_at AT TIME ZONE 'Europe/Brussels')::date;
