"""Rebuild speed: routing's projection rebuilt from N events (half RequestReceived, half the
CaseRouted facts routing reads back) against the raw aiokafka drain rate of the same topics,
measured in the same run. `python -m bench.rebuild [--events N] [--rounds R]`, or ``measure()``.
Each round drains, then rebuilds; the medians of the rounds are kept, and each round's ratio
(this machine's speed drifts by up to ±25% between minutes: a ratio pairs measures taken together).

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
import os
import resource
import time
from dataclasses import asdict, dataclass
from multiprocessing.queues import SimpleQueue
from pathlib import Path
from statistics import median

from aiokafka.admin import AIOKafkaAdminClient

from bench import environment
from bench import rebuild_phases as phases
from bench.report import RESULTS
from shared.settings import Settings


@dataclass(frozen=True)
class Round:
    drain_events_per_s: float
    librdkafka_drain_events_per_s: float
    rebuild_events_per_s: float
    ratio: float  # rebuild / (aiokafka) drain


@dataclass(frozen=True)
class Result:
    """The medians of the rounds; each round's ratio pairs a drain and a rebuild measured one
    after the other, under the same conditions."""

    events: int
    drain_events_per_s: float
    librdkafka_drain_events_per_s: float
    rebuild_events_per_s: float
    ratio: float  # the median of the rounds' ratios
    drain_peak_rss_mb: float
    rebuild_peak_rss_mb: float
    rows: dict[str, int]
    rounds: list[Round]

    def summary(self) -> str:
        each = ", ".join(
            f"{r.rebuild_events_per_s:,.0f}/{r.drain_events_per_s:,.0f} = {r.ratio:.2f}"
            for r in self.rounds
        )
        return (
            f"rebuild of {self.events:,} events: {self.rebuild_events_per_s:,.0f} ev/s vs raw "
            f"aiokafka drain {self.drain_events_per_s:,.0f} ev/s -> ratio {self.ratio:.2f} "
            f"(target >= 0.5; median of {len(self.rounds)} rounds: {each}); the bulk pass's own "
            f"reader (librdkafka) drains {self.librdkafka_drain_events_per_s:,.0f} ev/s; peak "
            f"RSS drain {self.drain_peak_rss_mb:.0f} MB, rebuild {self.rebuild_peak_rss_mb:.0f} "
            f"MB (with its staging worker); rows {self.rows}"
        )


def in_fresh_process(
    name: str, events: int, names: phases.Names, workers: int = 1
) -> dict[str, float]:
    """Runs one phase in a spawned process (not a daemon: it may start replay workers);
    returns its numbers and its peak RSS."""
    context = multiprocessing.get_context("spawn")
    results: SimpleQueue[dict[str, float]] = context.SimpleQueue()
    process = context.Process(
        target=phases.report_phase, args=(name, events, workers, names, results)
    )
    process.start()
    process.join()
    if process.exitcode != 0 or results.empty():
        raise RuntimeError(f"the {name} phase failed (exit code {process.exitcode})")
    return results.get()


# A pause after each phase: what it leaves running (PostgreSQL writing back the pages and the
# WAL a rebuild dirtied, the broker's flushes) is not charged to the next.
SETTLE_SECONDS = 5.0


def settled(numbers: dict[str, float], seconds: float) -> dict[str, float]:
    time.sleep(seconds)
    return numbers


def measure(
    events: int = 1_000_000,
    keep_topics: bool = False,
    workers: int = 2,
    rounds: int = 3,
    names: phases.Names | None = None,
    pause: float = SETTLE_SECONDS,
) -> Result:
    """Produces the events (unless the topics already hold them), then ``rounds`` times drains
    them raw and rebuilds routing's projection from them; returns the medians."""
    names = names or phases.Names()
    asyncio.run(phases.ensure_events(Settings(), events, names))
    measured: list[tuple[dict[str, float], dict[str, float], dict[str, float]]] = []
    try:
        for _ in range(rounds):
            drain = settled(in_fresh_process("drain", events, names), pause)
            librdkafka = settled(in_fresh_process("drain_librdkafka", events, names), pause)
            rebuilt = settled(in_fresh_process("rebuild", events, names, workers), pause)
            measured.append((drain, librdkafka, rebuilt))
    finally:
        if not keep_topics:
            asyncio.run(delete_topics(Settings(), names))
    runs = [Round(d["rate"], k["rate"], r["rate"], r["rate"] / d["rate"]) for d, k, r in measured]
    last = measured[-1][2]
    return Result(
        events=events,
        drain_events_per_s=median(r.drain_events_per_s for r in runs),
        librdkafka_drain_events_per_s=median(r.librdkafka_drain_events_per_s for r in runs),
        rebuild_events_per_s=median(r.rebuild_events_per_s for r in runs),
        ratio=median(r.ratio for r in runs),
        drain_peak_rss_mb=max(d["peak_rss_mb"] for d, _, _ in measured),
        rebuild_peak_rss_mb=max(
            max(r["peak_rss_mb"], r["peak_worker_rss_mb"]) for _, _, r in measured
        ),
        rows={k.removeprefix("rows."): int(v) for k, v in last.items() if k.startswith("rows.")},
        rounds=runs,
    )


async def delete_topics(settings: Settings, names: phases.Names) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        doomed = [t for t in names.topics.values() if t in existing]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()


def write(result: Result, load: tuple[float, float, float], folder: Path) -> Path:
    """The result, the machine's load average when it started and the commit, as
    ``<folder>/<UTC time>-rebuild.json`` (next to bench.run's results)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-rebuild.json"
    record = {
        **asdict(result),
        "summary": result.summary(),
        "load_average_at_start": load,
        "commit": environment.git_commit(),
    }
    path.write_text(json.dumps(record, indent=2) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep-topics", action="store_true", help="reuse them next run")
    parser.add_argument("--workers", type=int, default=2, help="rebuild worker processes")
    parser.add_argument("--rounds", type=int, default=3, help="drain + rebuild, medians kept")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="where the result's JSON file goes"
    )
    args = parser.parse_args()
    started = time.monotonic()
    load = os.getloadavg()
    result = measure(args.events, args.keep_topics, args.workers, args.rounds)
    print(json.dumps(asdict(result)) if args.json else result.summary())
    print(f"(wrote {write(result, load, args.output)})")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(bench took {time.monotonic() - started:.0f}s; harness peak RSS {own:.0f} MB)")


if __name__ == "__main__":
    main()
