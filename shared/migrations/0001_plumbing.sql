-- Plumbing every service has in its own schema: the transactional outbox and the consumed
-- positions. Unqualified names: each service's search_path is its own schema.

-- Events (and dead letters) waiting to be relayed to Kafka. Written in the same transaction as
-- the state change they announce; deleted once Kafka has acknowledged them.
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    topic       text        NOT NULL,
    key         bytea,
    value       bytea       NOT NULL,
    headers     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The next offset to process per consumer group and partition, written in the same transaction
-- as the projection rows: a redelivered message below it is skipped.
CREATE TABLE consumer_positions (
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    partition      integer     NOT NULL,
    next_offset    bigint      NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition)
);
