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
#: Labels when the widget is narrow (the coach view beside an 80-column call).
SHORT = {
    "preparation": "Prep",
    "professionalism": "Conduct",
    "empathy": "Empathy",
    "close": "Close",
    "overall": "Overall",
}
SHORT_WIDTH = 8


def band(score: int) -> str:
    """The theme colour for a score: good, fair or poor."""
    if score >= 75:
        return "$success"
    if score >= 50:
        return "$warning"
    return "$error"


def bar_line(label: str, score: int | None, width: int, label_width: int = LABEL_WIDTH) -> Content:
    width = max(4, width)
    if score is None:
        return Content.assemble(
            (f"{label:<{label_width}}", "$foreground-muted"), ("–", "$foreground-muted")
        )
    score = max(0, min(100, int(score)))
    eighths = round(score * width * 8 / 100)
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part else ""
    filled = "█" * full + partial
    empty = "─" * (width - len(filled))
    style = band(score)
    return Content.assemble(
        (f"{label:<{label_width}}", "bold" if label == "Overall" else ""),
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
        total = self.content_size.width
        short = total < LABEL_WIDTH + 24
        label_width = SHORT_WIDTH if short else LABEL_WIDTH
        width = max(4, total - label_width - 4)
        lines = [
            bar_line(SHORT[key] if short else label, self.scores.get(key), width, label_width)
            for key, label in DIMENSIONS
        ]
        return Content("\n").join(lines)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(DIMENSIONS)
