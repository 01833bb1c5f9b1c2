"""Every service answers ops the same way (shared/ops_http.py): the same operations with the
same answers, documented with examples, for the ops role only."""

from __future__ import annotations

from typing import Any

import pytest

from services.catalog import BUILDERS
from shared import dead_letters as dl
from shared.dead_letter_log import DeadLetter
from shared.identity import Role
from shared.ops_http import detail, summary
from tests.support.apps import app_of, client_of
from tests.support.auth import bearer

OPS_ROUTES = [
    ("GET", "/ops/status"),
    ("GET", "/ops/dead-letters"),
    ("GET", "/ops/dead-letters/{partition}/{offset}"),
    ("POST", "/ops/dead-letters/redrive"),
]


def ops_operations(service: str) -> dict[str, Any]:
    spec = app_of(service).openapi()
    return {
        f"{method.upper()} {path}": op
        for path, methods in spec["paths"].items()
        if path.startswith("/ops/")
        for method, op in methods.items()
    }


@pytest.mark.parametrize("service", list(BUILDERS))
def test_every_service_has_the_same_ops_operations_with_examples(service: str) -> None:
    operations = ops_operations(service)
    assert sorted(operations) == sorted(f"{m} {p}" for m, p in OPS_ROUTES)
    assert operations == ops_operations("intake")  # the same shape, answers and words
    for name, op in operations.items():
        example = op["responses"]["200"]["content"]["application/json"].get("example")
        assert example, name
        assert {"401", "403", "503"} <= set(op["responses"]), name


@pytest.mark.parametrize(
    "role", [Role.ADVISER, Role.SUPPORT, Role.ADMIN_TEAM, Role.TEAM_LEAD, Role.MEMBER_CHANNEL]
)
async def test_only_ops_may_use_them(role: Role) -> None:
    caller = bearer(role, office="liege")
    async with client_of(app_of("routing")) as client:
        for method, path in OPS_ROUTES:
            concrete = path.format(partition=0, offset=0)
            body: dict[str, object] | None = {} if method == "POST" else None
            answer = await client.request(method, concrete, headers=caller, json=body)
            assert answer.status_code == 403, (role, path)
            assert "needs one of ops" in answer.json()["message"]


def letter(value: bytes, **headers: str) -> DeadLetter:
    return DeadLetter(
        partition=2,
        offset=7,
        key=b"case-1",
        value=value,
        headers=headers,
        redriven=False,
        raw_headers=[],
    )


def test_a_dead_letter_reads_with_its_origin_and_reason() -> None:
    seen = summary(
        letter(
            b'{"type": "RequestReceived"}',
            **{
                dl.ORIGINAL_TOPIC: "request-received",
                dl.ORIGINAL_PARTITION: "2",
                dl.ORIGINAL_OFFSET: "99",
                dl.REASON: "handler error: UnknownOffice",
                dl.REDRIVES: "1",
                "event_type": "RequestReceived",
            },
        )
    )
    assert (seen.origin_topic, seen.origin_partition, seen.origin_offset) == (
        "request-received",
        2,
        99,
    )
    assert (seen.reason, seen.redrives, seen.event_type) == (
        "handler error: UnknownOffice",
        1,
        "RequestReceived",
    )


def test_a_dead_letter_value_is_json_when_it_parses_and_text_otherwise() -> None:
    assert detail(letter(b'{"a": 1}')).value == {"a": 1}
    assert detail(letter(b"{oops")).value == "{oops"
    assert detail(letter(b"\xff{")).value == "\ufffd{"
