"""The team view for trainers: per trainee, per scenario and per trainee at each scenario,
the attempts, the average and best score per dimension, and the criteria most often lost.

Assessments only by default (practice is the trainee's own); `m` switches to practice or all.
The app reads `Store.summary` in a worker and hands the result to `show`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from collectsim.tui.messages import TeamModeChosen
from collectsim.tui.text import clean, literal
from collectsim.tui.widgets.scorebars import SHORT

MODES: tuple[str | None, ...] = ("assessment", "practice", None)
MODE_NAMES = {"assessment": "assessments", "practice": "practice attempts", None: "all attempts"}
TABLES: tuple[tuple[str, str], ...] = (
    ("by_trainee", "Trainees"),
    ("by_scenario", "Scenarios"),
    ("by_pair", "Trainee × scenario"),
)


def _cell(text: str, style: str = "") -> Text:
    """A DataTable cell shown literally (a plain str cell would be parsed as markup)."""
    return Text(clean(text, one_line=True, limit=60), style=style, no_wrap=True)


def lost_content(group: Any) -> Content:
    if not group.lost:
        return Content("No criterion lost points here.").stylize("$foreground-muted")
    lines = [Content("Most often lost").stylize("bold")]
    for c in group.lost:
        times = f"{c.attempts} attempt{'s' if c.attempts != 1 else ''}"
        lines.append(
            Content.assemble(
                ("• ", "$error"),
                literal(c.label or c.criterion, one_line=True, limit=120),
                (f"  {c.dimension} · {times}", "$foreground-muted"),
            )
        )
    return Content("\n").join(lines)


class TeamScreen(Screen):
    CSS_PATH = "../team.tcss"  # loaded when the screen is first shown
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "mode", "Assessments/practice/all"),
        Binding("f7", "app.history", "History"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, mode: str | None = "assessment") -> None:
        super().__init__()
        self.mode = mode
        self.summary: Any = None
        self.titles: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="team-title", classes="title-bar")
        with TabbedContent(id="team-tabs"):
            for key, label in TABLES:
                with TabPane(label, id=f"tab-{key}"):
                    yield DataTable(id=key, cursor_type="row", zebra_stripes=True)
        yield Static("", id="team-lost")
        yield Footer(compact=True)

    def _title(self, extra: str = "") -> Content:
        return Content.assemble(
            ("Team view  ", "$foreground-muted"),
            (MODE_NAMES.get(self.mode, "all attempts"), "bold"),
            (extra, "$foreground-muted"),
        )

    def on_mount(self) -> None:
        self.query_one("#by_trainee").focus()
        if self.summary is not None:
            self._fill_all()
            return
        for key, _ in TABLES:
            table = self.query_one(f"#{key}", DataTable)
            table.add_column("", key="who")
            table.add_row(_cell("Reading the records…", "italic"))

    # --- attributes down -----------------------------------------------------------------------

    def show(self, summary: Any, mode: str | None, titles: Mapping[str, str]) -> None:
        self.summary = summary
        self.mode = mode
        self.titles = dict(titles)
        if self.is_mounted:
            self._fill_all()

    def _fill_all(self) -> None:
        summary = self.summary
        n = len(summary.by_trainee)
        self.query_one("#team-title", Static).update(
            self._title(f"   {n} trainee{'s' if n != 1 else ''} · average / best per dimension")
        )
        for key, _ in TABLES:
            self._fill(key, getattr(summary, key))
        self._show_lost()

    def show_error(self, error: str) -> None:
        if self.is_mounted:
            self.query_one("#team-lost", Static).update(literal(f"No records: {error}", "$error"))
        else:
            self.call_after_refresh(self.show_error, error)

    def _group_label(self, group: Any) -> str:
        if group.trainee is not None and group.scenario is not None:
            return f"{group.trainee} · {group.scenario}"
        if group.trainee is not None:
            return group.trainee
        return self.titles.get(group.scenario, group.scenario)

    def _fill(self, key: str, groups: Any) -> None:
        table = self.query_one(f"#{key}", DataTable)
        table.clear(columns=True)
        dims = [d for d in self.summary.dimensions]
        first = {"by_trainee": "Trainee", "by_scenario": "Scenario"}.get(key, "Trainee · scenario")
        table.add_column(first, key="who")
        table.add_column("Att.", key="attempts")
        for d in dims:
            table.add_column(SHORT.get(d, d[:8].title()), key=d)
        table.add_column("Most lost", key="lost")
        if not groups:
            table.add_row(_cell(f"No {MODE_NAMES.get(self.mode, 'attempts')} recorded.", "italic"))
            return
        for i, g in enumerate(groups):
            cells: list[Text] = [_cell(self._group_label(g)), _cell(f"{g.attempts}")]
            for d in dims:
                avg, best = g.average.get(d), g.best.get(d)
                cells.append(
                    _cell(
                        "–" if avg is None else f"{avg:.0f}/{best}",
                        "bold" if d == "overall" else "",
                    )
                )
            top = g.lost[0] if g.lost else None
            cells.append(_cell(f"{top.label or top.criterion} ×{top.attempts}" if top else "–"))
            table.add_row(*cells, key=str(i))

    # --- the lost criteria of the row under the cursor ------------------------------------------

    def _current(self) -> tuple[str, DataTable]:
        tabs = self.query_one(TabbedContent)
        key = (tabs.active or "tab-by_trainee").removeprefix("tab-")
        return key, self.query_one(f"#{key}", DataTable)

    def _show_lost(self) -> None:
        if self.summary is None:
            return
        key, table = self._current()
        groups = getattr(self.summary, key)
        row = table.cursor_row
        box = self.query_one("#team-lost", Static)
        if not groups or row is None or row >= len(groups):
            box.update(Content("Nothing recorded yet.").stylize("$foreground-muted"))
            return
        g = groups[row]
        box.update(
            Content.assemble(
                literal(self._group_label(g), "bold", one_line=True, limit=100),
                (
                    f"  {g.attempts} attempt{'s' if g.attempts != 1 else ''}, {g.scored} scored\n",
                    "$foreground-muted",
                ),
                lost_content(g),
            )
        )

    @on(DataTable.RowHighlighted)
    def _row(self) -> None:
        self._show_lost()

    @on(TabbedContent.TabActivated)
    def _tab(self) -> None:
        self._show_lost()

    def action_mode(self) -> None:
        mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)] if self.mode in MODES else None
        self.mode = mode
        self.query_one("#team-title", Static).update(self._title("   reading…"))
        self.post_message(TeamModeChosen(mode))
