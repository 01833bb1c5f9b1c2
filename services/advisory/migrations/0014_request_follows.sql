-- The resolved case a request follows (RequestReceived.follows_case_id: a member's message came
-- too late to reopen it); null for a new request, and for requests read before this column.
ALTER TABLE requests ADD COLUMN follows_case_id uuid;
