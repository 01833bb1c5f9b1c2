"""Operating Relais: rebuild and verify projections from the log, lag, dead letters, replays.

Generic over ``services.catalog``: everything a tool needs of a service (its schema, its
migrations, its consumer group, where its projection comes from) is in its ServiceRuntime."""
