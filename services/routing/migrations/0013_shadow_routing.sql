-- Shadow routing (shared/shadow_events.py): which candidate model shadows each office (the
-- latest OfficeShadowSet of the office, by occurred_at then event_id; model NULL: none), and
-- the shadow decisions themselves, one per case, each beside the live decision it shadowed.
-- Live routing never reads either table: a shadow decision cannot change a live one.
CREATE TABLE office_shadows (
    office      text PRIMARY KEY,
    model       text,
    occurred_at timestamptz NOT NULL,
    event_id    uuid        NOT NULL
);

CREATE TABLE shadow_decisions (
    case_id            uuid PRIMARY KEY,
    office             text        NOT NULL,
    queue              text        NOT NULL,
    desk               text,
    adviser_id         text,
    organisation_model text        NOT NULL,
    policy             text        NOT NULL,
    policy_version     integer     NOT NULL,
    live_queue         text        NOT NULL,
    live_adviser_id    text,
    live_model         text        NOT NULL,
    topic_family       text        NOT NULL,
    language           text        NOT NULL,
    received_at        timestamptz NOT NULL,
    routed_at          timestamptz NOT NULL,
    event_id           uuid        NOT NULL
);
CREATE INDEX shadow_decisions_office ON shadow_decisions (office, routed_at);
