"""History: a trainee's attempts per scenario, best and last, each dimension's trend as bars,
and every attempt, whose scorecard opens with Enter.

The app reads the records in a worker and hands the result to `show`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from collectsim.tui.messages import OpenAttempt, UnfinishedChosen
from collectsim.tui.text import literal
from collectsim.tui.widgets.scorebars import band
from collectsim.tui.widgets.trend import TrendChart


def _when(at: Any) -> str:
    try:
        return at.astimezone().strftime("%Y-%m-%d %H:%M")
    except (AttributeError, ValueError, OSError):
        return str(at)


def scenario_prompt(s: Any, title: str) -> Content:
    best, last = s.best.get("overall"), s.last.get("overall")
    parts: list[Any] = [
        literal(title, "bold", one_line=True, limit=120),
        "\n",
        (f"{s.attempts} attempt{'s' if s.attempts != 1 else ''}", "$foreground-muted"),
    ]
    if best is not None:
        parts += [(" · best ", "$foreground-muted"), (str(best), band(best))]
    if last is not None:
        parts += [(" · last ", "$foreground-muted"), (str(last), band(last))]
    if s.unfinished:
        parts.append((f" · {len(s.unfinished)} cut off", "$warning"))
    return Content.assemble(*parts)


def attempt_prompt(a: Any) -> Content:
    overall = a.scores.get("overall")
    if not a.finished:
        score = ("cut off", "$warning")
    elif overall is None:
        score = ("not scored", "$foreground-muted")
    else:
        score = (f"overall {overall}", f"bold {band(overall)}")
    return Content.assemble(
        (f"#{a.id} ", "$foreground-muted"),
        (_when(a.started_at), ""),
        (f"  {a.mode}  ", "$accent" if a.mode == "assessment" else "$foreground-muted"),
        score,
    )


class HistoryScreen(Screen):
    CSS_PATH = "../history.tcss"  # loaded when the screen is first shown
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open scorecard", show=True, priority=False),
        Binding("tab", "app.focus_next", "Attempts", show=False),
        Binding("f8", "app.team", "Team"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, trainee: str) -> None:
        super().__init__()
        self.trainee = trainee
        self.history: Any = None
        self.attempts: list[Any] = []
        self.titles: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="history-title", classes="title-bar")
        with Horizontal(id="history-body"):
            yield OptionList(Option("Reading the records…", disabled=True), id="hist-scenarios")
            with Vertical(id="hist-detail"):
                yield Static("", id="hist-head")
                yield TrendChart(id="hist-trend")
                yield Static("Attempts, newest first · Enter opens one", classes="heading")
                yield OptionList(id="hist-attempts")
        yield Footer(compact=True)

    def _title(self, extra: str = "") -> Content:
        return Content.assemble(
            ("History  ", "$foreground-muted"),
            literal(self.trainee or "you", "bold", one_line=True, limit=60),
            (extra, "$foreground-muted"),
        )

    def on_mount(self) -> None:
        self.query_one("#hist-scenarios").focus()
        if self.history is not None:
            self._fill_all()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    # --- attributes down -----------------------------------------------------------------------

    def show(self, history: Any, attempts: Sequence[Any], titles: Mapping[str, str]) -> None:
        self.history = history
        self.attempts = list(attempts)
        self.titles = dict(titles)
        self.trainee = history.trainee or self.trainee
        if self.is_mounted:
            self._fill_all()

    def _fill_all(self) -> None:
        history = self.history
        n = history.attempts
        self.query_one("#history-title", Static).update(
            self._title(
                f"   {n} attempt{'s' if n != 1 else ''} in {len(history.scenarios)} scenario"
                f"{'s' if len(history.scenarios) != 1 else ''}"
            )
        )
        options = self.query_one("#hist-scenarios", OptionList)
        keep = options.highlighted_option.id if options.highlighted_option else None
        options.clear_options()
        # The scenario played most recently first: that is where the trainee is working.
        ordered = sorted(history.scenarios, key=lambda s: s.last_played, reverse=True)
        if not ordered:
            options.add_option(
                Option(
                    Content("No attempts recorded yet: play a call and it shows here.").stylize(
                        "$foreground-muted"
                    ),
                    disabled=True,
                )
            )
            self._show_scenario(None)
            return
        options.add_options(
            [
                Option(scenario_prompt(s, self.titles.get(s.scenario, s.scenario)), id=s.scenario)
                for s in ordered
            ]
        )
        ids = [s.scenario for s in ordered]
        options.highlighted = ids.index(keep) if keep in ids else 0

    def show_error(self, error: str) -> None:
        if not self.is_mounted:
            self.call_after_refresh(self.show_error, error)
            return
        options = self.query_one("#hist-scenarios", OptionList)
        options.clear_options()
        options.add_option(Option(literal(f"No records: {error}", "$error"), disabled=True))

    # --- one scenario ---------------------------------------------------------------------------

    def _scenario(self, scenario_id: str | None) -> Any:
        if self.history is None or scenario_id is None:
            return None
        return next((s for s in self.history.scenarios if s.scenario == scenario_id), None)

    def _show_scenario(self, s: Any) -> None:
        head = self.query_one("#hist-head", Static)
        chart = self.query_one(TrendChart)
        attempts = self.query_one("#hist-attempts", OptionList)
        attempts.clear_options()
        if s is None:
            head.update("")
            chart.set_trends({})
            return
        scored = len(s.points)
        head.update(
            Content.assemble(
                literal(self.titles.get(s.scenario, s.scenario), "bold", one_line=True, limit=120),
                (
                    f"\nTrend over {scored} scored attempt{'s' if scored != 1 else ''}, "
                    "oldest to newest (0–100)",
                    "$foreground-muted",
                ),
            )
        )
        chart.set_trends({d: s.trend(d) for d in self.history.dimensions})
        mine = [a for a in self.attempts if a.scenario == s.scenario]
        attempts.add_options([Option(attempt_prompt(a), id=str(a.id)) for a in mine])
        if mine:
            attempts.highlighted = 0

    @on(OptionList.OptionHighlighted, "#hist-scenarios")
    def _scenario_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_scenario(self._scenario(event.option.id))

    @on(OptionList.OptionSelected, "#hist-scenarios")
    def _scenario_selected(self) -> None:
        self.query_one("#hist-attempts").focus()

    @on(OptionList.OptionSelected, "#hist-attempts")
    def _attempt_selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option.id)

    def action_open(self) -> None:
        option = self.query_one("#hist-attempts", OptionList).highlighted_option
        if option is not None:
            self._open(option.id)

    def _open(self, option_id: str | None) -> None:
        if not option_id:
            return
        a = next((a for a in self.attempts if str(a.id) == option_id), None)
        if a is None:
            return
        if a.finished:
            self.post_message(OpenAttempt(a.id))
        else:
            self.post_message(UnfinishedChosen(a.id))
