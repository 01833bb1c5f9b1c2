"""How big a benchmark run is: the documented default (`make bench`) and a seconds-long smoke run
for CI. Every volume and step is here, so a result file says exactly what was measured."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

# Request rates (per second) tried in turn until one is not sustained. The pipeline steps
# straight onto `request-received`; the HTTP steps are per intake process.
PIPELINE_STEPS = (1000, 2000, 3000, 4000, 5000, 6000, 8000, 10_000, 12_500, 15_000, 20_000)
HTTP_STEPS = (250, 500, 1000, 1500, 2000, 2500, 3000, 4000)


@dataclass(frozen=True)
class BenchConfig:
    # Baselines: ~500-byte messages through raw aiokafka, projection-like rows through asyncpg.
    kafka_messages: int = 1_000_000
    message_bytes: int = 500
    pg_rows: int = 1_000_000
    copy_batch: int = 10_000
    # One transaction per batch, as a projection consumer writes (settings.consumer_max_records).
    upsert_batch: int = 1000
    # One raw Kafka hop's latency (produce -> a consumer reads it), open-loop at this rate.
    hop_rate: int = 1000
    hop_seconds: float = 5.0
    # Open-loop steps.
    pipeline_steps: tuple[int, ...] = PIPELINE_STEPS
    http_steps: tuple[int, ...] = HTTP_STEPS
    intake_processes: tuple[int, ...] = (1, 2)
    step_seconds: float = 10.0
    # The instances phase (bench/instances.py): every service with 1, then 3 processes, at
    # one rate for step_seconds; CPU per case of each instance.
    instance_counts: tuple[int, ...] = (1, 3)
    instances_rate: int = 300
    # A step is sustained when, as its sending ends, at most this much traffic is still in
    # flight (lag bounded) and the rest arrives within drain_seconds (nothing lost).
    lag_budget_seconds: float = 1.0
    drain_seconds: float = 15.0
    # Pause between steps, once the previous step's backlog is gone.
    settle_seconds: float = 1.0
    # Between the last sustained and the first failed step, try the midpoint once.
    refine: bool = True
    # Latency runs: fractions of the maximum sustained rate, each for latency_seconds.
    latency_fractions: tuple[float, ...] = (0.1, 0.5)
    latency_seconds: float = 20.0
    # The cooperative's real pace: this many requests a second through intake's HTTP API, for
    # pace_seconds; 202 → the case readable through advisory's HTTP API.
    pace_rate: float = 1.0
    pace_seconds: float = 60.0
    # py-spy samples every service during one HTTP step at half intake's maximum.
    profile_seconds: float = 10.0
    http_connections: int = 32
    # Distinct members in the generated traffic (the cooperative has ~20,000 a year).
    members: int = 20_000
    seed: int = 7
    # Services started by the harness listen on port_base + 1.. (intake, routing, ...).
    port_base: int | None = None
    # The lab: a generated year through 3 models x lab_seeds seeds (bench/lab.py).
    lab_cases: int = 100_000
    lab_seeds: int = 10
    lab_workers: int = 2
    phases: tuple[str, ...] = field(
        default=(
            "environment",
            "baselines",
            "lab",
            "pipeline",
            "instances",
            "latency",
            "pace",
            "profile",
            "memory",
        )
    )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def smoke(port_base: int | None = None) -> BenchConfig:
    """Tiny volumes: proves the harness works end to end in a few seconds; measures nothing."""
    return replace(
        BenchConfig(),
        kafka_messages=2000,
        pg_rows=2000,
        lab_cases=2000,
        lab_seeds=2,
        copy_batch=500,
        upsert_batch=500,
        hop_rate=100,
        hop_seconds=1.0,
        pipeline_steps=(100, 200),
        http_steps=(50,),
        intake_processes=(1,),
        instance_counts=(1,),
        instances_rate=50,
        step_seconds=1.0,
        drain_seconds=20.0,
        refine=False,
        settle_seconds=0.2,
        latency_seconds=1.0,
        pace_seconds=2.0,
        profile_seconds=1.0,
        http_connections=4,
        members=50,
        port_base=port_base,
    )
