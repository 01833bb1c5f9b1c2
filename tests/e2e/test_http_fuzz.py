"""schemathesis against every service's published OpenAPI, every operation, on the real
stack, with a token of a role allowed to call it (but the dead letters' redrive, which would act
on the stack's real ones: tests/support/http_fuzz.caller): no server error, every answer as
documented (status, content type, schema), every 4xx in the Problem shape. `make fuzz-http` runs it
longer (RELAIS_FUZZ_HTTP_EXAMPLES)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from services.catalog import BUILDERS
from tests.support.http_fuzz import EXAMPLES, caller, schemas, service_of
from tests.support.processes import ServiceProcess

SCHEMAS = schemas()
# A schema-valid request may still be refused: the schema cannot say which offices and topic
# families are configured, nor that text must not hold the NUL character.
LENIENT = [schemathesis.checks.positive_data_acceptance]


@pytest.mark.parametrize("service", list(BUILDERS))
def test_each_service_serves_the_openapi_fuzzed(
    service: str, request: pytest.FixtureRequest
) -> None:
    process: ServiceProcess = request.getfixturevalue(service)
    served = httpx.get(f"{process.url}/openapi.json", timeout=10).json()
    served["info"]["x-service"] = service
    assert served == SCHEMAS[service].raw_schema


@schemathesis.pytest.parametrize(**SCHEMAS)
@settings(max_examples=EXAMPLES, suppress_health_check=list(HealthCheck))
def test_api(case: Any, request: pytest.FixtureRequest) -> None:
    service = service_of(case)
    process: ServiceProcess = request.getfixturevalue(service)
    headers = caller(service, case.method.upper(), case.operation.path)
    excluded = LENIENT
    if case.operation.path == "/ready":
        # Its documented 503 (not caught up on a busy shared stack) is an answer, not a crash.
        excluded = [*LENIENT, schemathesis.checks.not_a_server_error]
    case.call_and_validate(base_url=process.url, headers=headers, excluded_checks=excluded)
