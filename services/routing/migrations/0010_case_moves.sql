-- Cases staff moved (advisory's facts on `case-activity`).
--
-- transfers: each transfer once; routing routes it again by its office's policy, and a later
-- escalation of the case goes to support with the topic family the transfer gave it.
CREATE TABLE transfers (
    event_id       uuid PRIMARY KEY,
    case_id        uuid        NOT NULL,
    to_office      text        NOT NULL,
    to_desk        text,
    topic_family   text        NOT NULL,
    transferred_at timestamptz NOT NULL
);
CREATE INDEX transfers_case ON transfers (case_id, transferred_at, event_id);

-- workload: a resolution no longer closes a case for good, since a case may be reopened. A case
-- is closed when its latest resolution is later than its latest reopening, whatever order the
-- two were read in (by occurred_at, then event_id). Cases closed until now: by their latest
-- move, which was their resolution.
ALTER TABLE workload
    ADD COLUMN closed_as_of      timestamptz,
    ADD COLUMN closed_event      uuid,
    ADD COLUMN reopened_as_of    timestamptz,
    ADD COLUMN reopened_event    uuid;
UPDATE workload SET closed_as_of = as_of, closed_event = as_of_event WHERE closed;
