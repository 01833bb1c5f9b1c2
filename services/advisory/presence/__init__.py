"""Who has a case open now, and who is writing a reply on it: each console renews its
presence every few seconds; one not renewed for ``views.TTL`` is gone. Not a fact of the log
(nothing is published, a rebuild leaves it alone)."""
