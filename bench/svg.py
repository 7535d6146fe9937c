"""Small horizontal bar charts as SVG text (median bars with min-max whiskers), no plotting library."""

from __future__ import annotations

from html import escape
from typing import Any

WIDTH, LABEL, ROW, TOP = 640, 190, 34, 44
COLOURS = ("#2f6f9f", "#c9792b", "#6b8e23", "#8a5a9e", "#b03a48")


def bars(title: str, unit: str, rows: list[tuple[str, dict[str, Any]]], note: str = "") -> str:
    """One bar per (label, figure); the whisker spans the figure's min to max."""
    top = max((f["max"] or 0) for _, f in rows) or 1
    plot = WIDTH - LABEL - 90
    height = TOP + ROW * len(rows) + (34 if note else 16)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<text x="10" y="36" fill="#555">{escape(unit)}; bar = median, whisker = min..max</text>',
    ]
    for i, (label, fig) in enumerate(rows):
        y = TOP + i * ROW
        med, low, high = (fig[k] or 0 for k in ("median", "min", "max"))
        width = plot * med / top
        colour = COLOURS[i % len(COLOURS)]
        out += [
            f'<text x="10" y="{y + 18}">{escape(label)}</text>',
            f'<rect x="{LABEL}" y="{y + 6}" width="{width:.1f}" height="18" fill="{colour}"/>',
            f'<line x1="{LABEL + plot * low / top:.1f}" x2="{LABEL + plot * high / top:.1f}" '
            f'y1="{y + 15}" y2="{y + 15}" stroke="black" stroke-width="1.5"/>',
            f'<text x="{LABEL + plot * max(med, high) / top + 6:.1f}" y="{y + 19}">{_fmt(med)}</text>',
        ]
    if note:
        out.append(f'<text x="10" y="{height - 10}" fill="#555">{escape(note)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"
