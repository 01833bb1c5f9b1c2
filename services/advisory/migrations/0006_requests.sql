-- What the member asked, as advisory reads it from `request-received`: the member as the
-- channel knew them, the channel, the subject and the question. One row per case, kept apart
-- from `cases` (the fold of the case's facts) so the request and the routing may be read in
-- either order: the case view joins them. Personal data: member_name, subject, body.
CREATE TABLE requests (
    case_id            uuid PRIMARY KEY,
    event_id           uuid        NOT NULL,
    member_id          text        NOT NULL,
    member_name        text        NOT NULL,
    preferred_language text        NOT NULL,
    home_office        text        NOT NULL,
    activity_type      text        NOT NULL,
    channel            text        NOT NULL,
    topic_family       text        NOT NULL,
    subject            text        NOT NULL,
    body               text        NOT NULL,
    received_at        timestamptz NOT NULL,
    -- The queue search: the member's name and the subject's words, without stemming ('simple':
    -- members write in four languages). Generated, so a rebuild computes the same.
    search             tsvector GENERATED ALWAYS AS
                           (to_tsvector('simple', member_name || ' ' || subject)) STORED
);
CREATE INDEX requests_member ON requests (member_id, received_at);
CREATE INDEX requests_search ON requests USING gin (search);
