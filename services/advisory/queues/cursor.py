"""The queue listing's position and search words, pure.

A listing is ordered by (SLA due time, opening time, case_id), a case with no running clock
after every case with one. The cursor is the last row's place in that order, encoded so clients
treat it as opaque: the next page starts strictly after it, so cases added meanwhile never
shift a page (they appear in a later page, or in none if they sort before the cursor)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from shared.refusals import Invalid

LAST = "infinity"  # PostgreSQL's timestamptz after every time: no due time, not opened
MAX_WORDS = 8
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Position:
    """A row's place in the listing's order: times as ISO text or ``LAST``."""

    due: str
    opened: str
    case_id: UUID


def position_of(due: datetime | None, opened: datetime | None, case_id: UUID) -> Position:
    return Position(_time(due), _time(opened), case_id)


def encode(position: Position) -> str:
    raw = json.dumps([position.due, position.opened, str(position.case_id)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str) -> Position:
    """The position a cursor names; a cursor this API did not give is refused (422)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        due, opened, case_id = json.loads(raw)
        for value in (due, opened):
            if value != LAST:
                datetime.fromisoformat(value)
        return Position(due, opened, UUID(case_id))
    except (binascii.Error, AttributeError, TypeError, ValueError) as exc:
        raise Invalid("bad_cursor", "This cursor was not given by this listing.") from exc


def words(search: str) -> list[str]:
    """The words of a search, lower-case (letters and digits; the rest separates words)."""
    return [w.lower() for w in WORD.findall(search)][:MAX_WORDS]


def tsquery(found: list[str]) -> str:
    """Every word, each as a prefix ('dup' finds 'Dupont'): PostgreSQL's to_tsquery text."""
    return " & ".join(f"{w}:*" for w in found)


def _time(value: datetime | None) -> str:
    return LAST if value is None else value.isoformat()
