"""The collectsim TUI: a thin shell over the engine, the loader and the scorer.

The app owns navigation, the library and the trainee's progress; screens get what they show as
attributes and report what the trainee did with messages. Loading and scoring run in worker
threads so the first screen paints at once. `make_app` builds the app for `run()`, `serve` and
the tests (which pass a seed, an instant speaking pace, a frozen clock and a temporary data dir).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from collectsim.tui.messages import (
    CallEnded,
    LibraryLoaded,
    NextScenario,
    Retry,
    ScenarioChosen,
    StartCall,
    TraineeNamed,
)
from collectsim.tui.progress import JsonProgress, Progress, default_data_dir
from collectsim.tui.screens.home import HomeScreen, ScenarioRow

#: Seconds per word while the debtor speaks: a brisk but human reading pace.
DEFAULT_PACE = 0.12
HERE = Path(__file__).parent
#: Styles the first screen needs; each other screen loads its own .tcss when first shown.
CSS_FILES = ("app.tcss", "home.tcss")


def _commands() -> type:
    """The palette provider, imported when the palette first opens (keeps start-up lean)."""
    from collectsim.tui.commands import CollectsimCommands

    return CollectsimCommands


class CollectsimApp(App[int]):
    TITLE = "collectsim"
    CSS_PATH: ClassVar[list[Path]] = [HERE / name for name in CSS_FILES]
    COMMANDS = App.COMMANDS | {_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
        Binding("f5,ctrl+r", "reload", "Reload", show=False),
    ]

    def __init__(
        self,
        *,
        library: Sequence[Path] = (),
        seed: int = 0,
        speaking_pace: float = DEFAULT_PACE,
        data_dir: Path | None = None,
        progress: Progress | None = None,
        clock: Callable[[], float] = time.monotonic,
        coach: bool = False,
        builtin: bool = True,
    ) -> None:
        super().__init__()
        self.builtin = builtin
        self.library_paths = [Path(p) for p in library]
        self.seed = seed
        self.speaking_pace = speaking_pace
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.progress: Progress = progress or JsonProgress(self.data_dir)
        self.clock = clock
        self.coach_view = coach
        self.library: Any = None
        self.load_error: str | None = None
        self.current_scenario: str | None = None
        self.theme = "nord"

    # --- start-up and the library ------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        return HomeScreen()

    def on_mount(self) -> None:
        home = self.home_screen
        home.set_trainee(self.progress.trainee())
        self.sub_title = self.progress.trainee()
        # Start loading only once the first frame is on screen: the loader's imports hold
        # the GIL for a while and would otherwise delay the first paint.
        self.call_after_refresh(self.load_library)

    @property
    def home_screen(self) -> HomeScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, HomeScreen)
        return screen

    @work(thread=True, exclusive=True, group="library")
    def load_library(self, reload: bool = False) -> None:
        """Load (or reload) every library file; warm up what the first call will import."""
        try:
            from collectsim.loading import load_library

            if self.builtin:
                library = load_library(extra=self.library_paths)
            else:  # exactly these folders: hermetic tests and snapshots
                library = load_library(paths=self.library_paths)
            import collectsim.briefing
            import collectsim.engine

            with contextlib.suppress(Exception):  # reported when a call is scored
                import collectsim.scoring  # noqa: F401
            error = None
        except Exception as exc:  # never crash on a library: show what went wrong
            library, error = None, f"{type(exc).__name__}: {exc}"
        self.post_message(LibraryLoaded(library, error, reload))

    def on_library_loaded(self, message: LibraryLoaded) -> None:
        if message.library is None:
            self.load_error = message.error
            self.notify(
                message.error or "could not load the library",
                title="Library not loaded",
                severity="error",
                markup=False,
            )
            return
        self.library = message.library
        self.load_error = None
        problems = self.problems()
        self.home_screen.set_rows(self.scenario_rows(), len(problems))
        diag = self._screen_of("DiagnosticsScreen")
        if diag is not None:
            diag.show(problems)
        if message.reload:
            self._after_reload(problems)

    def problems(self) -> list[Any]:
        return list(self.library.diagnostics) if self.library is not None else []

    def scenario_rows(self) -> list[ScenarioRow]:
        lib = self.library
        if lib is None:
            return []
        rows = []
        for s in sorted(lib.scenarios.values(), key=lambda s: (s.order, s.id)):
            persona = lib.personas.get(s.persona)
            rows.append(
                ScenarioRow(
                    id=s.id,
                    title=s.title,
                    persona_type=persona.type if persona else s.persona,
                    difficulty=s.difficulty,
                    summary=s.summary,
                    best=self.progress.best(s.id),
                    briefing=s.briefing,
                )
            )
        return rows

    def _after_reload(self, problems: list[Any]) -> None:
        """Restart the call (or briefing) on screen with the edited files, or show why not."""
        n = sum(1 for d in problems if getattr(d, "severity", "error") == "error")
        screen = self._screen_of("CallScreen", "BriefingScreen")
        if screen is None:
            self._notify_reloaded(n)
            return
        from collectsim.diagnostics import LoadError

        attempt = screen.attempt
        try:
            loaded = self.library.bind(attempt.scenario_id)
        except LoadError as exc:
            self.notify(
                f"'{attempt.scenario_id}' no longer loads; the call on screen keeps the old files.",
                title="Reload failed",
                severity="error",
                markup=False,
            )
            self._show_problems(
                list(exc.diagnostics) + [d for d in problems if d not in exc.diagnostics]
            )
            return
        fresh = attempt.restarted(loaded)
        if self._screen_of("DiagnosticsScreen") is not None and not n:
            self.pop_screen()
        self._show(self._screen_for(type(screen).__name__, fresh))
        what = "call restarted" if type(screen).__name__ == "CallScreen" else "briefing reopened"
        if n:
            self.notify(
                f"Reloaded with {n} problem(s) in other files (F6); {what}.",
                severity="warning",
                markup=False,
            )
        else:
            self.notify(f"Library reloaded; {what} with the edited files.", markup=False)

    def _notify_reloaded(self, errors: int) -> None:
        count = len(self.library.scenarios)
        if errors:
            self.notify(
                f"Reloaded {count} scenario(s); {errors} problem(s) in the files (F6).",
                title="Library reloaded",
                severity="warning",
                markup=False,
            )
        else:
            self.notify(f"Reloaded {count} scenario(s).", title="Library reloaded", markup=False)

    # --- navigation -----------------------------------------------------------------------------

    def _screen_of(self, *names: str) -> Any:
        """The topmost screen on the stack of one of these classes."""
        for screen in reversed(self.screen_stack):
            if type(screen).__name__ in names:
                return screen
        return None

    def _show(self, screen: Screen) -> None:
        """Show a work screen (briefing, call, scorecard) directly above home."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 2:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def _brief(self, attempt: Any) -> dict[str, Any]:
        from collectsim.briefing import briefing_json

        return briefing_json(attempt.loaded)

    def _screen_for(self, name: str, attempt: Any) -> Screen:
        if name == "CallScreen":
            from collectsim.tui.screens.call import CallScreen

            return CallScreen(
                attempt,
                self._brief(attempt),
                pace=self.speaking_pace,
                coach=self.coach_view,
                clock=self.clock,
            )
        from collectsim.tui.screens.briefing import BriefingScreen

        return BriefingScreen(attempt, self._brief(attempt))

    def open_briefing(self, scenario_id: str) -> None:
        if self.library is None:
            self.notify("The library is still loading.", severity="warning")
            return
        from collectsim.diagnostics import LoadError
        from collectsim.tui.attempt import Attempt

        try:
            loaded = self.library.bind(scenario_id)
        except LoadError as exc:
            self._show_problems(list(exc.diagnostics), f"'{scenario_id}' cannot be played")
            return
        self.current_scenario = scenario_id
        self._show(self._screen_for("BriefingScreen", Attempt(loaded, self.seed)))

    def _show_problems(self, diagnostics: Iterable[Any], headline: str = "") -> None:
        from collectsim.tui.screens.diagnostics import DiagnosticsScreen

        existing = self._screen_of("DiagnosticsScreen")
        if existing is not None:
            existing.show(list(diagnostics), headline)
            return
        self.push_screen(DiagnosticsScreen(list(diagnostics), headline))

    def on_scenario_chosen(self, message: ScenarioChosen) -> None:
        self.open_briefing(message.scenario_id)

    def on_start_call(self, message: StartCall) -> None:
        self._show(self._screen_for("CallScreen", message.attempt))

    def on_call_ended(self, message: CallEnded) -> None:
        attempt = message.attempt
        self.score_attempt(attempt, attempt.record())

    @work(thread=True, exclusive=True, group="score")
    def score_attempt(self, attempt: Any, record: Any) -> None:
        try:
            from collectsim.scoring import score

            card, error = score(record, attempt.loaded), None
        except Exception as exc:  # show the transcript even when scoring fails
            card, error = None, f"{type(exc).__name__}: {exc}"
        self.call_from_thread(self._show_scorecard, attempt, card, error)

    def _show_scorecard(self, attempt: Any, card: Any, error: str | None) -> None:
        from collectsim.tui.screens.scorecard import ScorecardScreen

        new_best = False
        if card is not None:
            before = self.progress.best(attempt.scenario_id)
            improved = self.progress.record(attempt.scenario_id, int(card.scores["overall"]))
            new_best = improved and before is not None  # a first attempt is not "a new best"
            self.home_screen.set_rows(self.scenario_rows(), len(self.problems()))
        self._show(ScorecardScreen(attempt, self._brief(attempt), card, error, new_best=new_best))

    def on_retry(self, message: Retry) -> None:
        self.open_briefing(message.scenario_id)

    def on_next_scenario(self, message: NextScenario) -> None:
        ids = [r.id for r in self.scenario_rows()]
        if not ids:
            return
        i = ids.index(message.scenario_id) if message.scenario_id in ids else -1
        self.open_briefing(ids[(i + 1) % len(ids)])

    def on_trainee_named(self, message: TraineeNamed) -> None:
        self.progress.set_trainee(message.name)
        self.sub_title = self.progress.trainee()

    # --- actions (keys and the command palette) -------------------------------------------------

    def action_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_help(self) -> None:
        from collectsim.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_reload(self) -> None:
        self.notify("Reloading the library…", timeout=1.5)
        self.load_library(reload=True)

    def action_problems(self) -> None:
        if self.load_error:
            self._show_problems([self.load_error], "The library could not be loaded")
        else:
            self._show_problems(self.problems())

    def action_new_call(self) -> None:
        screen = self._screen_of("CallScreen", "BriefingScreen", "ScorecardScreen")
        if screen is not None:
            self.open_briefing(screen.attempt.scenario_id)
            return
        option = self.home_screen.query_one("#scenarios").highlighted_option
        if option is not None and option.id:
            self.open_briefing(option.id)

    def action_toggle_coach(self) -> None:
        self.coach_view = not self.coach_view
        call = self._screen_of("CallScreen")
        if call is not None:
            call.set_coach(self.coach_view)
        self.notify(f"Coach view {'on' if self.coach_view else 'off'}.", timeout=2)

    def action_export_script(self) -> None:
        screen = self._screen_of("CallScreen", "BriefingScreen", "ScorecardScreen")
        if screen is None:
            self.notify("Start a call first: there is no attempt to export.", severity="warning")
            return
        attempt = screen.attempt
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = self.data_dir / "scripts" / f"{attempt.scenario_id}-{stamp}.txt"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(attempt.script(), encoding="utf-8")
        except OSError as exc:
            self.notify(f"Could not save the script: {exc}", severity="error", markup=False)
            return
        self.last_export: Path | None = path
        self.notify(str(path), title="Script saved", markup=False, timeout=6)


def make_app(
    library: Sequence[Path] = (),
    *,
    seed: int = 0,
    speaking_pace: float = DEFAULT_PACE,
    data_dir: Path | None = None,
    clock: Callable[[], float] = time.monotonic,
    coach: bool = False,
    builtin: bool = True,
) -> CollectsimApp:
    """The app as `run()`, `serve` and the tests build it."""
    return CollectsimApp(
        library=library,
        seed=seed,
        speaking_pace=speaking_pace,
        data_dir=data_dir,
        clock=clock,
        coach=coach,
        builtin=builtin,
    )


def run(library: list[Path]) -> int:
    app = make_app(library)
    app.run()
    return app.return_code or 0
