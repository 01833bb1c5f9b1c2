"""Worker processes, one mechanism for every split of a rebuild's work between processes:
checking events, making rows and running handlers is Python work bound to one core per process.
Its users: the bulk pass's staging (ops.bulk_workers) and the replay through the handlers
(ops.parallel), each sharing the partitions by number (ops.kafka.split).

A worker is a fresh interpreter (``python -m ops.workers``) told its job on stdin: a picklable
``Job``, whose module is all it imports besides this one. It reports on stdout in frames:
progress counts, then its outcome (or its error, with the traceback). The parent follows it
(``started``) and kills it on the way out if it is still running (the work failed or was
cancelled): what the worker had not committed rolls back with it."""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import struct
import sys
import traceback
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from ops.pipeline import Progress

_FRAME = struct.Struct("!cQ")  # kind, then a count (progress) or a length (the pickle after)
PROGRESS, OUTCOME, ERROR = b"P", b"O", b"E"


class Job(Protocol):
    """A worker's share of the work (a dataclass of a module the worker can import)."""

    async def run(self, progress: Progress) -> Any: ...


@contextlib.asynccontextmanager
async def started(job: Job, progress: Progress) -> AsyncIterator[asyncio.Future[Any]]:
    """A worker started on ``job``; yields the task that follows it to its outcome (its error
    raised there). Killed on the way out if it is still running."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ops.workers",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(pickle.dumps(job))
    await process.stdin.drain()
    process.stdin.close()
    task = asyncio.ensure_future(_follow(process, process.stdout, progress))
    try:
        yield task
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        await process.wait()
        if task.done() and not task.cancelled():
            task.exception()  # retrieved: the caller reports the first error, not every one
        task.cancel()


async def run_all(jobs: list[Job], progress: Progress) -> list[Any]:
    """Runs each job in a worker of its own; their outcomes, in the jobs' order. The first
    error is raised once every worker is stopped."""
    async with contextlib.AsyncExitStack() as stack:
        children = [await stack.enter_async_context(started(job, progress)) for job in jobs]
        return list(await asyncio.gather(*children))


async def _follow(
    process: asyncio.subprocess.Process, out: asyncio.StreamReader, progress: Progress
) -> Any:
    """Passes a worker's progress on; its outcome, or its error raised here."""
    while True:
        try:
            kind, number = _FRAME.unpack(await out.readexactly(_FRAME.size))
        except asyncio.IncompleteReadError:
            code = await process.wait()
            raise RuntimeError(f"a worker process died (exit code {code})") from None
        if kind == PROGRESS:
            progress(number)
            continue
        body = await out.readexactly(number)
        if kind == ERROR:
            raise RuntimeError(f"a worker process failed:\n{body.decode()}")
        return pickle.loads(body)  # noqa: S301 - our own child's, over its own pipe


@dataclass(frozen=True)
class Frames:
    """A worker's side of the pipe: its stdout, which nothing else may write to (see main)."""

    out: BinaryIO

    def send(self, kind: bytes, body: bytes = b"", number: int | None = None) -> None:
        self.out.write(_FRAME.pack(kind, len(body) if number is None else number) + body)
        self.out.flush()


def main() -> None:
    """A worker: its job from stdin, its frames to stdout; anything printed goes to stderr."""
    frames = Frames(sys.stdout.buffer)
    sys.stdout = sys.stderr
    job = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from the parent, over a pipe
    try:
        outcome = asyncio.run(job.run(lambda n: frames.send(PROGRESS, number=n)))
    except Exception:
        frames.send(ERROR, traceback.format_exc().encode())
        raise SystemExit(1) from None
    frames.send(OUTCOME, pickle.dumps(outcome))


if __name__ == "__main__":
    main()
