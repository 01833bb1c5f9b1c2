"""Hand-rolled SVG charts: no JavaScript, no CDN, nothing to fetch. A chart is a string of SVG
that can be dropped into an HTML page as it is."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape

PALETTE = ("#2f6db5", "#e07b39", "#3a9e6f", "#c94f6d", "#8a63c2", "#b59a2f", "#4aa3b8")
Format = Callable[[float], str]


def number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.2g}"


def duration(seconds: float) -> str:
    """Seconds as people read them: 850 ms, 12 s, 4.5 min, 3.2 h, 2.1 d."""
    for limit, unit, size in (
        (1, "ms", 0.001),
        (60, "s", 1),
        (3600, "min", 60),
        (86400, "h", 3600),
    ):
        if seconds < limit:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds / 86400:.3g} d"


def percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def empty(title: str, why: str) -> str:
    """The place of a chart that has no data yet, saying why."""
    return (
        f'<figure class="chart empty"><figcaption>{escape(title)}</figcaption>'
        f"<p>{escape(why)}</p></figure>"
    )


def legend(names: Sequence[str]) -> str:
    items = "".join(
        f'<span><i style="background:{PALETTE[i % len(PALETTE)]}"></i>{escape(n)}</span>'
        for i, n in enumerate(names)
    )
    return f'<div class="legend">{items}</div>'


def hbars(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    fmt: Format = number,
    stacked: bool = False,
) -> str:
    """Horizontal bars, one row per label; several series side by side or stacked."""
    if not labels:
        return empty(title, "No data yet.")
    names = list(series)
    row_h = 22 if stacked or len(names) == 1 else 12 * len(names) + 8
    width, left, right = 640, 170, 80
    totals = [sum(series[n][i] for n in names) for i in range(len(labels))]
    top = max(totals if stacked else [max(series[n]) for n in names] or [0]) or 1
    scale = (width - left - right) / top
    parts: list[str] = []
    for i, label in enumerate(labels):
        y = i * row_h + 4
        parts.append(
            f'<text x="{left - 6}" y="{y + row_h / 2}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(label)}</text>'
        )
        x = float(left)
        for j, name in enumerate(names):
            value = series[name][i]
            w = value * scale
            bar_y, bar_h = (y, row_h - 6) if stacked or len(names) == 1 else (y + j * 12, 10)
            parts.append(
                f'<rect x="{x:.1f}" y="{bar_y}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{PALETTE[j % len(PALETTE)]}">'
                f"<title>{escape(name)}: {fmt(value)}</title></rect>"
            )
            if not stacked:
                parts.append(
                    f'<text x="{x + w + 4:.1f}" y="{bar_y + bar_h / 2}" '
                    f'dominant-baseline="middle" class="value">{fmt(value)}</text>'
                )
            x = x + w if stacked else x
        if stacked:
            parts.append(
                f'<text x="{x + 4:.1f}" y="{y + row_h / 2}" dominant-baseline="middle" '
                f'class="value">{fmt(totals[i])}</text>'
            )
    height = len(labels) * row_h + 8
    svg = (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">{"".join(parts)}</svg>'
    )
    key = legend(names) if len(names) > 1 else ""
    return f'<figure class="chart"><figcaption>{escape(title)}</figcaption>{key}{svg}</figure>'


def columns(
    title: str, labels: Sequence[str], series: Mapping[str, Sequence[float]], fmt: Format = number
) -> str:
    """Stacked columns over time (days, months), labels thinned to stay readable."""
    if not labels:
        return empty(title, "No data yet.")
    names = list(series)
    width, height, bottom, left = 640, 220, 40, 50
    totals = [sum(series[n][i] for n in names) for i in range(len(labels))]
    top = max(totals) or 1
    step = (width - left - 10) / len(labels)
    scale = (height - bottom - 10) / top
    every = max(1, len(labels) // 10)
    parts = [
        f'<text x="{left - 6}" y="14" text-anchor="end" class="value">{fmt(top)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="#999"/>',
    ]
    for i, label in enumerate(labels):
        x = left + i * step
        y = float(height - bottom)
        for j, name in enumerate(names):
            h = series[name][i] * scale
            y -= h
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(step - 2, 1):.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}">'
                f"<title>{escape(label)} · {escape(name)}: {fmt(series[name][i])}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - bottom + 14}" '
                f'text-anchor="middle" class="axis">{escape(label)}</text>'
            )
    svg = (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">{"".join(parts)}</svg>'
    )
    key = legend(names) if len(names) > 1 else ""
    return f'<figure class="chart"><figcaption>{escape(title)}</figcaption>{key}{svg}</figure>'
