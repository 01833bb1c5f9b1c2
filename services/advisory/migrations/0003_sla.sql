-- SLA clocks. sla_facts holds every SLA fact (the `sla` topic), the SLA history of each case.
-- sla_clocks has one row per case and clock, filled from both sides of the log:
--   the case side (opened_at .. waits_ended) as advisory records the case's facts: when it was
--   first routed, when the clock's goal was reached, how many waits on the member began/ended;
--   the SLA side (priority .. next_due) is the fold of the clock's SLA facts.
-- Each side is order tolerant on its own (least(), counts of new facts, refold). The SLA tick
-- works on the rows where the two sides disagree, and on the rows whose next_due has come.
CREATE TABLE sla_facts (
    event_id    uuid PRIMARY KEY,
    case_id     uuid        NOT NULL,
    clock       text        NOT NULL,
    type        text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    event       jsonb       NOT NULL
);
CREATE INDEX sla_facts_case ON sla_facts (case_id, occurred_at, event_id);

CREATE TABLE sla_clocks (
    case_id     uuid    NOT NULL,
    clock       text    NOT NULL,
    opened_at   timestamptz,
    stopped_at  timestamptz,
    waits_begun integer NOT NULL DEFAULT 0,
    waits_ended integer NOT NULL DEFAULT 0,
    priority    text,
    target_s    double precision,
    started_at  timestamptz,
    deadline    timestamptz,
    warn_at     timestamptz,
    paused      boolean NOT NULL DEFAULT false,
    pauses      integer NOT NULL DEFAULT 0,
    resumes     integer NOT NULL DEFAULT 0,
    warned_at   timestamptz,
    breached_at timestamptz,
    met_at      timestamptz,
    on_time     boolean,
    elapsed_s   double precision,
    paused_s    double precision NOT NULL DEFAULT 0,
    next_due    timestamptz,
    PRIMARY KEY (case_id, clock)
);
-- The tick's two questions, each answered from a small partial index.
CREATE INDEX sla_clocks_behind ON sla_clocks (case_id)
WHERE opened_at IS NOT NULL AND met_at IS NULL
  AND (started_at IS NULL OR stopped_at IS NOT NULL OR pauses <> waits_begun
       OR resumes <> waits_ended);
CREATE INDEX sla_clocks_due ON sla_clocks (next_due) WHERE next_due IS NOT NULL;
