"""Personal fields sealed with the member's key: they open with it only, where they were
sealed, and read ERASED once the key is gone (shared.sealing, shared.keys)."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

import orjson
import pytest
from pydantic import ValidationError

from shared import codec, keys, sealing
from shared.envelope import ERASED
from shared.events import REQUEST_RECEIVED, MemberSnapshot, NoteAdded, RequestReceived

KEY, OTHER = os.urandom(32), os.urandom(32)
AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def request(member_id: str = "M-1", name: str = "Anne Dupont") -> RequestReceived:
    case = uuid.uuid4()
    return RequestReceived(
        type="RequestReceived", schema_version=2, event_id=uuid.uuid4(), occurred_at=AT,
        case_id=case, member_id=member_id, correlation_id=case, causation_id=None,
        producer="intake", idempotency_key=None,
        member=MemberSnapshot(member_id=member_id, name=name, preferred_language="fr",
                              home_office="liege", activity_type="artist"),
        channel="web", topic_family="invoicing", subject="Invoice 118", body="Still unpaid.",
        received_at=AT,
    )  # fmt: skip


def sealed(event: RequestReceived) -> RequestReceived:
    states = {"M-1": ("M-1.1", KEY)}
    return keys._sealed(event, states)  # type: ignore[no-any-return]


def test_every_personal_field_of_an_event_about_a_member_is_known() -> None:
    assert sealing.paths_by_type()["RequestReceived"] == (
        ("member", "name"),
        ("subject",),
        ("body",),
    )
    assert sealing.paths_by_type()["NoteAdded"] == (("note",),)
    assert "CaseRouted" not in sealing.paths_by_type()
    # The organisation's facts are about staff, not members: not sealed
    assert "AdviserAbsenceRecorded" not in sealing.paths_by_type()


def test_a_sealed_event_carries_no_plaintext_and_decodes_as_the_contract_says() -> None:
    event = sealed(request())
    wire = codec.encode(event)
    assert not any(word in wire for word in (b"Anne", b"Invoice", b"unpaid"))
    again = codec.decode(REQUEST_RECEIVED, wire)
    assert isinstance(again, RequestReceived)
    assert sealing.sealed_kids(again) == {"M-1.1"}
    opened = keys._opened(again, keys.KeyStates({"M-1.1": KEY}, frozenset()), False)
    assert (opened.member.name, opened.subject, opened.body) == (
        "Anne Dupont", "Invoice 118", "Still unpaid.",
    )  # fmt: skip


def test_a_sealed_value_opens_only_with_its_key_and_at_its_path() -> None:
    value = sealing.seal(KEY, "M-1.1", ("subject",), "Invoice 118", os.urandom(12))
    assert sealing.unseal(KEY, ("subject",), value) == "Invoice 118"
    with pytest.raises(sealing.Unopenable):
        sealing.unseal(OTHER, ("subject",), value)
    with pytest.raises(sealing.Unopenable):  # moved to another field
        sealing.unseal(KEY, ("body",), value)
    moved = value.replace("M-1.1", "M-2.1")  # claimed by another member's key
    with pytest.raises(sealing.Unopenable):
        sealing.unseal(KEY, ("subject",), moved)


def test_a_destroyed_key_reads_erased_and_legacy_plaintext_of_an_erased_member_too() -> None:
    event = sealed(request())
    gone = keys.KeyStates({}, frozenset({"M-1"}))
    opened = keys._opened(event, gone, False)
    assert (opened.member.name, opened.subject, opened.body) == (ERASED, ERASED, ERASED)
    legacy = request()
    assert keys._opened(legacy, gone, False).subject == ERASED
    # Another member's legacy plaintext is left as it is
    assert keys._opened(request("M-2"), gone, False).subject == "Invoice 118"
    # A service that keeps personal data sealed keeps a live key's ciphertext
    kept = keys._opened(event, keys.KeyStates({"M-1.1": KEY}, frozenset()), True)
    assert kept.subject == event.subject


def test_masking_a_stored_event_gives_what_a_rebuild_stores() -> None:
    event = sealed(request())
    stored = orjson.loads(codec.encode(event))
    rebuilt = orjson.loads(sealing.masked(event).model_dump_json())
    assert sealing.mask_json(stored) == rebuilt
    assert sealing.kept_json(sealing.masked(event), codec.encode(event)) == orjson.dumps(rebuilt)


def test_personal_fields_keep_their_bounds_in_plaintext_and_refuse_a_forged_seal() -> None:
    with pytest.raises(ValidationError):
        request(name="x" * 201)
    with pytest.raises(ValidationError):
        request(name="enc:aes-gcm:not-sealed")
    note = NoteAdded(
        type="NoteAdded", schema_version=1, event_id=uuid.uuid4(), occurred_at=AT,
        case_id=uuid.uuid4(), member_id="M-1", correlation_id=uuid.uuid4(), causation_id=None,
        producer="advisory", author="liege-front-01",
        note=sealing.seal(KEY, "M-1.1", ("note",), "x" * 10_000, os.urandom(12)), added_at=AT,
    )  # fmt: skip
    assert sealing.is_sealed(note.note)  # longer than 10,000 characters sealed: accepted
