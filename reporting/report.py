"""`relais report`: one self-contained HTML page with charts from the `bi` views: volumes,
lifecycle durations, SLA, workload balance, escalations, pilot vs legacy."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from reporting import charts
from reporting.data import ReportData, load

DEFAULT_PATH = Path(".local/reports/relais-report.html")
STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:1360px;color:#222;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.6em;border-bottom:1px solid #ddd}
.grid{display:flex;flex-wrap:wrap;gap:1.5em} .chart{margin:0} figcaption{font-weight:600}
.chart svg{max-width:100%;height:auto;font-size:11px} .value{fill:#444} .axis{fill:#666}
.empty p{color:#777;font-style:italic;width:640px} .kpis{display:flex;gap:2em;margin:1em 0}
.kpis div{background:#f4f6f9;padding:.6em 1em;border-radius:6px}
.kpis b{display:block;font-size:1.5em} .legend span{margin-right:1em}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
table{border-collapse:collapse;margin-top:1em}
td,th{padding:.3em .8em;border-bottom:1px solid #eee;text-align:right}
"""
PENDING = (
    "Not assessed yet: advisory does not project SLA clocks yet (advisory.bi_sla, see docs/bi.md)."
)
KPIS = ("cases", "routed", "escalated", "resolved")
MEASURES: tuple[tuple[str, charts.Format], ...] = (
    ("cases", charts.number),
    ("resolved", charts.number),
    ("resolved_at_first_line", charts.number),
    ("median_received_to_routed_s", charts.duration),
    ("median_received_to_first_response_s", charts.duration),
    ("median_received_to_resolved_s", charts.duration),
    ("escalation_rate", charts.percent),
    ("sla_met_rate", charts.percent),
)


def val(value: Any) -> float:
    return float(value) if value is not None else 0.0


def volumes(data: ReportData) -> str:
    days = sorted({r["day"] for r in data.daily})
    channels = sorted({r["channel"] for r in data.daily})
    count = {(r["day"], r["channel"]): r["n"] for r in data.daily}
    daily = {c: [val(count.get((d, c))) for d in days] for c in channels}
    parts = [charts.columns("Cases received per day, by channel", days, daily)]
    for column, title in (
        ("office", "Cases per office"),
        ("topic_family", "Cases per topic family"),
        ("language", "Cases per language"),
        ("organisation_model", "Cases per organisation model"),
        ("status", "Cases per status now"),
        ("outcome", "Resolved cases per outcome"),
    ):
        found = [r for r in data.by[column] if r["label"] is not None]
        labels = [str(r["label"]) for r in found]
        parts.append(charts.hbars(title, labels, {"cases": [val(r["n"]) for r in found]}))
    return "".join(parts)


def lifecycle(data: ReportData) -> str:
    stages = [
        ("routed", "Received → routed"),
        ("claimed", "Routed → claimed (queue wait)"),
        ("response", "Received → first response"),
        ("escalated", "Received → escalated"),
        ("resolved", "Received → resolved"),
        ("admin", "Resolved → administrative act done"),
    ]
    known = [(k, label) for k, label in stages if data.stages.get(f"{k}_p50") is not None]
    chart = charts.hbars(
        "How long each step takes (median and 90th percentile)",
        [label for _, label in known],
        {
            "median": [val(data.stages[f"{k}_p50"]) for k, _ in known],
            "p90": [val(data.stages[f"{k}_p90"]) for k, _ in known],
        },
        charts.duration,
    )
    missing = [label for k, label in stages if data.stages.get(f"{k}_p50") is None]
    note = f"<p>Not measured yet: {escape(', '.join(missing))}.</p>" if missing else ""
    return chart + note


def sla(data: ReportData) -> str:
    if not any(val(r["met"]) + val(r["breached"]) for r in data.sla):
        return charts.empty("SLA met and breached per office", PENDING)
    return charts.hbars(
        "SLA met and breached per office",
        [r["label"] for r in data.sla],
        {
            "met": [val(r["met"]) for r in data.sla],
            "breached": [val(r["breached"]) for r in data.sla],
        },
        stacked=True,
    )


def workload(data: ReportData) -> str:
    labels = [r["label"] for r in data.workload]
    series = {"open at end of day": [val(r["open"]) for r in data.workload]}
    if any(r["capacity"] is not None for r in data.workload):
        series["capacity"] = [val(r["capacity"]) for r in data.workload]
    desks = charts.hbars("Open cases per desk (latest day)", labels, series)
    people = [f"{r['label']} ({r['team']})" for r in data.staff]
    balance = {
        "handled": [val(r["handled"]) for r in data.staff],
        "open now": [val(r["open"]) for r in data.staff],
    }
    return desks + charts.hbars("Cases handled and held per staff member", people, balance)


def escalations(data: ReportData) -> str:
    if not data.totals["escalated"]:
        return charts.empty("Escalation rate per office and model", "No escalation yet.")
    models = sorted({r["model"] for r in data.escalations})
    offices = sorted({r["label"] for r in data.escalations})
    rate = {(r["label"], r["model"]): val(r["rate"]) for r in data.escalations}
    rates = {m: [rate.get((o, m), 0.0) for o in offices] for m in models}
    reasons = charts.hbars(
        "Escalations per reason",
        [str(r["label"]) for r in data.reasons],
        {"escalations": [val(r["n"]) for r in data.reasons]},
    )
    return (
        charts.hbars("Escalation rate per office and model", offices, rates, charts.percent)
        + reasons
    )


def model_name(row: dict[str, Any]) -> str:
    return f"{row['organisation_model']} ({row['model_role']})"


def models(data: ReportData) -> str:
    months = sorted({str(r["month"]) for r in data.models})
    names = sorted({model_name(r) for r in data.models})
    cell = {(str(r["month"]), model_name(r)): r for r in data.models}
    cases = {
        n: [val(cell[(m, n)]["cases"]) if (m, n) in cell else 0.0 for m in months] for n in names
    }
    chart = charts.columns("Cases per month and organisation model", [m[:7] for m in months], cases)
    if not months:
        return chart
    head = "".join(f"<th>{escape(n)}</th>" for n in names)
    body = ""
    for month in months:
        for measure, fmt in MEASURES:
            values = [cell.get((month, n), {}).get(measure) for n in names]
            cells = "".join(f"<td>{'-' if v is None else fmt(v)}</td>" for v in values)
            body += f"<tr><th>{escape(month[:7])} · {escape(measure)}</th>{cells}</tr>"
    return chart + f"<table><tr><th></th>{head}</tr>{body}</table>"


def render(data: ReportData, now: datetime) -> str:
    t = data.totals
    kpis = "".join(f"<div>{key}<b>{charts.number(val(t[key]))}</b></div>" for key in KPIS)
    sections = [
        ("Volumes", volumes(data)),
        ("Lifecycle durations", lifecycle(data)),
        ("SLA", sla(data)),
        ("Workload balance", workload(data)),
        ("Escalations", escalations(data)),
        ("Pilot (specialised) vs legacy (polyvalent)", models(data)),
    ]
    body = "".join(f'<h2>{escape(h)}</h2><div class="grid">{html}</div>' for h, html in sections)
    span = f"{t['first']:%Y-%m-%d} to {t['last']:%Y-%m-%d}" if t["first"] else "no cases yet"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Relais report</title>"
        f"<style>{STYLE}</style></head><body><h1>Relais report</h1>"
        f"<p>Cases received {escape(span)}; generated {now:%Y-%m-%d %H:%M} UTC from the "
        "<code>bi</code> views (docs/bi.md).</p>"
        f"<div class='kpis'>{kpis}</div>{body}</body></html>"
    )


def write_report(dsn: str, path: Path) -> Path:
    """Reads the BI views and writes the page; returns where."""
    data = asyncio.run(load(dsn))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(data, datetime.now(UTC)))
    return path
