"""Home: who is training, calls cut off to resume, the suggested next scenario, and the list.

The records part (best scores, unfinished calls, the suggestion) arrives from the app once the
store has been read in a worker; until then the list shows without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from collectsim.tui.messages import HomeShown, ScenarioChosen, TraineeNamed, UnfinishedChosen
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
        Binding("f7", "app.history", "History"),
        Binding("f8", "app.team", "Team"),
        Binding("f6", "app.problems", "Problems"),
        Binding("f5", "app.reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ScenarioRow] = []
        self.trainee = ""
        self.loaded = False
        self.problem_count = 0
        self.unfinished: tuple[Any, ...] = ()  # records.Unfinished, newest first
        self.suggestion: Any = None  # proficiency.Suggestion
        self._extra_ids: list[str | None] = []

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

    def on_screen_resume(self) -> None:
        """Home is shown again: the records may have changed (a call left unfinished)."""
        self.post_message(HomeShown())

    def back_from_work(self) -> None:
        """Back from a briefing, call or scorecard: the last filter is selected, so typing
        starts a new one instead of being added to it ("brochure" + "avoider")."""
        box = self.query_one("#filter", Input)
        if box.value:
            box.select_all()

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

    def set_records(self, unfinished: tuple[Any, ...], suggestion: Any) -> None:
        """Calls cut off and the suggested next scenario, read from the records."""
        self.unfinished = tuple(unfinished)
        self.suggestion = suggestion
        if self.is_mounted and self.loaded:
            self._refilter()

    # --- filtering and choosing ---------------------------------------------------------------

    def _visible(self) -> list[ScenarioRow]:
        words = self._words()
        return [r for r in self.rows if r.matches(words)]

    def _words(self) -> list[str]:
        return self.query_one("#filter", Input).value.casefold().split()

    def _row(self, scenario_id: str) -> ScenarioRow | None:
        return next((r for r in self.rows if r.id == scenario_id), None)

    def _title(self, scenario_id: str) -> str:
        row = self._row(scenario_id)
        return row.title if row else scenario_id

    def _extra_options(self) -> list[Option]:
        """Unfinished calls (those of the scenarios the filter matches) and, while nothing is
        typed, the suggestion, above the list."""
        words = self._words()
        out: list[Option] = []
        unfinished = [
            u
            for u in self.unfinished
            if not words or ((row := self._row(u.scenario)) is not None and row.matches(words))
        ]
        if unfinished:
            n = len(unfinished)
            out.append(_header(f"Unfinished call{'s' if n > 1 else ''}: resume or score"))
            for u in unfinished[:5]:
                out.append(Option(self._unfinished_prompt(u), id=f"resume:{u.id}"))
        s = self.suggestion
        if not words and s is not None and self._row(s.scenario) is not None:
            out.append(_header("Suggested next"))
            out.append(
                Option(
                    Content.assemble(
                        ("★ ", "$accent"),
                        literal(self._title(s.scenario), "bold", one_line=True, limit=200),
                        "\n",
                        (
                            f"trains {s.skill}, your weakest skill" if s.skill else "start here",
                            "$foreground-muted",
                        ),
                    ),
                    id=f"next:{s.scenario}",
                )
            )
        if out:
            out.append(_header("All scenarios"))
        return out

    def _unfinished_prompt(self, u: Any) -> Content:
        return Content.assemble(
            ("‖ ", "$warning"),
            literal(self._title(u.scenario), "bold", one_line=True, limit=200),
            "\n",
            (f"{u.mode} · {u.turns} turns · cut off, started {u.started}", "$foreground-muted"),
        )

    def _refilter(self) -> None:
        options = self.query_one("#scenarios", OptionList)
        keep = options.highlighted_option.id if options.highlighted_option else None
        rows = self._visible()
        options.clear_options()
        extra = self._extra_options()
        options.add_options(extra)
        if not rows:
            text = "No scenario matches." if self.rows else "No scenarios in the library."
            options.add_option(Option(Content(text).stylize("$foreground-muted"), disabled=True))
            if not extra:
                self._show_summary(None)
                return
        options.add_options([Option(r.prompt(), id=r.id) for r in rows])
        ids = [o.id for o in options.options]
        extra_ids = [o.id for o in extra]
        news, self._extra_ids = extra_ids != self._extra_ids, extra_ids
        if keep in ids and not (news and extra_ids):
            options.highlighted = ids.index(keep)
        else:  # the first thing to do: a cut-off call, else the suggestion, else the first row
            options.highlighted = next(i for i, o in enumerate(options.options) if not o.disabled)

    def _show_summary(self, row: ScenarioRow | None, head: Content | None = None) -> None:
        summary = literal(row.summary) if row else Content("")
        if head is not None:
            summary = Content.assemble(head, "\n\n", summary) if row else head
        self.query_one("#summary", Static).update(summary)
        self.query_one("#detail-briefing", Static).update(literal(row.briefing) if row else "")

    def highlighted_scenario(self) -> str | None:
        """The scenario the highlighted option is about (a suggestion, a cut-off call, a row)."""
        option = self.query_one("#scenarios", OptionList).highlighted_option
        if option is None or not option.id:
            return None
        kind, _, rest = option.id.partition(":")
        if kind == "next":
            return rest
        if kind == "resume":
            found = next((u for u in self.unfinished if str(u.id) == rest), None)
            return found.scenario if found else None
        return option.id

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
        kind, _, rest = (event.option.id or "").partition(":")
        if kind == "next" and self.suggestion is not None:
            self._show_summary(
                self._row(rest),
                Content.assemble(("Why this one  ", "bold $accent"), literal(self.suggestion.why)),
            )
        elif kind == "resume":
            u = next((u for u in self.unfinished if str(u.id) == rest), None)
            head = Content.assemble(
                ("This call was cut off", "bold $warning"),
                (
                    f" after {u.turns} turns. Enter to resume it where it stopped, "
                    "or to score it as it stands."
                    if u
                    else "",
                    "",
                ),
            )
            self._show_summary(self._row(u.scenario) if u else None, head)
        else:
            self._show_summary(self._row(event.option.id or ""))

    @on(OptionList.OptionSelected, "#scenarios")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option.id)

    def action_choose(self) -> None:
        option = self.query_one("#scenarios", OptionList).highlighted_option
        if option is not None:
            self._open(option.id)

    def _open(self, option_id: str | None) -> None:
        kind, _, rest = (option_id or "").partition(":")
        if kind == "resume":
            self.post_message(UnfinishedChosen(int(rest)))
        elif kind == "next":
            self.post_message(ScenarioChosen(rest))
        elif option_id:
            self.post_message(ScenarioChosen(option_id))

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
            if box.selection.is_empty:
                box.insert_text_at_cursor(event.character)
            else:  # the old filter, selected on coming back: typing replaces it
                box.replace(event.character, *box.selection)
            event.stop()
            event.prevent_default()


def _header(text: str) -> Option:
    return Option(Content(text).stylize("bold $foreground-muted"), disabled=True)
