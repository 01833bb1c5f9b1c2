-- Who holds each case, from the log: routed to an adviser, claimed, escalated (nobody), returned,
-- resolved (closed for good). The latest fact wins (by occurred_at, then event_id), so the fold is
-- the same whatever order the topics are read in; an adviser's open load is the count of the
-- open cases they hold.
CREATE TABLE workload (
    case_id     uuid PRIMARY KEY,
    holder      text,
    as_of       timestamptz NOT NULL,
    as_of_event uuid        NOT NULL,
    closed      boolean     NOT NULL DEFAULT false
);
CREATE INDEX workload_open ON workload (holder) WHERE NOT closed AND holder IS NOT NULL;

-- The member's own adviser (polyvalent model): the adviser who last resolved a first-line case
-- of theirs.
CREATE TABLE own_advisers (
    member_id   text PRIMARY KEY,
    adviser_id  text        NOT NULL,
    as_of       timestamptz NOT NULL,
    as_of_event uuid        NOT NULL
);
