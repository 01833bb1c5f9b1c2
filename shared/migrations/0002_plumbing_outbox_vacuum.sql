-- The outbox is a queue: every row is deleted moments after it is inserted. With the default
-- thresholds (20% of the table) autovacuum waits for tens of thousands of dead rows, and the
-- relay's "next rows by id" scan walks through all of them (measured under load: 3.4 ms per
-- fetch, 2.9 ms once vacuumed every few thousand rows). Vacuum it early and without pauses.
ALTER TABLE outbox SET (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_insert_scale_factor = 0,
    autovacuum_vacuum_insert_threshold = 5000,
    autovacuum_vacuum_cost_delay = 0
);
