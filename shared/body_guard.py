"""ASGI middleware: a request's body is read only from an authenticated caller, and only up to
a size limit. Without it FastAPI reads and parses any body, of any size, before a route's
dependencies check the token.

The check runs when the app first asks for the body (routes without one never do, and keep
their usual answers): the bearer token must be valid (401 otherwise; the route's own
dependency still checks the role), a declared Content-Length must be within the limit, and the
bytes received are counted, so a chunked body is cut off at the limit too (413). A refusal
replaces whatever the app makes of the interrupted read."""

from __future__ import annotations

from typing import Any

from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import AuthProblem, Verifier, unauthenticated
from shared.problems import auth_answer, problem


class BodyRefused(Exception):
    """Raised into the app when the body may not be read: its read is abandoned."""


def bearer_token(authorization: str | None) -> str | None:
    """The credentials of an `Authorization: Bearer …` header, or None."""
    scheme, credentials = get_authorization_scheme_param(authorization)
    if scheme.lower() != "bearer" or not credentials:
        return None
    return credentials


def too_large(limit: int) -> JSONResponse:
    """The 413 answer."""
    return problem(
        413, "body_too_large", f"The request body is larger than the limit of {limit} bytes."
    )


class BodyGuard:
    """Authenticates before the body is read and caps its size (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, state: Any) -> None:
        self.app = app
        self.limit = max_body_bytes
        self.state = state  # the app's state: its verifier is set when the service starts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await _GuardedRequest(self, scope, receive, send).run()


class _GuardedRequest:
    """One request under the guard: its receive and send, and the refusal if there is one."""

    def __init__(self, guard: BodyGuard, scope: Scope, receive: Receive, send: Send) -> None:
        self.guard = guard
        self.scope = scope
        self._receive = receive
        self._send = send
        self.checked = False
        self.received = 0
        self.started = False
        self.refusal: JSONResponse | None = None

    async def run(self) -> None:
        try:
            await self.guard.app(self.scope, self.receive, self.send)
        except Exception:
            if self.refusal is None or self.started:
                raise
        if self.refusal is not None and not self.started:
            await self._answer(self.refusal)

    def _refuse(self, answer: JSONResponse) -> BodyRefused:
        # The rest of the body stays unread: the connection cannot be reused.
        answer.headers["Connection"] = "close"
        self.refusal = answer
        return BodyRefused(answer.status_code)

    async def _first_check(self) -> JSONResponse | None:
        headers = Headers(scope=self.scope)
        token = bearer_token(headers.get("authorization"))
        try:
            if token is None:
                raise unauthenticated()
            verifier: Verifier = self.guard.state.verifier
            await verifier.verify(token)
        except AuthProblem as exc:
            return auth_answer(exc)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.guard.limit:
            return too_large(self.guard.limit)
        return None

    async def receive(self) -> Message:
        if not self.checked:
            self.checked = True
            refusal = await self._first_check()
            if refusal is not None:
                raise self._refuse(refusal)
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.guard.limit:
                raise self._refuse(too_large(self.guard.limit))
        return message

    async def send(self, message: Message) -> None:
        if self.refusal is not None and not self.started:
            return  # the app's answer to the abandoned read; the refusal replaces it
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)

    async def _answer(self, answer: JSONResponse) -> None:
        self.started = True
        await answer(self.scope, self._receive, self._send)
