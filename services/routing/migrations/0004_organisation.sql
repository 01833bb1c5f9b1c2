-- routing's view of the organisation: the fold of the `organisation` topic (facts keyed by office
-- or adviser). Desks and advisers keep their latest fact (by occurred_at, then event_id), whatever
-- order the facts are applied in; model changes are a history, each effective from its instant.
CREATE TABLE office_models (
    event_id     uuid PRIMARY KEY,
    office       text        NOT NULL,
    model        text        NOT NULL,
    effective_at timestamptz NOT NULL,
    occurred_at  timestamptz NOT NULL,
    changed_by   text        NOT NULL
);
CREATE INDEX office_models_office ON office_models (office, effective_at);

CREATE TABLE desks (
    office         text        NOT NULL,
    desk           text        NOT NULL,
    kind           text        NOT NULL,
    topic_families text[]      NOT NULL,
    occurred_at    timestamptz NOT NULL,
    event_id       uuid        NOT NULL,
    PRIMARY KEY (office, desk)
);

CREATE TABLE advisers (
    adviser_id  text PRIMARY KEY,
    office      text        NOT NULL,
    team        text        NOT NULL,
    desk        text,
    languages   text[]      NOT NULL,
    skills      text[]      NOT NULL,
    capacity    integer     NOT NULL,
    active      boolean     NOT NULL,
    occurred_at timestamptz NOT NULL,
    event_id    uuid        NOT NULL
);
CREATE INDEX advisers_office ON advisers (office, team);

-- An absence cancelled before its record is applied (a replay) is kept cancelled: the times
-- stay NULL until the record comes, and `cancelled` never goes back to false.
CREATE TABLE absences (
    absence_id  uuid PRIMARY KEY,
    adviser_id  text        NOT NULL,
    starts_at   timestamptz,
    ends_at     timestamptz,
    cancelled   boolean     NOT NULL DEFAULT false
);
CREATE INDEX absences_adviser ON absences (adviser_id, starts_at);
