"""Phase 6: the result as JSON (everything) and Markdown (the table people read), under
bench/results/<timestamp>.json|.md, the Markdown also as bench/results/latest.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.figures import Figure, collect

RESULTS = Path(__file__).resolve().parent / "results"


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{text} {unit}".strip()


def figure_row(f: Figure) -> str:
    met = {True: "✅", False: "❌", None: ""}[f.met]
    baseline = f"{f.baseline} {number(f.baseline_value)}" if f.baseline else ""
    ratio = f"{f.ratio:.3g}x" if f.ratio is not None else ""
    return f"| {f.figure} | {number(f.value, f.unit)} | {baseline} | {ratio} | {f.target} | {met} |"


def step_rows(results: dict[str, Any]) -> list[str]:
    pipeline = results.get("pipeline", {})
    runs = [pipeline.get("request-received", {}), *pipeline.get("http", [])]
    steps = [step for run in runs for step in run.get("steps", [])]
    steps += results.get("latency", {}).get("runs", [])
    rows = []
    for s in steps:
        summary = list(s["latency"].values())[-1]
        busiest = sorted(s["cpu_seconds"].items(), key=lambda kv: -kv[1])[:5]
        per_case = s.get("cpu_us_per_case", {})
        cpu = ", ".join(
            f"{k} {v / s['window_s']:.2f} ({per_case.get(k, '?')} µs)" for k, v in busiest
        )
        rows.append(
            f"| {s['driver']} | {s['target_per_s']:g} | {s['throughput_per_s']:,.0f} | "
            f"{s['lag_at_end']} | {summary['p50_ms']} | {summary['p99_ms']} | "
            f"{'yes' if s['sustained'] else 'no'} | {cpu} |"
        )
    return rows


def profile_rows(results: dict[str, Any]) -> list[str]:
    found = results.get("profile", {})
    services = found.get("services", {})
    if not services:
        return [f"Profile: {found['skipped']}"] if "skipped" in found else []
    components = list(next(iter(services.values()))["share_by_component"])
    lines = [
        f"Where each service's CPU goes (py-spy, intake HTTP at {found['rate_per_s']:g}/s; "
        "share of samples by the component of the running function):",
        "",
        "| service | samples | " + " | ".join(components) + " | hottest functions |",
        "| --- | ---: | " + " | ".join("---:" for _ in components) + " | --- |",
    ]
    for name, p in services.items():
        shares = [f"{p['share_by_component'].get(c, 0):.0%}" for c in components]
        hottest = "; ".join(f"{f} {n:.0%}" for f, n in p["hottest_functions"][:4])
        lines.append(f"| {name} | {p['samples']} | " + " | ".join(shares) + f" | {hottest} |")
    return lines


def instance_rows(results: dict[str, Any]) -> list[str]:
    """The instances phase: CPU per case of each service with 1 and 3 processes each."""
    cases = results.get("instances", {}).get("cases", [])
    if not cases:
        return []
    rows = [
        "",
        "Instances (bench/instances.py; every service with N processes at one rate; CPU µs per "
        "case: all of a service's instances, and per instance):",
        "",
        "| instances | rate/s | sustained | service | all µs/case | per instance µs/case |",
        "| ---: | ---: | :---: | --- | ---: | ---: |",
    ]
    for case in cases:
        for name, cpu in case["per_service"].items():
            rows.append(
                f"| {case['instances']} | {case['rate_per_s']} | {case['sustained']} | {name} "
                f"| {cpu['all_us']:.0f} | {cpu['per_instance_us']:.0f} |"
            )
    return rows


def markdown(results: dict[str, Any]) -> str:
    env = results.get("environment", {})
    packages = env.get("packages", {})
    pg = env.get("postgresql", {})
    lines = [
        f"# Relais benchmark, {results['started_at']}",
        "",
        f"{env.get('cpu_model', '?')}, {env.get('logical_cores', '?')} cores, "
        f"{env.get('memory_gib', '?')} GiB; Python {env.get('python', '?')}, "
        f"Kafka {env.get('kafka', '?')}, PostgreSQL {pg.get('server_version', '?')}, "
        f"aiokafka {packages.get('aiokafka', '?')}, FastStream {packages.get('faststream', '?')}, "
        f"asyncpg {packages.get('asyncpg', '?')}; commit "
        f"{env.get('git', {}).get('commit', '?')[:12]}"
        f"{' (dirty)' if env.get('git', {}).get('dirty') else ''}; load average at start "
        f"{env.get('load_average_at_start', '?')}. Preset: {results.get('preset', '?')}.",
        "",
        "| figure | value | baseline (same run) | ratio | target | met |",
        "| --- | ---: | --- | ---: | --- | :---: |",
        *(figure_row(f) for f in collect(results)),
        "",
        "Steps (open loop; latency to the pipeline's end; CPU: cores each process used during "
        "the step, and in brackets its CPU time per case):",
        "",
        "| driver | target/s | throughput/s | lag at end | p50 ms | p99 ms | sustained | CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | :---: | --- |",
        *step_rows(results),
        "",
        *profile_rows(results),
        *instance_rows(results),
    ]
    notes = results.get("notes", [])
    if notes:
        lines += ["", *(f"- {n}" for n in notes)]
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], folder: Path = RESULTS) -> tuple[Path, Path]:
    """Writes <timestamp>.json and .md, and latest.md; returns the two timestamped paths."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = results["started_at"].replace(":", "").replace("-", "")
    results["figures"] = [f.as_dict() for f in collect(results)]
    json_path = folder / f"{stem}.json"
    md_path = folder / f"{stem}.md"
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    text = markdown(results)
    md_path.write_text(text)
    (folder / "latest.md").write_text(text)
    return json_path, md_path
