"""What the HTTP fuzzing (schemathesis) needs: each service's published OpenAPI, the role a
caller must have for each operation, and the check that every 4xx is in the Problem shape."""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.schemas import OpenApiSchema

from services.catalog import BUILDERS
from shared.identity import Role
from tests.support.auth import bearer

PROBES = {"/health", "/ready", "/metrics"}
# Examples per operation: a bounded run in `make test`, a longer one with `make fuzz-http`.
EXAMPLES = int(os.environ.get("RELAIS_FUZZ_HTTP_EXAMPLES", "8"))
# Query parameters an operation does not declare are ignored, as HTTP APIs commonly do; they
# are not sent as "invalid data" the service should refuse.
CONFIG = {"generation": {"allow-extra-parameters": False}}


def schemas() -> dict[str, OpenApiSchema]:
    """Each service's OpenAPI, as its app publishes it (the test checks the served one is the
    same), named by service."""
    loaded = {}
    for service, build in BUILDERS.items():
        _, app = build(None)
        spec = app.openapi()
        spec["info"]["x-service"] = service
        config = SchemathesisConfig.from_dict(CONFIG)
        loaded[service] = schemathesis.openapi.from_dict(spec, config=config)
    return loaded


def service_of(case: Any) -> str:
    """The service the case's operation belongs to."""
    name = case.operation.schema.raw_schema["info"]["x-service"]
    assert isinstance(name, str)
    return name


def caller(service: str, method: str, path: str) -> dict[str, str]:
    """The Authorization header of a caller allowed to do this (none for the probes)."""
    if path in PROBES:
        return {}
    if path.startswith("/ops/"):
        # The reads (GET) as ops, the role they want. The redrive as another role, refused: as
        # ops it would send the service's real dead letters back to be processed again, a side
        # effect no fuzz run may have on a stack others use.
        return bearer(Role.OPS if method == "GET" else Role.SUPPORT, "fuzz-ops")
    if service == "intake":
        return bearer(Role.MEMBER_CHANNEL, "fuzz-channel")
    if service in ("routing", "admin"):
        return bearer(Role.ADMIN_TEAM, "fuzz-admin")
    if path == "/workload":  # team leads and ops
        return bearer(Role.OPS, "fuzz-ops")
    if method == "POST" and path.endswith("/escalation"):
        return bearer(Role.ADVISER, "fuzz-adviser", "namur")
    return bearer(Role.SUPPORT, "fuzz-support")


@schemathesis.check
def problem_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx answer is in the Problem shape: error, message, fields."""
    if not 400 <= response.status_code < 500:
        return None
    body = response.json()
    assert isinstance(body, dict), f"a {response.status_code} whose body is not an object"
    # advisory's stale_version 409 adds what changed since (documented as StaleVersion).
    stale = body.get("error") == "stale_version"
    extra = {"seen_version", "version", "changes"} if stale else set()
    assert set(body) - extra == {"error", "message", "fields"}, f"not a Problem: {body}"
    assert isinstance(body["error"], str), body
    assert isinstance(body["message"], str), body
    assert all(set(f) == {"field", "message"} for f in body["fields"]), body
    return True
