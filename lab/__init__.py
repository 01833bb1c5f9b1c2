"""The reform lab: replay a period of requests through candidate organisation models.

Every request is routed by routing's own pure policies (``services.routing.policies``); the
advisers' work is a discrete-event simulation (SimPy) in business time. The lab reads the log,
never a service's projection, and writes nothing but its report."""
