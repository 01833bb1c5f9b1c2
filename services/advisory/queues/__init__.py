"""advisory's queues as people work them: the listing (ordered by SLA due time, then age,
searchable, paged by an opaque cursor) and the counts per queue."""
