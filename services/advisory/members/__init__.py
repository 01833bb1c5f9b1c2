"""advisory's view of a member: their cases open and past, last contact, open tasks."""
