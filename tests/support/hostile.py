"""Hypothesis strategies for what any Kafka producer may put on a topic: random bytes, keys
and headers (null values included), tombstones, values up to near the broker's limit, JSON
that is no event, and the services' own valid events with hostile field values."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import strategies as st

# The broker accepts a record batch of up to 1 MiB (message.max.bytes); headers and framing
# take the rest.
NEAR_LIMIT = 900_000

HOSTILE_TEXT = st.sampled_from(
    [
        "\u0000",
        "nul\u0000inside",
        "\u202eright-to-left",
        "\ud7ff\ue000\ufffd",
        "x" * 10_000,
        "<script>alert(1)</script>",
        "'; DROP TABLE cases; --",
        "😀" * 100,
        "",
    ]
)
header_values = st.one_of(st.none(), st.binary(max_size=40), st.just(b"\xff\xfe"))
headers = st.lists(
    st.tuples(
        st.sampled_from(["x-origin", "event_id", "reply_to", "traceparent", "content-type", "é"]),
        header_values,
    ),
    max_size=4,
)
keys = st.one_of(st.none(), st.binary(max_size=40), st.uuids().map(lambda u: str(u).encode()))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def with_hostile_field(event: dict[str, Any], field: str, text: str) -> bytes:
    """A valid event's JSON with one of its text fields replaced by ``text``."""
    return orjson.dumps({**event, field: text})


def garbage() -> st.SearchStrategy[bytes | None]:
    """A record value no service can read as an event (or a tombstone: no value at all)."""
    return st.one_of(
        st.none(),
        st.just(b""),
        st.binary(min_size=1, max_size=200),
        json_values.map(orjson.dumps),
        st.integers(min_value=1, max_value=NEAR_LIMIT).map(lambda n: b"\x7b" * n),
    )
