"""Every error of every service answers the Problem shape: unreadable bodies (bad syntax, not
UTF-8, nested too deeply, an unreadable number), unknown addresses and methods, crashes."""

from __future__ import annotations

import pytest

from services.catalog import BUILDERS
from shared.identity import Role
from tests.support.apps import app_of, body_routes, client_of, is_problem
from tests.support.auth import bearer

OPS = bearer(Role.OPS)
JSON = {**OPS, "content-type": "application/json"}
UNREADABLE = {
    "bad syntax": (b'{"subject": ', "Expecting value (at character 12)"),
    "not UTF-8": (b'{"subject": "\xff"}', "is not UTF-8 text"),
    "nested past the parser": (b"[" * 100_000 + b"]" * 100_000, "is nested too deeply"),
    "nested past the limit": (b"[" * 40 + b"]" * 40, "is nested more than 32 levels deep"),
    "a number too long": (b'{"n": ' + b"1" * 5000 + b"}", "holds a value that cannot be read"),
}


@pytest.mark.parametrize("service", list(BUILDERS))
@pytest.mark.parametrize("kind", list(UNREADABLE))
async def test_an_unreadable_body_is_a_422_problem_on_every_route(service: str, kind: str) -> None:
    body, reason = UNREADABLE[kind]
    app = app_of(service)
    async with client_of(app) as client:
        for method, path in body_routes(app):
            answer = await client.request(method, path, content=body, headers=JSON)
            assert answer.status_code == 422, (method, path, answer.text)
            assert is_problem(answer)
            assert answer.json()["error"] == "malformed_json"
            [field] = answer.json()["fields"]
            assert field["field"] == "body"
            assert field["message"].startswith(reason)


@pytest.mark.parametrize("service", list(BUILDERS))
async def test_unknown_addresses_and_methods_are_problems(service: str) -> None:
    async with client_of(app_of(service)) as client:
        missing = await client.get("/no/such/thing", headers=OPS)
        assert missing.status_code == 404
        assert is_problem(missing)
        assert missing.json()["error"] == "not_found"
        wrong = await client.patch("/health", headers=OPS)
        assert wrong.status_code == 405
        assert is_problem(wrong)
        assert wrong.json()["error"] == "method_not_allowed"
        assert wrong.headers["allow"] == "GET"


async def test_a_405_names_every_method_the_address_accepts() -> None:
    async with client_of(app_of("routing")) as client:
        wrong = await client.patch("/advisers/a1", headers=OPS)
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, PUT"


async def test_a_crash_is_a_500_problem() -> None:
    app = app_of("intake")

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("boom")

    async with client_of(app) as client:
        answer = await client.get("/crash", headers=OPS)
    assert answer.status_code == 500
    assert is_problem(answer)
    assert answer.json()["error"] == "internal_error"
    assert "boom" not in answer.text  # internals stay in the log


@pytest.mark.parametrize("service", list(BUILDERS))
def test_the_openapi_documents_the_shared_refusals(service: str) -> None:
    spec = app_of(service).openapi()
    problem = {"$ref": "#/components/schemas/Problem"}
    for path, operations in spec["paths"].items():
        if path in {"/health", "/ready", "/metrics"}:
            continue
        for method, operation in operations.items():
            expected = {"401", "403"}
            if operation.get("parameters") or "requestBody" in operation:
                expected.add("422")
            if "requestBody" in operation:
                expected.add("413")
            responses = operation["responses"]
            assert expected <= set(responses), (method, path)
            for status in expected:
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema == problem, (method, path, status)
