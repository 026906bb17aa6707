"""A call that was cut off: continue it where it stopped, or score it as it stands."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from collectsim.tui.text import literal


class ResumeScreen(ModalScreen[str | None]):
    """Dismisses with "resume", "score" or None."""

    CSS_PATH = "../resume.tcss"  # loaded when the screen is first shown
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "choose('resume')", "Resume"),
        Binding("s", "choose('score')", "Score as it stands"),
        Binding("escape", "choose('')", "Cancel"),
    ]

    def __init__(self, unfinished: Any, title: str) -> None:
        super().__init__()
        self.unfinished = unfinished
        self.scenario_title = title

    def compose(self) -> ComposeResult:
        u = self.unfinished
        with Vertical(id="resume-box"):
            yield Static(
                Content.assemble(
                    ("A call was cut off\n", "bold $warning"),
                    literal(self.scenario_title, "bold", one_line=True, limit=120),
                    (
                        f"\n{u.mode} · {u.turns} turns recorded · started {u.started}",
                        "$foreground-muted",
                    ),
                ),
                id="resume-what",
            )
            yield Static(
                "Every turn up to the last one was kept. Resume the call where it stopped "
                "(the debtor is still on the line), or score it as it stands.",
                id="resume-why",
            )
            with Horizontal(id="resume-buttons"):
                yield Button("Resume the call", id="resume", variant="primary", compact=True)
                yield Button("Score as it stands", id="score", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#resume", Button).focus()

    def action_choose(self, what: str) -> None:
        self.dismiss(what or None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)
