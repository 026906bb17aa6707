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
    """The weakest findings: what was missed, the line it was missed on, and a tip; praise when
    nothing is missing. Without the criterion and the line, a tip such as "stay calm" beside a
    polite call leaves the trainee guessing which line cost the points."""
    entries: list[Content] = []
    for f in card.weakest(3):
        parts = [
            Content.assemble((f"{f.points:+d} ", "$error"), (f.dimension, "$foreground-muted")),
            literal(f.criterion, "bold", one_line=True, limit=120),
        ]
        if f.evidence:
            parts.append(
                Content.assemble(
                    ("on “", "$foreground-muted"),
                    literal(f.evidence, "italic $foreground-muted", one_line=True, limit=60),
                    ("”", "$foreground-muted"),
                )
            )
        if f.tip:
            parts.append(literal(f.tip))
        entries.append(Content("\n").join(parts))
    if not entries:
        return Content("Nothing missed so far.").stylize("$success")
    return Content("\n\n").join(entries)


class CoachPanel(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield ScoreBars(id="coach-bars")
        yield Static("", id="coach-tips")

    def show(self, card: Any) -> None:
        self.query_one(ScoreBars).set_scores(card.scores)
        self.query_one("#coach-tips", Static).update(tips_content(card))

    def show_error(self, message: str) -> None:
        self.query_one("#coach-tips", Static).update(literal(message, "$error"))
