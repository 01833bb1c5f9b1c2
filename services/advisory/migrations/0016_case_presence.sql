-- Who has a case open now, and whether they are writing a reply: each console renews its
-- row every few seconds; a row older than the presence TTL (services/advisory/presence)
-- means nobody. Not a fact of the log: nothing publishes it, a rebuild neither fills nor
-- compares it (ops.schemas.NOT_FROM_LOG).
CREATE TABLE case_presence (
    case_id   uuid        NOT NULL,
    staff_id  text        NOT NULL,
    role      text        NOT NULL,
    activity  text        NOT NULL,  -- viewing | replying
    seen_at   timestamptz NOT NULL,
    PRIMARY KEY (case_id, staff_id)
);
CREATE INDEX case_presence_seen ON case_presence (seen_at);
