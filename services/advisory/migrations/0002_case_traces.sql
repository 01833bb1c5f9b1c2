-- The W3C trace context each fact was published with (its Kafka `traceparent` header, or the
-- one a command put on the event it published): a staff command on a case continues the trace
-- of the routing that put the case in its queue (docs/observability.md). Like every column
-- here it comes from the log alone: a rebuild stores the same headers again. NULL when the
-- fact travelled untraced.
ALTER TABLE case_history ADD COLUMN traceparent text;
