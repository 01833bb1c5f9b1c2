-- The W3C trace context of each task fact (its Kafka `traceparent` header; an opening keeps
-- the one of the resolution that opened it, see handlers.on_case_resolved):
-- completing or rejecting a task continues the trace of the resolution that opened it, so a
-- case's trace runs from the member's request to its administrative act
-- (docs/observability.md). From the log alone: a rebuild stores the same headers again.
ALTER TABLE task_history ADD COLUMN traceparent text;
