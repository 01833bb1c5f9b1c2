"""Kafka record headers as Relais reads them: whatever a producer sent.

The Kafka protocol lets a header's value be null, and its bytes need not be UTF-8 (Java
clients, Kafka Connect and other producers send both). Every reader of headers goes through
these two functions, so no such header can crash a consumer, a dead letter or an ops tool."""

from __future__ import annotations

from collections.abc import Iterable

RawHeaders = Iterable[tuple[str, bytes | None]] | None


def text(value: bytes | None) -> str:
    """A header value as text: a null value reads as the empty string, bad bytes as U+FFFD,
    and so does a NUL character, which PostgreSQL cannot store in text (a dead letter keeps
    the headers in its outbox row)."""
    return storable(value.decode(errors="replace")) if value is not None else ""


def storable(text: str) -> str:
    """``text`` with each NUL character replaced by U+FFFD: PostgreSQL's text refuses NUL."""
    return text.replace("\x00", "\ufffd")


def as_text(headers: RawHeaders) -> dict[str, str]:
    """A record's headers as text (the last of repeated names wins, as in a dict)."""
    return {key: text(value) for key, value in headers or ()}


def value_of(headers: RawHeaders, name: str) -> str | None:
    """The first header called ``name`` as text, or None when the record has none."""
    for key, value in headers or ():
        if key == name:
            return text(value)
    return None
