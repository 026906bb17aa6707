"""Home: who is training, and which scenario to play next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from collectsim.tui.messages import ScenarioChosen, TraineeNamed
from collectsim.tui.text import literal


@dataclass(frozen=True)
class ScenarioRow:
    id: str
    title: str
    persona_type: str
    difficulty: str
    summary: str
    best: int | None
    briefing: str = ""

    def matches(self, words: list[str]) -> bool:
        hay = f"{self.title} {self.persona_type} {self.difficulty} {self.id}".casefold()
        return all(w in hay for w in words)

    def prompt(self) -> Content:
        best = f"best {self.best}" if self.best is not None else "not played yet"
        return Content.assemble(
            literal(self.title, "bold", one_line=True, limit=200),
            "\n",
            literal(self.persona_type, "$accent", one_line=True, limit=60),
            (" · ", "$foreground-muted"),
            (self.difficulty, "$foreground-muted"),
            (" · ", "$foreground-muted"),
            (best, "$success" if self.best is not None else "$foreground-muted"),
        )


class HomeScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Start", priority=False),
        Binding("slash", "filter", "Filter", show=False),
        Binding("f6", "app.problems", "Problems"),
        Binding("f5", "app.reload", "Reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ScenarioRow] = []
        self.trainee = ""
        self.loaded = False
        self.problem_count = 0

    def compose(self) -> ComposeResult:
        with Horizontal(id="home-top"):
            yield Static(
                Content.assemble(
                    ("collectsim", "bold $primary"),
                    ("  practise collection calls", "$foreground-muted"),
                ),
                id="brand",
            )
            yield Static("Trainee", id="trainee-label")
            yield Input(placeholder="your name", id="trainee", compact=True, max_length=60)
        with Horizontal(id="home-body"):
            with Vertical(id="home-main"):
                yield Input(
                    placeholder="Type to filter · ↑↓ to pick · Enter to open",
                    id="filter",
                    compact=True,
                )
                yield OptionList(Option("Loading the library…", disabled=True), id="scenarios")
                yield Static("", id="problems")
            with VerticalScroll(id="detail"):
                yield Static("", id="summary")
                yield Static("", id="detail-briefing")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#trainee", Input).value = self.trainee
        self.query_one("#problems").display = False
        if self.loaded:
            self.set_rows(self.rows, self.problem_count)
        box = self.query_one("#filter" if self.trainee else "#trainee", Input)
        box.focus()

    # --- attributes down -----------------------------------------------------------------------

    def set_trainee(self, name: str) -> None:
        self.trainee = name
        if self.is_mounted:
            self.query_one("#trainee", Input).value = name

    def set_rows(self, rows: list[ScenarioRow], problems: int) -> None:
        self.rows = rows
        self.loaded = True
        self.problem_count = problems
        if not self.is_mounted:
            return
        banner = self.query_one("#problems", Static)
        if problems:
            s = "s" if problems > 1 else ""
            banner.update(
                Content.assemble(
                    (f"{problems} problem{s} in the library files", "$warning"),
                    ("  F6 to see them", "$foreground-muted"),
                )
            )
        else:
            banner.update("")
        banner.display = bool(problems)
        self._refilter()

    # --- filtering and choosing ---------------------------------------------------------------

    def _visible(self) -> list[ScenarioRow]:
        words = self.query_one("#filter", Input).value.casefold().split()
        return [r for r in self.rows if r.matches(words)]

    def _refilter(self) -> None:
        options = self.query_one("#scenarios", OptionList)
        keep = options.highlighted_option.id if options.highlighted_option else None
        rows = self._visible()
        options.clear_options()
        if not rows:
            text = "No scenario matches." if self.rows else "No scenarios in the library."
            options.add_option(Option(Content(text).stylize("$foreground-muted"), disabled=True))
            self._show_summary(None)
            return
        options.add_options([Option(r.prompt(), id=r.id) for r in rows])
        ids = [r.id for r in rows]
        options.highlighted = ids.index(keep) if keep in ids else 0

    def _show_summary(self, row: ScenarioRow | None) -> None:
        self.query_one("#summary", Static).update(literal(row.summary) if row else "")
        self.query_one("#detail-briefing", Static).update(literal(row.briefing) if row else "")

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        if self.loaded:
            self._refilter()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.action_choose()

    @on(Input.Submitted, "#trainee")
    def _name_submitted(self, event: Input.Submitted) -> None:
        self.post_message(TraineeNamed(event.value))
        self.query_one("#filter", Input).focus()

    @on(Input.Blurred, "#trainee")
    def _name_left(self, event: Input.Blurred) -> None:
        if event.value != self.trainee:
            self.trainee = event.value
            self.post_message(TraineeNamed(event.value))

    @on(OptionList.OptionHighlighted, "#scenarios")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        row = next((r for r in self.rows if r.id == event.option.id), None)
        self._show_summary(row)

    @on(OptionList.OptionSelected, "#scenarios")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(ScenarioChosen(event.option.id))

    def action_choose(self) -> None:
        option = self.query_one("#scenarios", OptionList).highlighted_option
        if option is not None and option.id:
            self.post_message(ScenarioChosen(option.id))

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def on_key(self, event: events.Key) -> None:
        """Up/Down in the filter move the list; typing in the list goes to the filter."""
        focused = self.focused
        options = self.query_one("#scenarios", OptionList)
        if isinstance(focused, Input) and focused.id == "filter" and event.key in ("up", "down"):
            if event.key == "up":
                options.action_cursor_up()
            else:
                options.action_cursor_down()
            event.stop()
            event.prevent_default()
        elif focused is options and event.is_printable and event.character:
            box = self.query_one("#filter", Input)
            box.focus()
            box.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()
