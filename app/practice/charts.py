"""Charts drawn on the server as inline SVG: no script, no chart library, nothing from a CDN.

Every label is escaped here, so a bank's tag or an organisation's name cannot add markup to a page.
"""
from dataclasses import dataclass

from markupsafe import Markup, escape

INK, MUTED, GRID, RED, TRACK = "#222", "#666", "#e5e0da", "#b71c1c", "#f1ece6"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str                  # written at the end of the bar, e.g. "12 / 40" or "75%"


@dataclass(frozen=True)
class Point:
    label: str                 # along the x axis, e.g. a week "11/30"
    value: float | None        # None: nothing to plot (no answers that week)
    note: str = ""             # under the label, e.g. "12 题"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, title: str, css_class: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart {css_class}" viewBox="0 0 {width} {height}" width="{width}" '
        f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(body) + "</svg>")


def bar_chart(bars: list[Bar], *, title: str, scale: float | None = None, width: int = 360) -> Markup:
    """Horizontal bars, each under its own label, so that long organisation names still fit a phone.

    Drawn at a phone's width and never scaled up, so the text stays the size of the page's text."""
    scale = scale or max([bar.value for bar in bars] + [0]) or 1
    row = 46
    body = []
    for index, bar in enumerate(bars):
        top = index * row
        length = width * max(0.0, min(bar.value, scale)) / scale
        body.append(
            f'<g><title>{escape(bar.label)}：{escape(bar.text)}</title>'
            f'<text x="0" y="{top + 15}" font-size="15" fill="{INK}">{escape(bar.label)}</text>'
            f'<text x="{width}" y="{top + 15}" text-anchor="end" font-size="14" fill="{MUTED}">'
            f'{escape(bar.text)}</text>'
            f'<rect x="0" y="{top + 22}" width="{width}" height="14" rx="3" fill="{TRACK}"/>'
            f'<rect x="0" y="{top + 22}" width="{_n(length)}" height="14" rx="3" fill="{RED}"/></g>')
    return _svg(width, max(row * len(bars), row), title, "bar-chart", body)


def line_chart(points: list[Point], *, title: str, width: int = 360, height: int = 210,
               top_value: float = 100, unit: str = "%") -> Markup:
    """A value over time on a fixed scale (0 to `top_value`); a gap where there is nothing to plot."""
    left, right, top, bottom = 40, 18, 22, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)

    def x(index: int) -> float:
        return left + index * step if len(points) > 1 else left + plot_w / 2

    def y(value: float) -> float:
        return top + plot_h * (1 - max(0.0, min(value, top_value)) / top_value)

    body = []
    for share in (0, 0.25, 0.5, 0.75, 1):
        level = y(top_value * share)
        body.append(f'<line x1="{left}" y1="{_n(level)}" x2="{width - right}" y2="{_n(level)}" stroke="{GRID}"/>'
                    f'<text x="{left - 6}" y="{_n(level + 4)}" text-anchor="end" font-size="12" fill="{MUTED}">'
                    f'{_n(top_value * share)}{escape(unit)}</text>')
    for run in _runs(points):
        if len(run) > 1:
            path = " ".join(f"{_n(x(i))},{_n(y(points[i].value))}" for i in run)
            body.append(f'<polyline points="{path}" fill="none" stroke="{RED}" stroke-width="2.5"/>')
    for index, point in enumerate(points):
        body.append(f'<text x="{_n(x(index))}" y="{top + plot_h + 18}" text-anchor="middle" font-size="12" '
                    f'fill="{MUTED}">{escape(point.label)}</text>')
        if point.note:
            body.append(f'<text x="{_n(x(index))}" y="{top + plot_h + 34}" text-anchor="middle" font-size="11" '
                        f'fill="{MUTED}">{escape(point.note)}</text>')
        if point.value is None:
            continue
        shown = f"{_n(point.value)}{unit}"
        body.append(f'<g><title>{escape(point.label)}：{escape(shown)} {escape(point.note)}</title>'
                    f'<circle cx="{_n(x(index))}" cy="{_n(y(point.value))}" r="4.5" fill="{RED}"/>'
                    f'<text x="{_n(x(index))}" y="{_n(y(point.value) - 9)}" text-anchor="middle" font-size="12" '
                    f'fill="{INK}">{escape(shown)}</text></g>')
    return _svg(width, height, title, "line-chart", body)


def _runs(points: list[Point]) -> list[list[int]]:
    """Indices of consecutive points that have a value: each run is one stretch of line."""
    runs: list[list[int]] = [[]]
    for index, point in enumerate(points):
        if point.value is None:
            runs.append([])
        else:
            runs[-1].append(index)
    return [run for run in runs if run]
