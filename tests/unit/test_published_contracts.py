"""The published contracts say what the code does: the AsyncAPI document is current, and every
HTTP operation but the probes declares the bearer scheme and its 401/403 answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relais_cli.contract import build_spec
from services.catalog import BUILDERS

ROOT = Path(__file__).resolve().parents[2]
PROBES = {"/health", "/ready", "/metrics"}  # unauthenticated by design: load balancers, Prometheus


def test_the_asyncapi_document_is_current() -> None:
    committed = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
    generated = json.loads(json.dumps(build_spec()))
    # The servers name whichever broker generated it; the channels and schemas are the contract.
    committed.pop("servers"), generated.pop("servers")
    assert committed == generated, "run `make asyncapi`"


@pytest.mark.parametrize("service", list(BUILDERS))
def test_every_operation_declares_bearer_auth_and_its_refusals(service: str) -> None:
    _, app = BUILDERS[service](None)
    spec = app.openapi()
    operations = [
        (path, method, op)
        for path, methods in spec["paths"].items()
        if path not in PROBES
        for method, op in methods.items()
    ]
    assert operations or service == "routing"  # routing has no users: only probes
    for path, method, op in operations:
        assert op.get("security") == [{"bearer": []}], (method, path)
        assert {"401", "403"} <= set(op["responses"]), (method, path)
    if operations:
        assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
