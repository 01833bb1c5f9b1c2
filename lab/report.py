"""The lab's HTML report: the backtest first, then the scenario's assumptions in plain words,
the measures side by side with their intervals and differences, the break-even speed-ups,
each model's queues over time, and the measures per office. One self-contained page."""

from __future__ import annotations

from html import escape
from typing import Any

from lab import report_sections as sections
from lab.report_format import band, fmt

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


def render(result: dict[str, Any]) -> str:
    body = [f"<h1>{escape(result['title'])}</h1>", _backtest(result), _assumptions(result)]
    body += [
        sections.measures(result),
        sections.break_even(result),
        sections.queues(result),
        sections.switches(result),
        sections.offices(result),
    ]
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
        "<th>tolerance</th><th>period's own noise (sd between its weeks; its eighths when "
        "shorter than three weeks)</th><th>within</th></tr>"
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
