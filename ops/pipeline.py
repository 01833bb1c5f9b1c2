"""Reading and writing overlapped: the chunks a reader makes (CPU, in Python) are written by
another task (mostly PostgreSQL's work, in its own process) while the next ones are read."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
Progress = Callable[[int], None]
"""Told how many more events were done."""

# Chunks read ahead of the writer: enough to keep both busy, few enough to bound the memory.
AHEAD = 2


async def overlapped(chunks: AsyncIterator[T], write: Callable[[T], Awaitable[None]]) -> None:
    """Writes every chunk of ``chunks``, in order, while the next are read; the first error of
    either side cancels the other and is raised."""
    queue: asyncio.Queue[tuple[T] | None] = asyncio.Queue(maxsize=AHEAD)

    async def read() -> None:
        async for chunk in chunks:
            await queue.put((chunk,))
        await queue.put(None)

    async def drain() -> None:
        while (item := await queue.get()) is not None:
            await write(item[0])

    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(read())
        tasks.create_task(drain())
