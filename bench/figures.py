"""The headline figures of a run, each next to its baseline from the same run, the ratio, and
the target it is held to (issue 7; DESIGN.md "Where it must stand")."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

PIPELINE_PER_S = 5000
PIPELINE_DRAIN_RATIO = 0.10
HTTP_PER_PROCESS_PER_S = 1500
# Issue 13: p99 at 10% / 50% of the maximum, as multiples of the same run's raw Kafka hop p99.
P99_HOPS = {0.1: 3.0, 0.5: 5.0}
# Issue 13: the maximum at least doubled from the last run with one consumer per topic
# (bench/results/20261128T095456Z, and the quiet reference 20261128T081333Z: 1,500 req/s).
MAX_BEFORE_PER_S = 1500.0
MAX_GAIN = 2.0
SERVICE_RSS_MB = 200.0
SERVICES = ("intake", "routing", "advisory", "admin")


@dataclass(frozen=True)
class Figure:
    figure: str
    value: float | None
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline_value:
            return None
        return round(self.value / self.baseline_value, 3)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


def rate(results: dict[str, Any], name: str) -> float | None:
    value = results.get("baselines", {}).get(name, {}).get("rate_per_s")
    return float(value) if value is not None else None


def baselines(results: dict[str, Any]) -> list[Figure]:
    found = results.get("baselines", {})
    rows = [
        Figure(f"baseline: {label}", rate(results, key), unit)
        for key, label, unit in (
            ("kafka_produce", "raw aiokafka produce (acks=all, idempotent)", "msg/s"),
            ("kafka_drain", "raw aiokafka getmany drain", "msg/s"),
            ("pg_copy", "asyncpg COPY", "rows/s"),
            ("pg_upsert", "asyncpg batched upsert, 1 tx per batch", "rows/s"),
        )
        if key in found
    ]
    hop = found.get("kafka_hop_latency")
    if hop:
        rows.append(Figure("baseline: raw Kafka hop p99", hop["p99_ms"], "ms"))
    return rows


def pipeline(results: dict[str, Any]) -> list[Figure]:
    found = results.get("pipeline", {})
    rows: list[Figure] = []
    direct = found.get("request-received")
    drain = rate(results, "kafka_drain")
    if direct:
        value = float(direct["max_sustained_per_s"])
        rows.append(
            Figure(
                f"pipeline max sustained (request-received → {end_of(direct)})",
                value,
                "req/s",
                "raw drain",
                drain,
                f"≥ {PIPELINE_PER_S} and ≥ {PIPELINE_DRAIN_RATIO} x drain",
                value >= PIPELINE_PER_S
                and drain is not None
                and value >= PIPELINE_DRAIN_RATIO * drain,
            )
        )
        rows.append(
            Figure(
                "pipeline max sustained against one consumer per topic (issue 13)",
                value,
                "req/s",
                "before",
                MAX_BEFORE_PER_S,
                f"≥ {MAX_GAIN:g} x before",
                value >= MAX_GAIN * MAX_BEFORE_PER_S,
            )
        )
        rows += cpu_at_max(direct, results.get("environment", {}).get("logical_cores"))
    for run in found.get("http", []):
        per_process = float(run["max_sustained_per_process_per_s"])
        rows.append(
            Figure(
                f"intake HTTP, {run['intake_processes']} process(es), per process",
                per_process,
                "req/s",
                "pg upsert",
                rate(results, "pg_upsert"),
                f"≥ {HTTP_PER_PROCESS_PER_S} per process",
                per_process >= HTTP_PER_PROCESS_PER_S,
            )
        )
    return rows


def end_of(search: dict[str, Any]) -> str:
    """The pipeline's end point in a search's steps (the last one measured)."""
    steps = search.get("steps", [])
    return list(steps[0]["latency"])[-1] if steps and steps[0].get("latency") else "its end"


def cpu_at_max(search: dict[str, Any], cores: int | None = None) -> list[Figure]:
    """CPU time per case of every process at the highest sustained step: what a faster
    machine or a leaner service changes, whatever else runs on the machine. With the number of
    cores, also the rate at which that CPU per case fills them, next to the measured maximum:
    when the two agree, the machine's CPU is what limits the pipeline."""
    top = [s for s in search.get("steps", []) if s["sustained"]]
    if not top:
        return []
    step = max(top, key=lambda s: s["target_per_s"])
    per_case = step.get("cpu_us_per_case", {})
    at = f"at {step['target_per_s']:g}/s"
    rows = [
        Figure(f"CPU per case {at}: {name}", us, "µs") for name, us in per_case.items() if us >= 5
    ]
    total = sum(per_case.values())
    rows.append(Figure(f"CPU per case {at}: all processes", total, "µs"))
    if cores and total:
        rows.append(
            Figure(
                f"cases/s that fill {cores} cores at that CPU per case",
                round(cores * 1e6 / total),
                "req/s",
                "measured max",
                float(search["max_sustained_per_s"]),
            )
        )
    return rows


def latency(results: dict[str, Any]) -> list[Figure]:
    rows: list[Figure] = []
    hop = results.get("baselines", {}).get("kafka_hop_latency", {})
    for run in results.get("latency", {}).get("runs", []):
        # Through HTTP, latency counts from intake's 202 (acceptance); straight onto the log,
        # from the moment the event was due there. Both are in the JSON, from the due time too.
        by_endpoint = run.get("latency_from_accept") or run["latency"]
        start = "202" if "latency_from_accept" in run else "due"
        end, summary = list(by_endpoint.items())[-1]
        fraction = run["fraction_of_max"]
        hops = P99_HOPS.get(fraction)
        hop_p99 = hop.get("p99_ms")
        label = (
            f"{run['driver']} @ {fraction:.0%} of max ({run['target_per_s']:g}/s), {start} → {end}"
        )
        for p in ("p50", "p95", "p99", "p99.9"):
            value = summary[f"{p}_ms"]
            checked = p == "p99" and hops is not None and hop_p99 is not None
            rows.append(
                Figure(
                    f"latency {p}: {label}",
                    value,
                    "ms",
                    f"raw Kafka hop {p}",
                    hop.get(f"{p}_ms"),
                    f"≤ {hops:g} x raw hop p99" if checked else "",
                    (value is not None and value <= hops * hop_p99)
                    if checked and hops and hop_p99
                    else None,
                )
            )
    return rows


def pace(results: dict[str, Any]) -> list[Figure]:
    """The cooperative's real pace: 202 → the case readable through advisory's HTTP API."""
    found = results.get("pace")
    if not found:
        return []
    at = f"{found['rate_per_s']:g} req/s for {found['seconds']:g} s"
    latency = found["accept_to_readable"]
    return [
        Figure(f"real pace ({at}): 202 → readable in advisory's API, {p}", latency[key], "ms")
        for p, key in (("p50", "p50_ms"), ("p95", "p95_ms"), ("p99", "p99_ms"))
    ] + [
        Figure(
            f"real pace ({at}): cases readable in advisory's API",
            found["readable"],
            "cases",
            "sent",
            found["sent"],
            "all",
            found["readable"] == found["sent"],
        )
    ]


def targets(results: dict[str, Any]) -> list[str]:
    """One line per figure held to a target: met or not, with its value and baseline."""
    return [
        f"[bench] {'MET    ' if f.met else 'NOT MET'} {f.figure}: {f.value:g} {f.unit}"
        + (f" (ratio {f.ratio:g} to {f.baseline} {f.baseline_value:g})" if f.ratio else "")
        + f", target {f.target}"
        for f in collect(results)
        if f.met is not None and f.value is not None
    ]


def memory(results: dict[str, Any]) -> list[Figure]:
    rows: list[Figure] = []
    for name, mb in results.get("memory", {}).get("peak_rss_mb", {}).items():
        is_service = name.split("-")[0] in SERVICES
        rows.append(
            Figure(
                f"peak RSS: {name}",
                mb,
                "MB",
                target=f"≤ {SERVICE_RSS_MB:g} MB" if is_service else "",
                met=mb <= SERVICE_RSS_MB if is_service else None,
            )
        )
    return rows


def collect(results: dict[str, Any]) -> list[Figure]:
    """Every headline figure, plus whatever extra figures a phase added (e.g. rebuild)."""
    extra = [Figure(**row) for row in results.get("extra_figures", [])]
    return [
        *baselines(results),
        *pipeline(results),
        *latency(results),
        *pace(results),
        *memory(results),
        *extra,
    ]
