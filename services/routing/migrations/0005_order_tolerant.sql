-- A rebuild reads routing's own decisions back from `routed` alongside `request-received`, in
-- whatever order the two topics interleave: a case row may hold the decision before the
-- request, or the request before the decision. Each side's columns are NULL until it is seen.
ALTER TABLE cases
    ALTER COLUMN member_id DROP NOT NULL,
    ALTER COLUMN channel DROP NOT NULL,
    ALTER COLUMN topic_family DROP NOT NULL,
    ALTER COLUMN language DROP NOT NULL,
    ALTER COLUMN received_at DROP NOT NULL,
    ALTER COLUMN request_event_id DROP NOT NULL,
    ALTER COLUMN office DROP NOT NULL,
    ALTER COLUMN queue DROP NOT NULL,
    ALTER COLUMN tier DROP NOT NULL,
    ALTER COLUMN organisation_model DROP NOT NULL,
    ALTER COLUMN policy DROP NOT NULL,
    ALTER COLUMN policy_version DROP NOT NULL,
    ALTER COLUMN routed_event_id DROP NOT NULL,
    ALTER COLUMN routed_at DROP NOT NULL;

-- Two requests of a member at the same instant: the snapshot kept is decided by the event id,
-- not by the order they were applied in.
ALTER TABLE members
    ADD COLUMN as_of_event uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
