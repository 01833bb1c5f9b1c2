-- What advisory knows of the organisation, from routing's facts on `organisation`: who works
-- where (a reassignment's colleague must be able to take the case; the workload per adviser),
-- the desks of each office (a transfer's desk must exist) and the absences (an absent
-- adviser's cases are handed over). The latest fact about an adviser or a desk wins (by
-- occurred_at, then event_id), so the tables are the same whatever order they are read in.
CREATE TABLE staff (
    staff_id    text PRIMARY KEY,
    office      text        NOT NULL,
    team        text        NOT NULL,
    desk        text,
    capacity    integer     NOT NULL,
    active      boolean     NOT NULL,
    as_of       timestamptz NOT NULL,
    as_of_event uuid        NOT NULL
);
CREATE INDEX staff_office ON staff (office, team);

CREATE TABLE desks (
    office      text        NOT NULL,
    desk        text        NOT NULL,
    kind        text        NOT NULL,
    as_of       timestamptz NOT NULL,
    as_of_event uuid        NOT NULL,
    PRIMARY KEY (office, desk)
);

-- An absence as recorded; a cancellation marks it for good (read before its record on a
-- replay, it leaves a row with only the id and the flag, filled in when the record comes).
CREATE TABLE absences (
    absence_id uuid PRIMARY KEY,
    staff_id   text        NOT NULL,
    starts_at  timestamptz,
    ends_at    timestamptz,
    cancelled  boolean     NOT NULL DEFAULT false
);
CREATE INDEX absences_staff ON absences (staff_id, starts_at);
