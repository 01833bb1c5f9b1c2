"""The report's sections after the backtest and the assumptions: the measures side by side,
the break-even, the queues over time, the before/after of a real switch, the offices."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from lab.lines import lines
from lab.measures import ALL
from lab.report_format import band, fmt
from reporting.charts import hbars


def measures(result: dict[str, Any], scope: str = ALL) -> str:
    variants, labels = result["variants"], result["labels"]
    head = "".join(f"<th>{escape(v['label'])}</th>" for v in variants)
    rows = []
    for m, (label, _) in labels.items():
        cells = []
        for k, v in enumerate(variants):
            x = v["measures"][scope][m]
            cell = band(m, x, labels).replace(" [", "<br><small>[", 1)
            if k:
                d = v["difference"][scope][m]
                cell += f"<br>Δ {band(m, d, labels)}"
            cells.append(cell + "</small>")
        rows.append(f"<tr><td>{escape(label)}</td>" + "".join(f"<td>{c}</td>" for c in cells))
    chart = hbars(
        "Wait to first response (hours, all offices)",
        [v["label"] for v in variants],
        {
            "median": [v["measures"][scope]["wait_p50_h"]["mean"] for v in variants],
            "p90": [v["measures"][scope]["wait_p90_h"]["mean"] for v in variants],
        },
        fmt=lambda x: f"{x:.2f} h",
    )
    return (
        "<h2>Measures, all offices</h2><p class='note'>Mean [95 % interval over the seeds]; "
        "Δ: the paired difference from the first model.</p>"
        f"<table><tr><th>measure</th>{head}</tr>{''.join(rows)}</table>{chart}"
    )


def _needed(speedup: float | None) -> str:
    return "not within the sweep" if speedup is None else f"{speedup:+.1%}"


def break_even(result: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{escape(b['model'])}</td><td>{escape(result['labels'][b['measure']][0])}</td>"
        f"<td>{_needed(b['speedup'])}</td></tr>"
        for b in result["break_even"]
    )
    if not rows:
        return ""
    return (
        "<h2>Break-even: how much faster specialists must be to match the reference</h2>"
        f"<table><tr><th>model</th><th>measure</th><th>speed-up needed</th></tr>{rows}</table>"
    )


def queues(result: dict[str, Any]) -> str:
    unit = "business hours" if result["inputs"]["clock"] == "business" else "hours"
    return "<h2>Queues over time (first seed)</h2>" + lines(
        "Cases waiting for their first response", result["queues"], unit
    )


def switches(result: dict[str, Any]) -> str:
    if result["backtest"] is None:
        return ""
    parts = ["<h2>Before and after a real switch (difference in differences)</h2>"]
    if not result["switches"]:
        parts.append("<p class='note'>No office changed its model during the period.</p>")
    for s in result["switches"]:
        study = {f"{k:+d}": v for k, v in s["event_study"]}
        if s["estimate_h"] is None or math.isnan(s["estimate_h"]):
            parts.append(
                f"<p><b>{escape(s['office'])}</b> switched to {escape(s['model'])} at "
                f"{escape(s['effective_at'])}: too few periods on one side of the switch to "
                "compare before and after.</p>"
            )
            continue
        parts.append(
            f"<p><b>{escape(s['office'])}</b> switched to {escape(s['model'])} at "
            f"{escape(s['effective_at'])}; compared with {escape(', '.join(s['controls']))} over "
            f"the same periods of {s['bin_hours']:.3g} h. Difference in differences of the mean "
            f"wait to first response: <b>{s['estimate_h']:+.3g} h</b>; randomization inference "
            f"over {s['placebos']} placebo offices and dates: p = {s['p_value']:.2f}.</p>"
        )
        parts.append(
            hbars(
                f"Event study, {s['office']}: gap to the other offices, relative to the period "
                "before the switch (hours)",
                list(study),
                {
                    "gap": [max(0.0, v) for v in study.values()],
                    "negative": [max(0.0, -v) for v in study.values()],
                },
                fmt=lambda x: f"{x:.2f} h",
            )
        )
    return "".join(parts)


def offices(result: dict[str, Any]) -> str:
    variants, labels = result["variants"], result["labels"]
    offices = sorted(o for o in variants[0]["measures"] if o != ALL)
    head = "".join(f"<th>{escape(v['label'])}</th>" for v in variants)
    parts = ["<h2>Per office</h2>"]
    for measure in (
        "wait_p50_h",
        "wait_p90_h",
        "breach_first_response",
        "load_gini",
        "utilisation",
    ):
        rows = "".join(
            f"<tr><td>{escape(o)}</td>"
            + "".join(
                f"<td>{fmt(measure, v['measures'][o][measure]['mean'], labels)}</td>"
                for v in variants
            )
            + "</tr>"
            for o in offices
        )
        parts.append(
            f"<h3>{escape(labels[measure][0])}</h3>"
            f"<table><tr><th>office</th>{head}</tr>{rows}</table>"
        )
    return "".join(parts)
