"""Text no service can store (the NUL character, a lone surrogate) is a 422 naming the field,
in any string of any body, path or query of any service, never a failure in the database."""

from __future__ import annotations

import pytest

from services.catalog import BUILDERS
from shared.identity import Role
from shared.problems import UnreadableBody
from shared.text_guard import MAX_DEPTH, NUL_MESSAGE, SURROGATE_MESSAGE, body_problems, text_problem
from tests.support.apps import app_of, body_routes, client_of, is_problem
from tests.support.auth import bearer

OPS = bearer(Role.OPS)
JSON = {**OPS, "content-type": "application/json"}


def test_nul_and_lone_surrogates_are_named_plain_text_passes() -> None:
    assert text_problem("Liège, 3 €, 🙂") is None
    assert text_problem("a\x00b") == NUL_MESSAGE
    assert text_problem("a\ud800b") == SURROGATE_MESSAGE


def test_every_string_of_a_body_is_checked_keys_included() -> None:
    body = {"subject": "\x00", "member": {"name": "ok", "\ud800": 1}, "tags": ["ok", "x\x00"]}
    assert body_problems(body) == [
        (("body", "member", "\ud800"), SURROGATE_MESSAGE),
        (("body", "subject"), NUL_MESSAGE),
        (("body", "tags", 1), NUL_MESSAGE),
    ]


def test_a_body_nested_past_the_limit_is_unreadable() -> None:
    deep: object = "x"
    for _ in range(MAX_DEPTH):
        deep = [deep]
    assert body_problems(deep) == []
    with pytest.raises(UnreadableBody):
        body_problems([deep])


@pytest.mark.parametrize("service", list(BUILDERS))
async def test_nul_in_any_body_string_is_a_422_naming_it(service: str) -> None:
    app = app_of(service)
    body = b'{"subject": "a\\u0000b", "member": {"name": "\\ud83d"}}'
    async with client_of(app) as client:
        for method, path in body_routes(app):
            answer = await client.request(method, path, content=body, headers=JSON)
            assert answer.status_code == 422, (method, path, answer.text)
            assert is_problem(answer)
            assert answer.json()["fields"] == [
                {"field": "body.member.name", "message": SURROGATE_MESSAGE},
                {"field": "body.subject", "message": NUL_MESSAGE},
            ]


@pytest.mark.parametrize(
    ("service", "path", "field"),
    [
        ("intake", "/requests/%00", "path.case_id"),
        ("routing", "/offices/na%00mur", "path.office"),
        ("routing", "/advisers?office=%00", "query.office"),
        ("advisory", "/cases?queue=liege%00", "query.queue"),
        ("admin", "/members/m%00", "path.member_id"),
        ("admin", "/tasks?office=%00", "query.office"),
    ],
)
async def test_nul_in_a_path_or_query_parameter_is_a_422_naming_it(
    service: str, path: str, field: str
) -> None:
    async with client_of(app_of(service)) as client:
        answer = await client.get(path, headers=OPS)
    assert answer.status_code == 422
    assert answer.json()["fields"] == [{"field": field, "message": NUL_MESSAGE}]
