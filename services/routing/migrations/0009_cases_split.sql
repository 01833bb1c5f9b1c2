-- routing.cases becomes two tables with every column NOT NULL, read together through a view
-- of the same name and columns (0005 had made 14 of its columns NULL to tolerate a rebuild
-- applying a case's request and its decision in either order):
-- - requests: the request facts of a case, from RequestReceived;
-- - decisions: routing's latest decision for the case, from CaseRouted.
-- A rebuild fills each from its own topic, in whatever order; the view shows a case with one
-- side only while the other is not applied yet (live: never, both come in one transaction).
CREATE TABLE requests (
    case_id          uuid PRIMARY KEY,
    member_id        text        NOT NULL,
    channel          text        NOT NULL,
    topic_family     text        NOT NULL,
    language         text        NOT NULL,
    received_at      timestamptz NOT NULL,
    request_event_id uuid        NOT NULL
);

CREATE TABLE decisions (
    case_id            uuid PRIMARY KEY,
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

-- The existing rows move: each side where it was known.
INSERT INTO requests
SELECT case_id, member_id, channel, topic_family, language, received_at, request_event_id
FROM cases WHERE request_event_id IS NOT NULL;

INSERT INTO decisions
SELECT case_id, office, queue, tier, adviser_id, organisation_model, policy, policy_version,
       routed_event_id, routed_at
FROM cases WHERE routed_event_id IS NOT NULL;

-- The BI views reading routing.cases (reporting) go with the table: `python -m
-- reporting.install` (make up) re-creates them over the view. Its index went unused (no
-- reader looks cases up by queue).
DROP TABLE cases CASCADE;

-- The same columns, in the same order, as the table: readers (and `relais verify`'s checksum
-- of each row's text) see what they saw.
CREATE VIEW cases AS
SELECT
    coalesce(r.case_id, d.case_id) AS case_id,
    r.member_id,
    r.channel,
    r.topic_family,
    r.language,
    r.received_at,
    r.request_event_id,
    d.office,
    d.queue,
    d.tier,
    d.adviser_id,
    d.organisation_model,
    d.policy,
    d.policy_version,
    d.routed_event_id,
    d.routed_at
FROM requests r
FULL JOIN decisions d ON d.case_id = r.case_id;
