"""A line chart in plain SVG (the lab's queues over time), in the manner of
``reporting.charts``: no JavaScript, nothing fetched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from reporting.charts import PALETTE, empty, legend, number


def lines(title: str, series: Mapping[str, Sequence[tuple[float, float]]], x_unit: str) -> str:
    names = [n for n in series if series[n]]
    if not names:
        return empty(title, "No data.")
    width, height, left, bottom = 640, 240, 50, 30
    x_max = max(p[0] for n in names for p in series[n]) or 1.0
    y_max = max(p[1] for n in names for p in series[n]) or 1.0
    sx, sy = (width - left - 10) / x_max, (height - bottom - 10) / y_max
    parts = [
        f'<text x="{left - 6}" y="14" text-anchor="end" class="value">{number(y_max)}</text>',
        f'<text x="{width - 10}" y="{height - 8}" text-anchor="end" class="axis">'
        f"{number(x_max)} {escape(x_unit)}</text>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="#999"/>',
    ]
    for j, name in enumerate(names):
        points = " ".join(
            f"{left + x * sx:.1f},{height - bottom - y * sy:.1f}" for x, y in series[name]
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{PALETTE[j % len(PALETTE)]}" '
            f'stroke-width="1.5"><title>{escape(name)}</title></polyline>'
        )
    svg = (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">{"".join(parts)}</svg>'
    )
    caption = f"<figcaption>{escape(title)}</figcaption>"
    return f'<figure class="chart">{caption}{legend(names)}{svg}</figure>'
