"""A bulk pass's staging split between processes (ops.bulk_stage): checking events and making
rows is Python work bound to one core per process, and one process left the machine's second
core a third idle while PostgreSQL copied. The partitions are shared by partition number
(ops.kafka.split); this process stages the first share, each other share is staged by a
worker process (``python -m ops.bulk_workers``) with its own Kafka reader and connection,
copying into the same staging tables.

A worker is a fresh interpreter that imports the stager only (not the services), told its job
on stdin; it reports on stdout in frames: progress counts, then its outcome (or its error).
Cancelling the pass kills the workers: their COPYs roll back with them, and the staging tables
are dropped by the pass anyway."""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import struct
import sys
import traceback
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import BinaryIO

import asyncpg

from ops import schemas
from ops.bulk_loaders import LOADERS
from ops.bulk_stage import Outcome, Plan, Stager
from ops.kafka import Offsets, split
from ops.pipeline import Progress
from shared.db import Conn

# A worker's events rank after this process's (Stager.seq): as if the shares were read in turn.
SEQ_SPAN = 1 << 40

_FRAME = struct.Struct("!cQ")  # kind, then a count (progress) or a length (the pickle after)
PROGRESS, OUTCOME, ERROR = b"P", b"O", b"E"


@dataclass(frozen=True)
class Job:
    plan: Plan
    dsn: str
    schema: str
    role: str
    start: Offsets
    stop: Offsets
    first_seq: int


async def stage_all(
    plan: Plan,
    conn: Conn,
    shadow: schemas.Shadow,
    start: Offsets,
    stop: Offsets,
    progress: Progress,
    workers: int,
) -> Outcome:
    """Stages ``stop``'s partitions from ``start``: the first share here, on ``conn``, the
    others in worker processes. The outcomes in share order (each partition's order kept)."""
    shares = split({tp: end for tp, end in stop.items() if start[tp] < end}, workers)
    loader = LOADERS[plan.service]
    if len(shares) <= 1:
        return await Stager(plan, loader, conn).stage(start, stop, progress)
    jobs = [
        Job(plan, shadow.dsn, shadow.schema, shadow.role, start, share, i * SEQ_SPAN)
        for i, share in enumerate(shares[1:], start=1)
    ]
    async with contextlib.AsyncExitStack() as stack:
        children = [await stack.enter_async_context(_worker(job, progress)) for job in jobs]
        outcome = await Stager(plan, loader, conn).stage(start, shares[0], progress)
        for child in await asyncio.gather(*children):
            outcome.add(child)
    return outcome


@contextlib.asynccontextmanager
async def _worker(job: Job, progress: Progress) -> AsyncIterator[asyncio.Future[Outcome]]:
    """A started worker; yields the task that follows it to its outcome. Killed on the way
    out if it is still running (the pass failed or was cancelled)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ops.bulk_workers",
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
            task.exception()  # retrieved: the pass reports the first error, not every one
        task.cancel()


async def _follow(
    process: asyncio.subprocess.Process, out: asyncio.StreamReader, progress: Progress
) -> Outcome:
    """Passes a worker's progress on; its outcome, or its error raised here."""
    while True:
        try:
            kind, number = _FRAME.unpack(await out.readexactly(_FRAME.size))
        except asyncio.IncompleteReadError:
            code = await process.wait()
            raise RuntimeError(f"a bulk staging worker died (exit code {code})") from None
        if kind == PROGRESS:
            progress(number)
            continue
        body = await out.readexactly(number)
        if kind == ERROR:
            raise RuntimeError(f"a bulk staging worker failed:\n{body.decode()}")
        outcome = pickle.loads(body)  # noqa: S301 - our own child's, over its own pipe
        assert isinstance(outcome, Outcome)
        return outcome


@dataclass(frozen=True)
class Frames:
    """A worker's side of the pipe: its stdout, which nothing else may write to (see main)."""

    out: BinaryIO

    def send(self, kind: bytes, body: bytes = b"", number: int | None = None) -> None:
        self.out.write(_FRAME.pack(kind, len(body) if number is None else number) + body)
        self.out.flush()


async def _stage(job: Job, frames: Frames) -> Outcome:
    conn: Conn = await asyncpg.connect(
        job.dsn,
        server_settings={
            "search_path": job.schema,
            "role": job.role,
            "application_name": f"relais-ops-{job.schema}-stager",
            **schemas.STABLE_TEXT,
        },
    )
    try:
        stager = Stager(job.plan, LOADERS[job.plan.service], conn, job.first_seq)
        return await stager.stage(job.start, job.stop, lambda n: frames.send(PROGRESS, number=n))
    finally:
        await conn.close()


def main() -> None:
    """A worker: its job from stdin, its frames to stdout; anything printed goes to stderr."""
    frames = Frames(sys.stdout.buffer)
    sys.stdout = sys.stderr
    job = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from the parent, over a pipe
    assert isinstance(job, Job)
    try:
        outcome = asyncio.run(_stage(job, frames))
    except Exception:
        frames.send(ERROR, traceback.format_exc().encode())
        raise SystemExit(1) from None
    frames.send(OUTCOME, pickle.dumps(outcome))


if __name__ == "__main__":
    # As ops.bulk_workers, not __main__: the job pickled by the parent names that module's Job.
    from ops import bulk_workers

    bulk_workers.main()
