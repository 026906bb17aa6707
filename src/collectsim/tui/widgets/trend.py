"""Each dimension's trend over a trainee's attempts: one bar per attempt, on a 0-100 scale.

A sparkline rescales to its own minimum and maximum, which makes 60 → 62 look like a leap; these
bars keep the absolute scale, so a trainee sees both the direction and where the scores sit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.content import Content
from textual.widgets import Static

from collectsim.tui.widgets.scorebars import DIMENSIONS, SHORT, band

BLOCKS = " ▁▂▃▄▅▆▇█"
LABEL = 16
TAIL = 19  # "  last 100 best 100"
MAX_BARS = 48  # at most this many columns of bars: the newest attempts, the figures close by


def bar(score: int) -> str:
    """One character for a score 0-100: an eighth of the cell per 12.5 points (0 is a dot)."""
    score = max(0, min(100, int(score)))
    return BLOCKS[max(1, round(score * 8 / 100))] if score else "·"


def trend_line(label: str, values: Sequence[int], width: int, label_width: int = LABEL) -> Content:
    room = max(1, width)
    shown = list(values)[-room:]
    gap = " " if len(shown) * 2 <= room else ""
    if not shown:
        return Content.assemble(
            (f"{label:<{label_width}}", "$foreground-muted"),
            ("no scored attempt", "$foreground-muted"),
        )
    bars = Content.assemble(*[((bar(v) + gap), band(v)) for v in shown])
    last, best = shown[-1], max(values)
    return Content.assemble(
        (f"{label:<{label_width}}", "bold" if label.startswith("Overall") else ""),
        bars,
        (" " * max(0, room - len(shown) * (1 + len(gap))), ""),
        ("  last ", "$foreground-muted"),
        (f"{last:>3}", f"bold {band(last)}"),
        (" best ", "$foreground-muted"),
        (f"{best:>3}", band(best)),
    )


class TrendChart(Static):
    """Trend bars for each dimension; the newest attempts that fit the width are shown."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trends: dict[str, list[int]] = {}

    def set_trends(self, trends: Mapping[str, Sequence[int]]) -> None:
        self.trends = {k: list(v) for k, v in trends.items()}
        self.refresh(layout=True)

    def render(self) -> Content:
        total = self.content_size.width
        short = total < LABEL + TAIL + 12
        label_width = 8 if short else LABEL
        width = min(MAX_BARS, max(4, total - label_width - TAIL - 1))
        lines = [
            trend_line(SHORT[key] if short else label, self.trends.get(key, []), width, label_width)
            for key, label in DIMENSIONS
        ]
        return Content("\n").join(lines)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(DIMENSIONS)
