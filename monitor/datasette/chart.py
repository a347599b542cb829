"""A metric's time series as an inline SVG chart, drawn on the server (no script, no CDN).

Pure: rows of the ``metric_series`` query in, markup out. One chart per currency and unit (a price
in CNY/t and one in USD/kg are two series, never one line). Each point is a link to its evidence
(the observation's row: the sentence, the outlets, the article) and says in its tooltip what it is;
a range ("60-65 $/kg") is drawn as a bar from its low to its high end. Every text from the database
is escaped: a sentence is data, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup

from monitor.numbers.display import amount

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 90, 20, 28, 36
MAX_CHARTS = 4  # series (currency/unit pairs) drawn for one metric; the table lists every point
TOOLTIP_CHARS = 240


@dataclass(frozen=True, slots=True)
class Point:
    day: date
    value: float
    high: float | None
    href: str
    label: str


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _tick(value: float) -> str:
    """An axis label: rounded, since ticks fall between the stated values."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.4g}"


def series(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """The rows grouped by currency and unit, the longest series first."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        if not isinstance(row.get("value"), int | float) or _day(row.get("observed")) is None:
            continue
        currency, unit = row.get("currency"), row.get("unit")
        name = f"{currency}/{unit}" if currency and unit else str(currency or unit or "")
        groups.setdefault(name, []).append(row)
    return sorted(groups.items(), key=lambda item: -len(item[1]))


def _points(rows: Sequence[Mapping[str, Any]], href: Callable[[int], str], unit: str) -> list[Point]:
    points = []
    for row in rows:
        day = _day(row["observed"])
        if day is None:
            continue
        high = row.get("value_high")
        high = float(high) if isinstance(high, int | float) else None
        shown = amount(float(row["value"]), high, None, None)
        sentence = str(row.get("sentence") or "")
        if len(sentence) > TOOLTIP_CHARS:
            sentence = sentence[: TOOLTIP_CHARS - 1] + "…"
        when = row.get("period") or day.isoformat()
        label = f"{when}: {shown} {unit} — {row.get('outlet') or ''}: {sentence}"
        points.append(Point(day, float(row["value"]), float(high) if isinstance(high, int | float) else None,
                            href(int(row["observation_id"])), label))
    return sorted(points, key=lambda p: (p.day, p.value))


def chart(title: str, rows: Sequence[Mapping[str, Any]], href: Callable[[int], str]) -> Markup:
    """Every series of a metric as SVG charts; empty markup when nothing has a value and a date."""
    parts = [svg(f"{title} ({unit})" if unit else title, _points(group, href, unit), unit)
             for unit, group in series(rows)[:MAX_CHARTS]]
    return Markup("").join(parts)


def svg(title: str, points: Sequence[Point], unit: str = "") -> Markup:
    """One series: a line through its points in time order, each point a link to its evidence;
    ``unit`` ("CNY/t") heads the value axis."""
    if not points:
        return Markup("")
    first, last = points[0].day, points[-1].day
    if first == last:
        first, last = first - timedelta(days=15), last + timedelta(days=15)
    low = min(p.value for p in points)
    high = max(p.high if p.high is not None else p.value for p in points)
    pad = (high - low) * 0.08 or abs(high) * 0.05 or 1.0
    low, high = low - pad, high + pad
    span_days = (last - first).days or 1

    def x(day: date) -> float:
        return LEFT + (day - first).days / span_days * (WIDTH - LEFT - RIGHT)

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * (HEIGHT - TOP - BOTTOM)

    out = [Markup('<figure class="monitor-chart"><svg xmlns="http://www.w3.org/2000/svg" role="img"'
                  ' viewBox="0 0 {} {}" width="100%" style="max-width:{}px" aria-label="{}">')
           .format(WIDTH, HEIGHT, WIDTH, title),
           Markup("<title>{}</title>").format(title)]
    bottom = HEIGHT - BOTTOM
    axis = Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888"/>')
    out.append(axis.format(LEFT, bottom, WIDTH - RIGHT, bottom))
    out.append(axis.format(LEFT, TOP, LEFT, bottom))
    if unit:
        heading = Markup('<text x="{}" y="{}" text-anchor="end" font-size="11" font-weight="bold"'
                         ' fill="#444" class="monitor-axis-unit">{}</text>')
        out.append(heading.format(LEFT - 6, TOP - 12, unit))
    for i in range(4):  # four value labels, bottom to top
        value = low + (high - low) * i / 3
        out.append(Markup('<text x="{}" y="{:.1f}" text-anchor="end" font-size="11" fill="#444">{}</text>')
                   .format(LEFT - 6, y(value) + 4, _tick(value)))
    for day in dict.fromkeys((first, first + (last - first) / 2, last)):
        anchor = "start" if day == first else "end" if day == last else "middle"
        out.append(Markup('<text x="{:.1f}" y="{}" text-anchor="{}" font-size="11" fill="#444">{}</text>')
                   .format(x(day), HEIGHT - 12, anchor, day.isoformat()))
    line = " ".join(f"{x(p.day):.1f},{y(p.value):.1f}" for p in points)
    out.append(Markup('<polyline points="{}" fill="none" stroke="#2b6cb0" stroke-width="2"/>').format(line))
    for p in points:
        out.append(Markup('<a href="{}" class="monitor-point">').format(p.href))
        if p.high is not None:
            out.append(Markup('<line x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}" stroke="#2b6cb0"'
                              ' stroke-width="3"/>').format(x(p.day), y(p.value), y(p.high)))
        dot = Markup('<circle cx="{:.1f}" cy="{:.1f}" r="6" fill="#2b6cb0"><title>{}</title></circle></a>')
        out.append(dot.format(x(p.day), y(p.value), p.label))
    out.append(Markup("</svg><figcaption>{} — {} point{}; each links to its evidence.</figcaption></figure>")
               .format(title, len(points), "" if len(points) == 1 else "s"))
    return Markup("").join(out)
