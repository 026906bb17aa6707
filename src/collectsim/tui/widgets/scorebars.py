"""The four dimensions and overall as horizontal bars, coloured by band."""

from __future__ import annotations

from collections.abc import Mapping

from textual.content import Content
from textual.widgets import Static

DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("preparation", "Preparation"),
    ("professionalism", "Professionalism"),
    ("empathy", "Empathy"),
    ("close", "Close"),
    ("overall", "Overall"),
)
LABEL_WIDTH = 16


def band(score: int) -> str:
    """The theme colour for a score: good, fair or poor."""
    if score >= 75:
        return "$success"
    if score >= 50:
        return "$warning"
    return "$error"


def bar_line(label: str, score: int | None, width: int) -> Content:
    width = max(4, width)
    if score is None:
        return Content.assemble(
            (f"{label:<{LABEL_WIDTH}}", "$foreground-muted"), ("–", "$foreground-muted")
        )
    score = max(0, min(100, int(score)))
    eighths = round(score * width * 8 / 100)
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part else ""
    filled = "█" * full + partial
    empty = "─" * (width - len(filled))
    style = band(score)
    return Content.assemble(
        (f"{label:<{LABEL_WIDTH}}", "bold" if label == "Overall" else ""),
        (filled, style),
        (empty, "$foreground 25%"),
        (f" {score:>3}", f"bold {style}"),
    )


class ScoreBars(Static):
    """Bars for a score dict; the bar width follows the widget's width."""

    def __init__(self, scores: Mapping[str, int] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scores: dict[str, int] = dict(scores or {})

    def set_scores(self, scores: Mapping[str, int]) -> None:
        self.scores = dict(scores)
        self.refresh(layout=True)

    def render(self) -> Content:
        width = max(4, self.content_size.width - LABEL_WIDTH - 4)
        lines = [bar_line(label, self.scores.get(key), width) for key, label in DIMENSIONS]
        return Content("\n").join(lines)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(DIMENSIONS)
