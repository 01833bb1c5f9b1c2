"""advisory's SLA: the clocks of each case (first response, resolution) in business time, the
facts they lead to (warnings, breaches, met) and the escalation a breach triggers.

Pure (no I/O): ``policy``, ``timeline`` (a case's inputs to its clocks), ``clock`` (the SLA
facts due), ``outcomes`` (a clock's summary, a breach's escalation); they count business time
with ``shared.business_calendar``, which admin's task due dates use too. I/O: ``projection``
(the SLA tables), ``tick`` (the periodic pass that decides and publishes)."""
