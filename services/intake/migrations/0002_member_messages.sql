-- intake's own facts: every member's message accepted on an existing case (`member-messages`),
-- with its idempotency key. A case's follow-up (a message on a case resolved too long ago) is a
-- request like any other, in `requests`.
CREATE TABLE member_messages (
    event_id        uuid PRIMARY KEY,
    case_id         uuid        NOT NULL,
    -- A client's retry key: the same key gives the same message and no second event.
    idempotency_key text UNIQUE,
    -- Hash of the case and the message, to refuse a key reused for a different message.
    fingerprint     text        NOT NULL,
    member_id       text        NOT NULL,
    channel         text        NOT NULL,
    event           jsonb       NOT NULL,
    received_at     timestamptz NOT NULL
);
CREATE INDEX member_messages_case ON member_messages (case_id, received_at);
