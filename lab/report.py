"""The lab's HTML report: the backtest first, then the scenario's assumptions in plain words,
the measures side by side with their intervals and differences, the break-even speed-ups,
each model's queues over time, and the measures per office. One self-contained page."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from lab.lines import lines
from lab.measures import ALL
from reporting.charts import hbars

CLOCKS = {
    "business": "office hours and Belgian public holidays",
    "continuous": "every second counts (continuous)",
}
STYLE = """body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ddd;padding:3px 7px;
text-align:right}th:first-child,td:first-child{text-align:left}.ok{color:#176b3a}.ko{color:#b3261e}
.legend span{margin-right:1em}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
.value,.axis{font-size:11px;fill:#555}figure{margin:1em 0}figcaption{font-weight:600}
.note{color:#555;max-width:800px}"""


def fmt(measure: str, value: float | None, labels: dict[str, Any]) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    unit = labels.get(measure, ("", ""))[1]
    if unit == "%":
        return f"{value * 100:.1f} %"
    if unit == "h":
        return f"{value:.2f} h"
    return f"{value:.2f}"


def render(result: dict[str, Any]) -> str:
    body = [f"<h1>{escape(result['title'])}</h1>", _backtest(result), _assumptions(result)]
    body += [_measures(result), _break_even(result), _queues(result), _switches(result)]
    body.append(_offices(result))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(result['title'])}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )


def _backtest(result: dict[str, Any]) -> str:
    b, labels = result["backtest"], result["labels"]
    if b is None:
        return (
            "<h2>Backtest</h2><p class='note'>No backtest: the requests were generated, not "
            "read from the log. Trust these figures only as far as the assumptions below.</p>"
        )
    verdict = "within tolerance" if b["within_tolerance"] else "NOT within tolerance"
    rows = "".join(_backtest_row(r, labels) for r in b["outcomes"])
    diffs = "".join(f"<li>{escape(d)}</li>" for d in b["differences"])
    return (
        f"<h2>Backtest: the model in force replayed over the log ({verdict})</h2>"
        f"<p>Routing decisions decided again by routing's own code from the same inputs: "
        f"<b>{b['identical']} of {b['decisions']}</b> identical "
        f"({b['identical_share'] * 100:.1f} %); replayed from their recorded inputs: "
        f"{b['replayed_from_inputs']} of {b['decisions']}.</p>"
        + (f"<ul>{diffs}</ul>" if diffs else "")
        + "<table><tr><th>measure</th><th>measured on the log</th><th>simulated [95 %]</th>"
        "<th>tolerance</th><th>period's own noise (sd between its weeks)</th><th>within</th></tr>"
        f"{rows}</table>"
    )


def _backtest_row(r: dict[str, Any], labels: dict[str, Any]) -> str:
    m = r["measure"]
    simulated = band(
        m, {"mean": r["simulated"], "low": r["simulated_low"], "high": r["simulated_high"]}, labels
    )
    unit = " %" if r["relative"] else " pts"
    verdict = "<td class='ok'>yes</td>" if r["within"] else "<td class='ko'>no</td>"
    return (
        f"<tr><td>{escape(labels[m][0])}</td><td>{fmt(m, r['measured'], labels)}</td>"
        f"<td>{simulated}</td><td>±{r['tolerance'] * 100:.0f}{unit}</td>"
        f"<td>{fmt(m, r['noise_sd'], labels)}</td>{verdict}</tr>"
    )


def band(m: str, x: dict[str, Any], labels: dict[str, Any]) -> str:
    """A mean and its 95 % interval."""
    return f"{fmt(m, x['mean'], labels)} [{fmt(m, x['low'], labels)}, {fmt(m, x['high'], labels)}]"


def _assumptions(result: dict[str, Any]) -> str:
    s, i = result["scenario"], result["inputs"]
    a = s["assumptions"]
    speedups = ", ".join(f"{x:+.0%}" for x in a["specialist_speedups"])
    items = [
        f"{i['cases']} requests ({i['source']}), from {i['from']} to {i['to']}.",
        f"Organisation: {sum(i['offices'].values())} first-line advisers in "
        f"{len(i['offices'])} offices; the support team takes {i['support_slots']} cases at once.",
        f"Service times: {escape(i['durations_source'])}; each step per topic family drawn "
        "from the log's own durations (a lognormal around the scenario's means where the log "
        "has fewer than five).",
        f"Time: {CLOCKS[i['clock']]}; "
        "SLA targets as advisory's policy sets them, waits on the member paused.",
        f"Specialists' handling time relative to polyvalent advisers: swept over {speedups} "
        "(nobody knows it yet: it is the reform's key unknown).",
        f"{s['seeds']} seeded repetitions; every case draws the same durations under every model "
        "(common random numbers), so differences between models are paired.",
        "Routing: every request is routed by routing's own policies, against the load the "
        "simulation has reached; a case whose adviser is at capacity waits in its queue until "
        "an adviser serving that queue frees a slot.",
    ]
    return "<h2>Assumptions</h2><ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>"


def _measures(result: dict[str, Any], scope: str = ALL) -> str:
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


def _break_even(result: dict[str, Any]) -> str:
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


def _queues(result: dict[str, Any]) -> str:
    unit = "business hours" if result["inputs"]["clock"] == "business" else "hours"
    return "<h2>Queues over time (first seed)</h2>" + lines(
        "Cases waiting for their first response", result["queues"], unit
    )


def _switches(result: dict[str, Any]) -> str:
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


def _offices(result: dict[str, Any]) -> str:
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
