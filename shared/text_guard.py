"""Refuses, in plain words, text no service can store: PostgreSQL's text types refuse the NUL
character, and a lone surrogate (JSON allows "\\ud800") cannot be encoded to UTF-8 at all. Both
would otherwise fail deep in a write, as a server error. Checked once for every request, on its
path and query parameters and on every string (and key) of its JSON body, whatever the model."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from shared.problems import UnreadableBody

# No request of any service nests deeper than a few levels; a body nested this deep is hostile.
MAX_DEPTH = 32
# An answer names at most this many problems, however many the body holds.
MAX_PROBLEMS = 20
NUL_MESSAGE = "must not contain the NUL character (\\u0000)"
SURROGATE_MESSAGE = "must be valid Unicode text (a lone surrogate such as \\ud800 is not)"


def text_problem(value: str) -> str | None:
    """What makes ``value`` unstorable, or None."""
    if "\x00" in value:
        return NUL_MESSAGE
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE_MESSAGE
    return None


def body_problems(body: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """(location, message) of every unstorable string in a parsed JSON body, keys included.
    Raises UnreadableBody if the body nests deeper than MAX_DEPTH."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    # Iterative, so a deep body cannot exhaust the stack here.
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(body, ("body",))]
    while pending and len(found) < MAX_PROBLEMS:
        value, where = pending.pop()
        if len(where) > MAX_DEPTH + 1:
            raise UnreadableBody(f"is nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, str):
            message = text_problem(value)
            if message is not None:
                found.append((where, message))
        elif isinstance(value, dict):
            for key, item in value.items():
                message = text_problem(key)
                if message is not None:
                    found.append(((*where, key), message))
                pending.append((item, (*where, key)))
        elif isinstance(value, list):
            pending.extend((item, (*where, i)) for i, item in enumerate(value))
    return sorted(found, key=lambda f: [str(p) for p in f[0]])


async def storable_text(request: Request) -> None:
    """A dependency of every route: a 422 naming each parameter or body string that holds
    the NUL character or a lone surrogate."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    for source, items in (
        ("path", request.path_params.items()),
        ("query", request.query_params.multi_items()),
    ):
        for name, value in items:
            message = text_problem(value) if isinstance(value, str) else None
            if message is not None:
                found.append(((source, name), message))
    if getattr(request.scope.get("route"), "body_field", None) is not None:
        try:
            # Parsed already by FastAPI (and kept by the request) when the body is JSON.
            body = await request.json()
        except (ValueError, RecursionError):
            body = None  # not JSON: FastAPI answers for it
        found.extend(body_problems(body))
    if found:
        errors = [
            {"type": "unstorable_text", "loc": where, "msg": message, "input": None}
            for where, message in found[:MAX_PROBLEMS]
        ]
        raise RequestValidationError(errors)
