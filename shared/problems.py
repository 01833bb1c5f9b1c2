"""The Problem shape every error answer has, and the handlers that give FastAPI's and
Starlette's own error paths (validation, unreadable bodies, unknown routes, crashes) and the
services' refusals (shared/refusals.py) that shape."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.routing import Match

from shared.auth import AuthProblem
from shared.refusals import Refused


class FieldProblem(BaseModel):
    field: str = Field(description="Where the problem is, e.g. 'body.member.preferred_language'.")
    message: str = Field(description="What is wrong with it.")


class Problem(BaseModel):
    """Every error answer has this shape."""

    error: str = Field(description="Machine-readable error code, e.g. 'validation_failed'.")
    message: str = Field(description="Human-readable explanation.")
    fields: list[FieldProblem] = Field(default_factory=list, description="Field-level problems.")


class UnreadableBody(Exception):
    """The body is not JSON a service can read: answered 422 `malformed_json`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def printable(text: str) -> str:
    """``text`` as it can be sent: an answer may quote what the client sent, lone surrogates
    included, and those cannot be encoded to UTF-8."""
    if text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def problem(
    status: int, error: str, message: str, fields: list[FieldProblem] | None = None
) -> JSONResponse:
    """An error answer in the Problem shape."""
    quoted = [
        FieldProblem(field=printable(f.field), message=printable(f.message)) for f in fields or []
    ]
    body = Problem(error=error, message=printable(message), fields=quoted)
    return JSONResponse(body.model_dump(), status_code=status)


def auth_answer(exc: AuthProblem) -> JSONResponse:
    """The 401 or 403 answer to an AuthProblem."""
    answer = problem(exc.status, exc.error, exc.message)
    if exc.status == 401:
        answer.headers["WWW-Authenticate"] = "Bearer"
    return answer


def unreadable_answer(reason: str) -> JSONResponse:
    """The answer to a body that is not JSON a service can read."""
    fields = [FieldProblem(field="body", message=reason)]
    return problem(422, "malformed_json", "The body is not valid JSON.", fields)


# What the parser's own errors mean, in plain words (FastAPI hides them behind a bare 400).
_PARSE_FAILURES: tuple[tuple[type[BaseException], str], ...] = (
    (RecursionError, "is nested too deeply"),
    (UnicodeDecodeError, "is not UTF-8 text"),
    (ValueError, "holds a value that cannot be read (e.g. a number with too many digits)"),
)
# FastAPI's status codes for its own refusals, with the error code each answers.
_HTTP_ERRORS = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
}
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# Plain words for Starlette's bare reason phrases ("Not Found").
_HTTP_MESSAGES = {
    404: "There is nothing at this address.",
    405: "This address does not accept this method.",
}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc)


async def _invalid(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    for e in errors:
        # FastAPI reports a JSON syntax error as a validation error at a character offset.
        if e.get("type") == "json_invalid":
            detail = (e.get("ctx") or {}).get("error", "syntax error")
            return unreadable_answer(f"{detail} (at character {e['loc'][-1]})")
    # A model's own checks raise ValueError; pydantic prefixes their words with "Value error, ".
    fields = [
        FieldProblem(field=_where(e["loc"]), message=e["msg"].removeprefix("Value error, "))
        for e in errors
    ]
    return problem(422, "validation_failed", "The request is invalid.", fields)


async def _auth_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AuthProblem)
    return auth_answer(exc)


async def _refused(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refused)
    if not exc.details:
        return problem(exc.status, exc.code, exc.message)
    body = Problem(error=exc.code, message=printable(exc.message))
    return JSONResponse({**exc.details, **body.model_dump()}, status_code=exc.status)


async def _unreadable(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnreadableBody)
    return unreadable_answer(exc.reason)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    cause = exc.__cause__
    if exc.status_code == 400 and cause is not None:
        # FastAPI turns any failure of its JSON parsing into this bare 400.
        for kind, reason in _PARSE_FAILURES:
            if isinstance(cause, kind):
                return unreadable_answer(reason)
    error = _HTTP_ERRORS.get(exc.status_code, "http_error")
    message = str(exc.detail)
    if message == _phrase(exc.status_code):
        message = _HTTP_MESSAGES.get(exc.status_code, f"{message}.")
    answer = problem(exc.status_code, error, message)
    for name, value in (exc.headers or {}).items():
        answer.headers[name] = value
    if exc.status_code == 405:
        answer.headers["Allow"] = ", ".join(allowed_methods(request))
    return answer


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app accepts at the request's path. Starlette's own 405
    names only the methods of the first route that matched the path."""
    allowed = []
    for method in METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


async def _crash(_request: Request, exc: Exception) -> JSONResponse:
    # Starlette logs the exception and its traceback itself after this answer.
    return problem(500, "internal_error", "The service failed to answer; it has been logged.")


def answer_every_error_as_problem(app: FastAPI) -> None:
    """Every error path of the app answers the Problem shape."""
    handlers: dict[Any, Any] = {
        RequestValidationError: _invalid,
        AuthProblem: _auth_problem,
        UnreadableBody: _unreadable,
        Refused: _refused,
        HTTPException: _http_error,
        Exception: _crash,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)
