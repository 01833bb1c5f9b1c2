"""routing's bulk loader must never vouch for an event the contract refuses, nor read one
differently: whatever it stages, pydantic (shared.codec) decodes to the same values. Its
mirrors are generated from the contract, with the intended differences listed in
services.routing.bulk.mirrors, and the generator refuses what it does not know."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from services.routing.bulk import loader as bulk
from services.routing.bulk import mirrors
from services.routing.bulk.merge import since_epoch
from shared.codec import UndecodableEvent, decode, encode
from shared.events import REQUEST_RECEIVED, ROUTED, CaseRouted, MemberSnapshot, RequestReceived
from shared.routing_inputs import RoutingCandidate, RoutingInputs
from tests.support.events import request, routed
from tests.support.mixed_log import as_v1

MIRRORS = [
    (mirrors.RequestReceived, RequestReceived),
    (mirrors.CaseRouted, CaseRouted),
    (mirrors.Member, MemberSnapshot),
    (mirrors.RoutingInputs, RoutingInputs),
    (mirrors.Candidate, RoutingCandidate),
]
TRICKY: list[Any] = [
    None, True, 0, 1, 2, -1, 2.0, 1e3, 2**31, 2**63, "", "x", "2", "namur", "Namur", "namur\n",
    "a" * 65, "a" * 201, "M\u00001", [], {}, ["x"],
    "6233a8ef-710a-46d4-86cc-436f791eb5c3", "6233A8EF-710A-46D4-86CC-436F791EB5C3",
    "6233a8ef710a46d486cc436f791eb5c3", "{6233a8ef-710a-46d4-86cc-436f791eb5c3}",
    "2025-03-03T09:00:00Z", "2025-03-03T09:00:00.1234567Z", "2025-03-03t09:00:00z",
    "2025-03-03T09:00:00", "2025-02-30T09:00:00Z", "0001-01-01T00:00:00+01:00",
    "2025-03-03T09:00:00.5+14:00", "2025-03-03 09:00:00-00:30", "20250303T090000Z",
    "fr", "web", "first_line", "support", "polyvalent", "specialised",
]  # fmt: skip
REQUEST = request(7)
DECISION = routed(REQUEST)


@pytest.mark.parametrize(("mirror", "model"), MIRRORS)
def test_each_mirror_has_exactly_the_contracts_fields(mirror: Any, model: Any) -> None:
    assert set(mirror.__struct_fields__) == set(model.model_fields)


def test_version_1_of_case_routed_lacks_what_its_upcaster_adds() -> None:
    assert set(mirrors.CaseRoutedV1.__struct_fields__) == set(CaseRouted.model_fields) - {
        "desk",
        "inputs",
    }


class _Untold(BaseModel):
    price: float


class _NewPattern(BaseModel):
    code: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class _NewConstraint(BaseModel):
    count: int = Field(multiple_of=2)


@pytest.mark.parametrize("model", [_Untold, _NewPattern, _NewConstraint])
def test_the_generator_refuses_what_it_does_not_know(model: type[BaseModel]) -> None:
    # A mirror silently broader than the contract would stage events the contract refuses.
    with pytest.raises(TypeError):
        mirrors.mirror(model)


@pytest.mark.parametrize("path", sorted(mirrors.PATTERNS))
def test_every_pattern_the_mirrors_skip_the_loader_checks(path: str) -> None:
    # Given a valid event of the model, with the field breaking its pattern
    model, field = path.split(".")
    topic, raw = next(
        (t, r)
        for t, r in BASES
        if _model_of(r) == model or (model == "MemberSnapshot" and "member" in r)
    )
    location = ("member", field) if model == "MemberSnapshot" else (field,)
    broken = orjson.dumps(edit(raw, location, "Not A Code!", "set"))
    # Then the loader leaves it to the handlers (and the contract refuses it)
    assert staged_row(topic, broken) is None
    with pytest.raises(UndecodableEvent):
        decode(topic, broken)


def _model_of(raw: dict[str, Any]) -> str:
    return f"{raw['type']}{'V1' if raw['schema_version'] == 1 else ''}"


def staged_row(topic: str, value: bytes) -> tuple[Any, ...] | None:
    staged = bulk.stage(topic, [value], 0, None)
    rows = [r for rs in staged.rows.values() for r in rs]
    return rows[0][1:] if rows else None


def handlers_row(topic: str, value: bytes) -> tuple[Any, ...]:
    """What the handlers would store from the same value (it must decode)."""
    event = decode(topic, value)
    if isinstance(event, RequestReceived):
        m = event.member
        return (
            event.case_id, event.event_id, event.member_id, m.preferred_language.value,
            m.home_office, m.activity_type, event.channel.value, event.topic_family,
            since_epoch(event.received_at),
        )  # fmt: skip
    assert isinstance(event, CaseRouted)
    return (
        event.case_id, event.event_id, since_epoch(event.occurred_at), event.office, event.queue,
        event.tier.value, event.adviser_id, event.organisation_model.value, event.policy,
        event.policy_version, since_epoch(event.routed_at),
    )  # fmt: skip


def edit(raw: dict[str, Any], path: tuple[str, ...], value: Any, how: str) -> dict[str, Any]:
    head, *rest = path
    if rest:
        inner = raw.get(head)
        if not isinstance(inner, dict):
            return raw
        return {**raw, head: edit(inner, tuple(rest), value, how)}
    if how == "drop":
        return {k: v for k, v in raw.items() if k != head}
    return {**raw, head if how == "set" else f"{head}_extra": value}


def paths(raw: dict[str, Any]) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for key, value in raw.items():
        found.append((key,))
        if isinstance(value, dict):
            found += [(key, *p) for p in paths(value)]
    return found


BASES = [
    (REQUEST_RECEIVED, orjson.loads(encode(REQUEST))),
    (REQUEST_RECEIVED, orjson.loads(as_v1(REQUEST))),
    (ROUTED, orjson.loads(encode(DECISION))),
    (ROUTED, orjson.loads(as_v1(DECISION))),
]


@given(
    st.sampled_from(BASES).flatmap(
        lambda base: st.tuples(
            st.just(base),
            st.lists(
                st.tuples(
                    st.sampled_from(paths(base[1])),
                    st.sampled_from(TRICKY),
                    st.sampled_from(["set", "set", "drop", "add"]),
                ),
                max_size=3,
            ),
        )
    )
)
def test_what_the_loader_stages_the_contract_reads_the_same(case: Any) -> None:
    (topic, raw), edits = case
    for path, value, how in edits:
        raw = edit(raw, path, value, how)
    assert_read_alike(topic, orjson.dumps(raw))


def test_every_single_edit_is_read_alike() -> None:
    for topic, raw in BASES:
        for path in paths(raw):
            for how in ("drop", "add"):
                assert_read_alike(topic, orjson.dumps(edit(raw, path, None, how)))
            for value in TRICKY:
                assert_read_alike(topic, orjson.dumps(edit(raw, path, value, "set")))


def assert_read_alike(topic: str, value: bytes) -> None:
    row = staged_row(topic, value)
    if row is None:
        return  # left to the handlers: always allowed
    try:
        expected = handlers_row(topic, value)
    except UndecodableEvent as exc:
        pytest.fail(f"the loader vouched for an event the contract refuses: {exc}")
    assert row == expected, value


def test_untouched_events_of_both_versions_are_staged() -> None:
    for topic, raw in BASES:
        assert staged_row(topic, orjson.dumps(raw)) is not None
