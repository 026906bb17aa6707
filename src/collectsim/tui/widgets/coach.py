"""The live coach view: the scorecard so far and what would help most right now."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from collectsim.tui.text import literal
from collectsim.tui.widgets.scorebars import ScoreBars


def tips_content(card: Any) -> Content:
    """The weakest findings as short tips; praise when nothing is missing."""
    parts: list[Content] = []
    for f in card.weakest(3):
        head = Content.assemble((f"{f.points:+d} ", "$error"), (f.dimension, "$foreground-muted"))
        parts.append(head)
        parts.append(literal(f.tip or f.criterion))
    if not parts:
        return Content("Nothing missed so far.").stylize("$success")
    return Content("\n").join(parts)


class CoachPanel(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield ScoreBars(id="coach-bars")
        yield Static("", id="coach-tips")

    def show(self, card: Any) -> None:
        self.query_one(ScoreBars).set_scores(card.scores)
        self.query_one("#coach-tips", Static).update(tips_content(card))

    def show_error(self, message: str) -> None:
        self.query_one("#coach-tips", Static).update(literal(message, "$error"))
