"""Upcasters bring old events to the current version before validation."""

from __future__ import annotations

from typing import Any

import pytest

from shared import upcasting
from shared.upcasting import UnknownSchemaVersion, upcast


@pytest.fixture
def chain(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a pretend event type at v3 with upcasters v1->v2->v3
    monkeypatch.setitem(upcasting.CURRENT_VERSIONS, "Pretend", 3)

    def v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
        rest = {k: v for k, v in raw.items() if k != "full_name"}
        return {**rest, "schema_version": 2, "name": raw["full_name"]}

    def v2_to_v3(raw: dict[str, Any]) -> dict[str, Any]:
        return {**raw, "schema_version": 3, "priority": "normal"}

    monkeypatch.setitem(upcasting.UPCASTERS, ("Pretend", 1), v1_to_v2)
    monkeypatch.setitem(upcasting.UPCASTERS, ("Pretend", 2), v2_to_v3)


@pytest.mark.usefixtures("chain")
def test_the_chain_runs_from_any_old_version() -> None:
    v1 = {"type": "Pretend", "schema_version": 1, "full_name": "Lotte Maes"}
    v2 = {"type": "Pretend", "schema_version": 2, "name": "Lotte Maes"}
    expected = {"type": "Pretend", "schema_version": 3, "name": "Lotte Maes", "priority": "normal"}
    assert upcast(v1) == expected
    assert upcast(v2) == expected
    assert upcast(expected) == expected


@pytest.mark.usefixtures("chain")
def test_a_newer_version_than_the_code_knows_is_refused() -> None:
    with pytest.raises(UnknownSchemaVersion, match="newer"):
        upcast({"type": "Pretend", "schema_version": 4})


def test_a_missing_upcaster_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(upcasting.CURRENT_VERSIONS, "Gap", 2)
    with pytest.raises(UnknownSchemaVersion, match="no upcaster"):
        upcast({"type": "Gap", "schema_version": 1})


def test_current_versions_are_read_from_the_models() -> None:
    assert upcasting.CURRENT_VERSIONS["RequestReceived"] == 2
    assert upcasting.CURRENT_VERSIONS["CaseRouted"] == 2
