"""What the erasure's proof looks for: a member's values, in plaintext right after the erasure,
or from their salted hashes later (ops/erasure.py)."""

from __future__ import annotations

import orjson

from ops.erasure import Needles, digest
from shared.envelope import ERASED


def test_plaintext_is_found_inside_a_message_raw_or_json_escaped() -> None:
    needles = Needles.of(['Anne "Nan" Dupont', "Zoé Lenoir", "ok", ERASED])
    assert len(needles) == 2  # too short to tell anything, or the mask itself: not looked for
    assert needles.in_bytes(orjson.dumps({"member": {"name": 'Anne "Nan" Dupont'}}))
    assert needles.in_bytes(b'{"name": "Zo\\u00e9 Lenoir"}')  # ASCII-escaped JSON
    assert needles.in_bytes("log line: Zoé Lenoir wrote".encode())
    assert not needles.in_bytes(orjson.dumps({"member": {"name": ERASED}}))


def test_the_record_keeps_no_plaintext_and_finds_whole_values_later() -> None:
    needles = Needles.of(["Anne Dupont", "The invoice 118 is still unpaid."])
    salt, hashes = needles.record()
    assert all(b"Anne" not in h for h in hashes)
    later = Needles.hashed(salt, hashes)
    assert digest(salt, "Anne Dupont") in later.hashes
    assert later.in_bytes(orjson.dumps({"event": {"body": "The invoice 118 is still unpaid."}}))
    assert later.in_bytes(b'{"a": 1}\n{"name": "Anne Dupont"}\n')  # one JSON line per log line
    assert not later.in_bytes(orjson.dumps({"name": "Anne Dupond"}))
    assert not Needles.hashed(b"other salt", hashes).in_bytes(orjson.dumps("Anne Dupont"))
