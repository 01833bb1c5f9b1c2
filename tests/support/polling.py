"""Waiting for an asynchronous effect: ask until the answer is the one awaited, or give up and
let the test's assertion say what was seen instead."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

Answer = TypeVar("Answer")


async def until(
    ask: Callable[[], Awaitable[Answer]],
    done: Callable[[Answer], bool],
    timeout: float = 30.0,
) -> Answer:
    """The first answer ``done`` accepts, or the last one after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    answer = await ask()
    while not done(answer) and loop.time() < deadline:
        await asyncio.sleep(0.1)
        answer = await ask()
    return answer


def body_has(**expected: Any) -> Callable[[httpx.Response], bool]:
    """An answer that is 200 and whose JSON (or its 'case'/'task') has these values."""

    def check(answer: httpx.Response) -> bool:
        if answer.status_code != 200:
            return False
        data = answer.json()
        data = data.get("case", data.get("task", data))
        return all(data.get(k) == v for k, v in expected.items())

    return check
