"""The refusals a service's decisions raise, pure: what a command, a change or a read may not do.

One class per HTTP answer, so a decision says what went wrong (a code and a message) and the
HTTP status follows from the kind: shared/problems.py answers every Refused in the Problem shape
with its class's status. A refusal records and publishes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class Refused(Exception):
    """Not done, and nothing recorded. Raise one of the kinds below."""

    status: ClassVar[int] = 409

    def __init__(self, code: str, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # More the answer carries beside the Problem's fields, JSON-ready (e.g. what changed
        # since the version a stale command was decided on).
        self.details: Mapping[str, Any] = details or {}


class Forbidden(Refused):
    """Who the caller is (role, office) does not allow it."""

    status = 403


class NotFound(Refused):
    """What the request names does not exist."""

    status = 404


class Conflict(Refused):
    """The state of what it acts on does not allow it now."""

    status = 409


class Invalid(Refused):
    """What it asks cannot be, whatever the state (e.g. an absence that ends before it starts)."""

    status = 422


class Unavailable(Refused):
    """Something it needs does not answer now (e.g. the broker); asking again later may work."""

    status = 503
