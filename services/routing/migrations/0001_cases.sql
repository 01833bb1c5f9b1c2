-- routing's projection: what it knows of members and cases, and every routing decision.
CREATE TABLE members (
    member_id          text PRIMARY KEY,
    preferred_language text        NOT NULL,
    home_office        text        NOT NULL,
    activity_type      text        NOT NULL,
    -- The snapshot kept is the latest by request time, whatever order events are applied in.
    as_of              timestamptz NOT NULL
);

CREATE TABLE cases (
    case_id            uuid PRIMARY KEY,
    member_id          text        NOT NULL,
    channel            text        NOT NULL,
    topic_family       text        NOT NULL,
    language           text        NOT NULL,
    received_at        timestamptz NOT NULL,
    request_event_id   uuid        NOT NULL,
    office             text        NOT NULL,
    queue              text        NOT NULL,
    tier               text        NOT NULL,
    adviser_id         text,
    organisation_model text        NOT NULL,
    policy             text        NOT NULL,
    policy_version     integer     NOT NULL,
    routed_event_id    uuid        NOT NULL,
    routed_at          timestamptz NOT NULL
);
CREATE INDEX cases_queue ON cases (queue, received_at);
