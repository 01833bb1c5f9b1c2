-- intake's own facts: every accepted request, the case it became, and its idempotency key.
CREATE TABLE requests (
    case_id         uuid PRIMARY KEY,
    event_id        uuid        NOT NULL UNIQUE,
    -- A client's retry key: the same key gives the same case and no second event.
    idempotency_key text UNIQUE,
    -- Hash of the request body, to refuse a key reused for a different request.
    fingerprint     text        NOT NULL,
    member_id       text        NOT NULL,
    channel         text        NOT NULL,
    topic_family    text        NOT NULL,
    event           jsonb       NOT NULL,
    received_at     timestamptz NOT NULL
);
CREATE INDEX requests_member ON requests (member_id, received_at);
