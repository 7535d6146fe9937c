"""Charts as SVG text, drawn on the server: no chart service, no JavaScript library.

Two shapes cover the finance pages: stacked bars (AR ageing by bucket, cash-flow
by week or month split by source) and grouped bars (revenue recognised vs
invoiced vs collected per month). Every label is XML-escaped (customer names come
from vendor systems), every bar carries a ``<title>`` with its exact amount for
hover and screen readers, and the scale uses rounded "nice" steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

PALETTE = ("#2f6fab", "#e39b2d", "#4f9d69", "#c8553d", "#7b5ea7", "#8c8c8c")
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 84, 16, 28, 48


@dataclass(frozen=True)
class Series:
    """A named row of values, one per category."""

    name: str
    values: Sequence[Decimal]


def nice_max(value: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 x 10^n at or above ``value`` (at least 1)."""
    if value <= 1:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= magnitude * step:
            return magnitude * step
    return magnitude * 10


def short_amount(value: Decimal) -> str:
    """Axis label: 1.2M, 350K, 900."""
    absolute = abs(value)
    if absolute >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    if absolute >= 1_000:
        return f"{value / 1_000:.1f}K".replace(".0K", "K")
    return f"{value:.0f}"


def _frame(title: str, peak: Decimal) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = peak * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#555">{escape(short_amount(value))}</text>'
        )
    return parts


def _legend(series: Sequence[Series]) -> list[str]:
    parts = []
    x = LEFT
    for index, s in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{x}" y="6" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="15" font-size="11" fill="#333">{escape(s.name)}</text>'
        )
        x += 24 + 7 * len(s.name)
    return parts


def _category_label(x: float, label: str, many: bool) -> str:
    y = HEIGHT - BOTTOM + 14
    if many:
        return (
            f'<text x="{x:.1f}" y="{y}" font-size="10" fill="#555" text-anchor="end" '
            f'transform="rotate(-45 {x:.1f} {y})">{escape(label)}</text>'
        )
    return (
        f'<text x="{x:.1f}" y="{y}" font-size="11" fill="#555" text-anchor="middle">'
        f"{escape(label)}</text>"
    )


def stacked_bars(title: str, categories: Sequence[str], series: Sequence[Series]) -> str:
    """One bar per category, its series stacked (negative values are drawn as zero)."""
    totals = [
        sum((max(s.values[i], Decimal(0)) for s in series), Decimal(0))
        for i in range(len(categories))
    ]
    peak = nice_max(max(totals, default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)
    bar = max(slot * 0.7, 1.0)
    parts = _frame(title, peak)
    many = len(categories) > 12
    for i, category in enumerate(categories):
        x = LEFT + slot * i + (slot - bar) / 2
        base = float(TOP + plot_h)
        for index, s in enumerate(series):
            value = max(s.values[i], Decimal(0))
            if not value:
                continue
            h = float(value / peak) * plot_h
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[index % len(PALETTE)]}">'
                f"<title>{escape(category)} {escape(s.name)}: {s.values[i]:,}</title></rect>"
            )
        parts.append(_category_label(x + bar / 2, category, many))
    parts.extend(_legend(series))
    parts.append("</svg>")
    return "".join(parts)


def grouped_bars(title: str, categories: Sequence[str], series: Sequence[Series]) -> str:
    """Per category, one bar per series side by side."""
    peak = nice_max(max((max(v, Decimal(0)) for s in series for v in s.values), default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)
    bar = max(slot * 0.8 / max(len(series), 1), 1.0)
    parts = _frame(title, peak)
    many = len(categories) > 12
    for i, category in enumerate(categories):
        start = LEFT + slot * i + slot * 0.1
        for index, s in enumerate(series):
            value = max(s.values[i], Decimal(0))
            h = float(value / peak) * plot_h
            x = start + bar * index
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[index % len(PALETTE)]}">'
                f"<title>{escape(category)} {escape(s.name)}: {s.values[i]:,}</title></rect>"
            )
        parts.append(_category_label(start + bar * len(series) / 2, category, many))
    parts.extend(_legend(series))
    parts.append("</svg>")
    return "".join(parts)
