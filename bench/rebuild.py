"""Rebuild speed: routing's projection rebuilt from N events (half RequestReceived, half the
CaseRouted facts routing reads back) against the raw aiokafka drain rate of the same topics,
measured in the same run. `python -m bench.rebuild [--events N]`, or ``measure()``.

The events go to their own topics (``bench.request-received``, ``bench.routed``), never the
contract's, and the projection to a scratch schema (``routing_bench``): the stack's own data
is untouched. The rebuild runs what `relais rebuild`'s first round runs (the bulk pass of
ops.bulk, the handlers for what it leaves). Each measured phase runs in a fresh process, so its
peak memory is its own."""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import time
from dataclasses import asdict, dataclass
from multiprocessing.queues import SimpleQueue

from aiokafka.admin import AIOKafkaAdminClient

from bench import rebuild_phases as phases
from shared.settings import Settings


@dataclass(frozen=True)
class Result:
    events: int
    drain_events_per_s: float
    rebuild_events_per_s: float
    ratio: float
    drain_peak_rss_mb: float
    rebuild_peak_rss_mb: float
    rows: dict[str, int]

    def summary(self) -> str:
        return (
            f"rebuild of {self.events:,} events: {self.rebuild_events_per_s:,.0f} ev/s vs raw "
            f"aiokafka drain {self.drain_events_per_s:,.0f} ev/s -> ratio {self.ratio:.2f} "
            f"(target >= 0.5); peak RSS drain {self.drain_peak_rss_mb:.0f} MB, rebuild "
            f"{self.rebuild_peak_rss_mb:.0f} MB; rows {self.rows}"
        )


def in_fresh_process(name: str, events: int, workers: int = 1) -> dict[str, float]:
    """Runs one phase in a spawned process (not a daemon: it may start replay workers);
    returns its numbers and its peak RSS."""
    context = multiprocessing.get_context("spawn")
    results: SimpleQueue[dict[str, float]] = context.SimpleQueue()
    process = context.Process(target=phases.report_phase, args=(name, events, workers, results))
    process.start()
    process.join()
    if process.exitcode != 0 or results.empty():
        raise RuntimeError(f"the {name} phase failed (exit code {process.exitcode})")
    return results.get()


def measure(events: int = 1_000_000, keep_topics: bool = False, workers: int = 2) -> Result:
    """Produces the events (unless the topics already hold them), drains them raw, rebuilds
    routing's projection from them; returns the rates and their ratio."""
    asyncio.run(phases.ensure_events(Settings(), events))
    try:
        drain = in_fresh_process("drain", events)
        rebuilt = in_fresh_process("rebuild", events, workers)
    finally:
        if not keep_topics:
            asyncio.run(delete_topics(Settings()))
    rows = {k.removeprefix("rows."): int(v) for k, v in rebuilt.items() if k.startswith("rows.")}
    return Result(
        events=events,
        drain_events_per_s=drain["rate"],
        rebuild_events_per_s=rebuilt["rate"],
        ratio=rebuilt["rate"] / drain["rate"],
        drain_peak_rss_mb=drain["peak_rss_mb"],
        rebuild_peak_rss_mb=max(rebuilt["peak_rss_mb"], rebuilt["peak_worker_rss_mb"]),
        rows=rows,
    )


async def delete_topics(settings: Settings) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        doomed = [t for t in phases.TOPICS.values() if t in existing]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep-topics", action="store_true", help="reuse them next run")
    parser.add_argument("--workers", type=int, default=2, help="rebuild worker processes")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    started = time.monotonic()
    result = measure(args.events, args.keep_topics, args.workers)
    print(json.dumps(asdict(result)) if args.json else result.summary())
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(bench took {time.monotonic() - started:.0f}s; harness peak RSS {own:.0f} MB)")


if __name__ == "__main__":
    main()
