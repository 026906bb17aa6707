"""Problems in the library files, as ``file:line:col: error: message`` lines.

Shown instead of crashing when a trainer's edit no longer validates; F5 reloads after a fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from collectsim.tui.text import literal


class DiagnosticsScreen(Screen):
    CSS_PATH = "../diagnostics.tcss"  # loaded when the screen is first shown
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f5", "app.reload", "Reload"),
    ]

    def __init__(self, diagnostics: Sequence[Any], headline: str = "") -> None:
        super().__init__()
        self.diagnostics = list(diagnostics)
        self.headline = headline

    def compose(self) -> ComposeResult:
        n = len(self.diagnostics)
        head = self.headline or (f"{n} problem{'s' if n != 1 else ''} in the library files")
        yield Static(
            Content.assemble(
                (head, "bold"), ("   fix the file, then F5 to reload", "$foreground-muted")
            ),
            classes="title-bar",
            id="diag-title",
        )
        yield OptionList(id="diag-list")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.show(self.diagnostics, self.headline)

    def show(self, diagnostics: Sequence[Any], headline: str = "") -> None:
        self.diagnostics = list(diagnostics)
        options = self.query_one("#diag-list", OptionList)
        options.clear_options()
        for d in self.diagnostics:
            severity = getattr(d, "severity", "error")
            style = "$error" if severity == "error" else "$warning"
            options.add_option(Option(_line(str(d), style)))
        if not self.diagnostics:
            options.add_option(Option(Content("No problems.").stylize("$success"), disabled=True))
        options.focus()


def _line(text: str, style: str) -> Content:
    """The severity word coloured, the rest literal."""
    for word in (": error: ", ": warning: "):
        head, sep, tail = text.partition(word)
        if sep:
            return Content.assemble(literal(head, "$foreground-muted"), (sep, style), literal(tail))
    return literal(text)
