-- The key store: one AES-256 key per member and generation. Erasing a member destroys their
-- keys: the row stays (a tombstone: the key is gone, destroyed_at and why say when and why), so
-- readers know the member's sealed fields are erased and mask them, and the legacy plaintext of
-- events written before encryption too. Owned by the relais_keystore role; services reach it
-- through shared/keys.py only (an interface a KMS or Vault could implement instead).
CREATE TABLE member_keys (
    member_id    text        NOT NULL,
    generation   integer     NOT NULL,
    key          bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    PRIMARY KEY (member_id, generation),
    CHECK ((key IS NULL) = (destroyed_at IS NOT NULL))
);
-- At most one live key per member: the one new events are sealed with.
CREATE UNIQUE INDEX member_keys_live ON member_keys (member_id) WHERE destroyed_at IS NULL;

-- What an erasure must leave no trace of, without holding any of it: salted SHA-256 hashes of
-- the member's personal values as they were before it (`relais erase --verify` looks for them).
CREATE TABLE erasures (
    erasure_id   uuid PRIMARY KEY,
    member_id    text        NOT NULL,
    cause        text        NOT NULL,
    reason       text        NOT NULL,
    erased_by    text        NOT NULL,
    erased_at    timestamptz NOT NULL,
    salt         bytea       NOT NULL,
    value_hashes bytea[]     NOT NULL
);
CREATE INDEX erasures_member ON erasures (member_id, erased_at);
