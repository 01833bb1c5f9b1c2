"""Who may do what: every API wants a valid bearer token (401) with the right role or office
(403); a refused or invalid command answers a clear Problem and changes and publishes nothing.
Concurrent claims of one case: exactly one wins."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from relais_cli.demo_data import stream
from shared import auth
from shared.identity import Principal, Role
from shared.settings import Settings
from tests.support.auth import CHANNEL, bearer
from tests.support.polling import body_has, until
from tests.support.processes import LOGS, TEST_PORT_BASE, ServiceProcess

ANN = bearer(Role.ADVISER, "ann", "liege")
GUS = bearer(Role.ADVISER, "gus", "gent")
SAM = bearer(Role.SUPPORT, "sam")
ADA = bearer(Role.ADMIN_TEAM, "ada")
OPS = bearer(Role.OPS, "olga")
EXPIRED = {
    "Authorization": "Bearer "
    + auth.issue(
        Settings().auth_key(),
        Principal("ann", Role.ADVISER, "liege"),
        now=datetime.now(UTC) - timedelta(hours=2),
        ttl=timedelta(hours=1),
    )
}
FORGED = {
    "Authorization": "Bearer "
    + auth.issue(
        "f" * 40, Principal("eve", Role.OPS), now=datetime.now(UTC), ttl=timedelta(hours=1)
    )
}


async def queued_liege_case(intake: ServiceProcess, advisory: ServiceProcess, seed: int) -> str:
    body = stream(1, seed=seed)[0]
    body["member"] = {**body["member"], "home_office": "liege"}
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as client:
        case_id: str = (await client.post("/requests", json=body)).json()["case_id"]
    async with httpx.AsyncClient(base_url=advisory.url) as desk:
        seen = await until(
            lambda: desk.get(f"/cases/{case_id}", headers=OPS), body_has(status="queued")
        )
    assert seen.status_code == 200
    return case_id


async def history_size(db: asyncpg.Pool, case_id: str) -> tuple[int, int]:
    """(facts about the case, advisory outbox rows): both unchanged by a refused command."""
    facts = await db.fetchval(
        "SELECT count(*) FROM advisory.case_history WHERE case_id = $1", uuid.UUID(case_id)
    )
    pending = await db.fetchval("SELECT count(*) FROM advisory.outbox")
    return facts, pending


@pytest.mark.parametrize(
    ("headers", "error"),
    [({}, "unauthenticated"), (EXPIRED, "token_expired"), (FORGED, "invalid_token")],
    ids=["no token", "expired", "forged"],
)
async def test_every_api_refuses_callers_without_a_valid_token(
    intake: ServiceProcess,
    advisory: ServiceProcess,
    admin: ServiceProcess,
    headers: dict[str, str],
    error: str,
) -> None:
    calls = [
        ("POST", intake.url, "/requests"),
        ("GET", intake.url, f"/requests/{uuid.uuid4()}"),
        ("GET", advisory.url, "/cases"),
        ("POST", advisory.url, f"/cases/{uuid.uuid4()}/claim"),
        ("GET", admin.url, "/tasks"),
        ("POST", admin.url, f"/tasks/{uuid.uuid4()}/completion"),
    ]
    async with httpx.AsyncClient() as client:
        for method, base, path in calls:
            answer = await client.request(method, base + path, headers=headers, json={})
            assert answer.status_code == 401, (method, path, answer.text)
            assert answer.json()["error"] == error
            assert answer.headers["WWW-Authenticate"] == "Bearer"
        # Health and readiness stay open: probes carry no token
        assert (await client.get(f"{advisory.url}/health")).status_code == 200


async def test_roles_and_offices_are_enforced_with_no_side_effect(
    intake: ServiceProcess,
    routing: ServiceProcess,
    advisory: ServiceProcess,
    admin: ServiceProcess,
    db: asyncpg.Pool,
) -> None:
    case_id = await queued_liege_case(intake, advisory, seed=901)
    case = f"{advisory.url}/cases/{case_id}"
    before_requests = await db.fetchval("SELECT count(*) FROM intake.requests")
    before = await history_size(db, case_id)
    async with httpx.AsyncClient() as client:
        answers = {
            "an adviser submitting a request": await client.post(
                f"{intake.url}/requests", json=stream(1, seed=902)[0], headers=ANN
            ),
            "the admin team claiming": await client.post(f"{case}/claim", headers=ADA),
            "ops claiming": await client.post(f"{case}/claim", headers=OPS),
            "a Gent adviser claiming a Liège case": await client.post(f"{case}/claim", headers=GUS),
            "a Gent adviser reading it": await client.get(case, headers=GUS),
            "a Gent adviser listing Liège": await client.get(
                f"{advisory.url}/cases", params={"office": "liege"}, headers=GUS
            ),
            "support escalating": await client.post(
                f"{case}/escalation", json={"reason_code": "legal", "note": "x"}, headers=SAM
            ),
            "an adviser returning": await client.post(
                f"{case}/return", json={"note": "x"}, headers=ANN
            ),
            "an adviser listing tasks": await client.get(f"{admin.url}/tasks", headers=ANN),
            "support completing a task": await client.post(
                f"{admin.url}/tasks/{uuid.uuid4()}/completion", json={}, headers=SAM
            ),
        }
        # Then each is forbidden, saying why
        for why, answer in answers.items():
            assert answer.status_code == 403, (why, answer.text)
            assert answer.json()["message"], why
        # And invalid transitions are conflicts, saying why
        conflicts = {
            "escalating a case nobody claimed": (
                await client.post(
                    f"{case}/escalation", json={"reason_code": "legal", "note": "x"}, headers=ANN
                ),
                "not_claimed",
            ),
            "acting on an unknown case": (
                await client.post(f"{advisory.url}/cases/{uuid.uuid4()}/claim", headers=ANN),
                "unknown_case",
            ),
            "completing an unknown task": (
                await client.post(
                    f"{admin.url}/tasks/{uuid.uuid4()}/completion", json={}, headers=ADA
                ),
                "unknown_task",
            ),
        }
        for why, (answer, code) in conflicts.items():
            assert (answer.status_code, answer.json()["error"]) == (409, code), why
        # And bad input is a 422 naming the field
        bad = await client.post(f"{case}/escalation", json={"reason_code": "boredom"}, headers=ANN)
        assert bad.status_code == 422
        assert {f["field"] for f in bad.json()["fields"]} == {"body.reason_code", "body.note"}
        # But ops may read every office's queue
        assert (await client.get(case, headers=OPS)).status_code == 200
    # And nothing was stored or published by any of them
    assert await db.fetchval("SELECT count(*) FROM intake.requests") == before_requests
    assert await history_size(db, case_id) == before


async def test_concurrent_claims_have_exactly_one_winner(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess, db: asyncpg.Pool
) -> None:
    case_id = await queued_liege_case(intake, advisory, seed=903)
    advisers = [bearer(Role.ADVISER, f"adviser-{i}", "liege") for i in range(6)]
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as client:
        # When six advisers claim the case at the same moment
        answers = await asyncio.gather(
            *[client.post(f"/cases/{case_id}/claim", headers=who) for who in advisers]
        )
    # Then exactly one gets it and the others a 409 saying it is taken
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 409, 409, 409, 409, 409]
    winner = next(a for a in answers if a.status_code == 200).json()["case"]["assignee"]
    losers = [a.json() for a in answers if a.status_code == 409]
    assert all(lost["error"] == "not_queued" for lost in losers)
    assert all(winner in lost["message"] for lost in losers)  # they are told who has it
    claims = await db.fetch(
        "SELECT actor FROM advisory.case_history WHERE case_id = $1 AND type = 'CaseClaimed'",
        uuid.UUID(case_id),
    )
    assert [c["actor"] for c in claims] == [winner]


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({"RELAIS_AUTH_SECRET": "s" * 40}, "RELAIS_OIDC_ISSUER is missing"),
        (
            {"RELAIS_OIDC_ISSUER": "http://sso.example/realms/relais", "RELAIS_OIDC_AUDIENCE": "r"},
            "RELAIS_OIDC_ISSUER must be an https URL",
        ),
    ],
    ids=["only an HS256 secret", "a provider over plain http"],
)
def test_outside_dev_a_service_refuses_to_start_without_an_identity_provider(
    env: dict[str, str], refusal: str
) -> None:
    # Its own port: the session's advisory must not answer for it
    process = ServiceProcess(
        "advisory", {"RELAIS_ENV": "production", **env}, port=TEST_PORT_BASE + 50
    )
    log = LOGS / "advisory.log"
    refusals_before = log.read_text().count(refusal) if log.exists() else 0
    try:
        with pytest.raises(RuntimeError, match="exited"):
            process.start(timeout=30)
    finally:
        process.stop()
    assert log.read_text().count(refusal) == refusals_before + 1  # and it says why
