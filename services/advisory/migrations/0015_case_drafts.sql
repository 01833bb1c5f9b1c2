-- What a member of staff is writing on a case and has not sent yet: one draft per case and
-- person (a reply to the member, or an internal note), kept on the server so it survives a
-- reload or another machine. Not a fact of the log: nothing publishes it, a rebuild neither
-- fills nor compares it (ops.schemas.NOT_FROM_LOG carries it over a swap as it is). The
-- author's reply (or note) removes it, in the command's own transaction.
CREATE TABLE case_drafts (
    case_id    uuid        NOT NULL,
    staff_id   text        NOT NULL,
    kind       text        NOT NULL,  -- reply | note
    text       text        NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (case_id, staff_id)
);
