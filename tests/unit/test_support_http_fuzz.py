"""The HTTP fuzzing's callers: the ops reads are fuzzed as ops (past the role check), the
redrive as a role it refuses (it would redrive the stack's real dead letters)."""

from __future__ import annotations

import pytest

from services.catalog import BUILDERS
from shared import dev_tokens
from shared.identity import Role
from shared.settings import Settings
from tests.support.http_fuzz import caller


def role_of(headers: dict[str, str]) -> Role:
    token = headers["Authorization"].removeprefix("Bearer ")
    principal, _ = dev_tokens.verify(Settings().dev_keys(), token)
    return principal.role


@pytest.mark.parametrize("service", list(BUILDERS))
@pytest.mark.parametrize("path", ["/ops/status", "/ops/dead-letters", "/ops/dead-letters/{p}/{o}"])
def test_the_ops_reads_are_fuzzed_as_ops(service: str, path: str) -> None:
    assert role_of(caller(service, "GET", path)) is Role.OPS


@pytest.mark.parametrize("service", list(BUILDERS))
def test_the_redrive_is_fuzzed_as_a_role_it_refuses(service: str) -> None:
    assert role_of(caller(service, "POST", "/ops/dead-letters/redrive")) is not Role.OPS
