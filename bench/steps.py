"""One open-loop step: send at a fixed rate for a while, watch the lag at the pipeline's end,
wait for the rest to arrive, and judge whether the rate was sustained."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Protocol

from bench.config import BenchConfig
from bench.drivers import Sent
from bench.memory import Resources, cpu_delta
from bench.stats import rate as per_s
from bench.stats import summary_ms
from bench.tracker import Trackers, now

LAG_SAMPLE_S = 0.1
STEPS_DOWN = 3


class Driver(Protocol):
    name: str

    async def drive(self, rate: float, seconds: float, trackers: Trackers) -> Sent: ...


async def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = now() + timeout
    while not condition():
        if now() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def run_step(
    driver: Driver,
    trackers: Trackers,
    rate: float,
    seconds: float,
    config: BenchConfig,
    resources: Resources,
) -> dict[str, Any]:
    """Drives ``rate`` requests/s for ``seconds``; every figure of the step."""
    trackers.reset()
    final = trackers.final
    max_lag = 0
    sending = True

    async def watch_lag() -> None:
        nonlocal max_lag
        while sending:
            max_lag = max(max_lag, final.lag)
            await asyncio.sleep(LAG_SAMPLE_S)

    cpu_before = resources.cpu_seconds()
    watcher = asyncio.create_task(watch_lag())
    started = now()
    try:
        sent = await driver.drive(rate, seconds, trackers)
    finally:
        sending = False
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    window = now() - started
    end_lag = sent.due - final.visible
    # Every end point, not only the last: their figures are reported too.
    all_visible = await wait_until(
        lambda: all(t.visible >= sent.accepted for t in trackers.all), config.drain_seconds
    )
    finished = now()
    cpu = cpu_delta(cpu_before, resources.cpu_seconds())
    budget = rate * config.lag_budget_seconds
    sustained = (
        not sent.errors
        and all_visible
        and sent.accepted == sent.due
        and end_lag <= budget
        and window <= seconds + config.lag_budget_seconds
    )
    step: dict[str, Any] = {
        "driver": driver.name,
        "target_per_s": rate,
        "seconds": seconds,
        "due": sent.due,
        "accepted": sent.accepted,
        "errors": dict(sent.errors),
        "generator_behind_max_s": round(sent.max_behind_s, 3),
        "window_s": round(window, 3),
        "lag_at_end": end_lag,
        "lag_max": max(max_lag, end_lag),
        "all_visible": all_visible,
        "drain_s": round(finished - started - window, 3),
        "throughput_per_s": per_s(final.visible, finished - started),
        "latency": {t.name: summary_ms(t.from_due) for t in trackers.all},
        "cpu_seconds": cpu,
        # CPU per case is what a busy, shared machine changes least: the figure to optimise.
        "cpu_us_per_case": {k: round(v / final.visible * 1e6) for k, v in cpu.items()}
        if final.visible
        else {},
        "sustained": sustained,
    }
    if sent.accept_latency:
        step["http_accept"] = summary_ms(sent.accept_latency)
        step["latency_from_accept"] = {t.name: summary_ms(t.from_accept) for t in trackers.all}
    return step


async def search(
    driver: Driver,
    trackers: Trackers,
    rates: tuple[int, ...],
    config: BenchConfig,
    resources: Resources,
) -> dict[str, Any]:
    """Steps up until a rate is not sustained (then tries the midpoint once); if even the first
    step is not sustained, steps down (halving) a few times so the result is not just 0."""
    steps: list[dict[str, Any]] = []
    best = 0
    failed: int | None = None
    for rate in rates:
        steps.append(await settle_then(driver, trackers, rate, config, resources))
        if not steps[-1]["sustained"]:
            failed = rate
            break
        best = rate
    lower = rates[0]
    for _ in range(STEPS_DOWN if not best else 0):
        lower //= 2
        if lower < 1:
            break
        steps.append(await settle_then(driver, trackers, lower, config, resources))
        if steps[-1]["sustained"]:
            return {"steps": steps, "max_sustained_per_s": lower}
    if config.refine and failed is not None and best:
        middle = round((best + failed) / 2, -2)
        if best < middle < failed:
            steps.append(await settle_then(driver, trackers, middle, config, resources))
            best = int(middle) if steps[-1]["sustained"] else best
    return {"steps": steps, "max_sustained_per_s": best}


async def settle_then(
    driver: Driver, trackers: Trackers, rate: float, config: BenchConfig, resources: Resources
) -> dict[str, Any]:
    """A step started once the previous one's backlog is gone (a failed step may leave one)."""
    final = trackers.final
    await wait_until(lambda: final.lag <= 0, 60.0)
    await asyncio.sleep(config.settle_seconds)
    step = await run_step(driver, trackers, rate, config.step_seconds, config, resources)
    print(
        f"[bench] {driver.name} {rate:>6g}/s: throughput {step['throughput_per_s']:>8.0f}/s, "
        f"lag at end {step['lag_at_end']}, p99 "
        f"{step['latency'][final.name]['p99_ms']} ms, sustained={step['sustained']}",
        flush=True,
    )
    return step
