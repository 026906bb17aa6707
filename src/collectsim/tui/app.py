"""The collectsim TUI: a thin shell over the engine, the loader, the scorer and the records.

The app owns navigation, the library and the link to the records; screens get what they show
as attributes and report what the trainee did with messages. Loading, opening the records,
reading them and scoring run in worker threads so the first screen paints at once; every call is
recorded turn by turn through `collectsim.tui.records` (the one module that touches the store).
`make_app` builds the app for `run()`, `serve` and the tests (which pass a seed, an instant
speaking pace, a frozen clock, a temporary data dir and a temporary database).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
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
    HomeShown,
    LibraryLoaded,
    NextScenario,
    OpenAttempt,
    RecordsProblem,
    RecordsReady,
    Retry,
    ScenarioChosen,
    StartCall,
    TeamModeChosen,
    TraineeNamed,
    UnfinishedChosen,
)
from collectsim.tui.records import Records
from collectsim.tui.screens.home import HomeScreen, ScenarioRow
from collectsim.tui.settings import Settings, default_data_dir

PRACTICE, ASSESSMENT = "practice", "assessment"
#: Seconds per word while the debtor speaks: a brisk but human reading pace.
DEFAULT_PACE = 0.12
HERE = Path(__file__).parent
#: Styles the first screen needs; each other screen loads its own .tcss when first shown.
CSS_FILES = ("app.tcss", "home.tcss")


log = logging.getLogger(__name__)


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
        db: str | None = None,
        records: Records | None = None,
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
        self.settings = Settings(self.data_dir)
        self.records = records or Records(db)
        self.records.on_write_error(lambda error: self.post_message(RecordsProblem(error)))
        self.records_ready = False
        self.best: dict[str, int] = {}
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
        home.set_trainee(self.trainee)
        self.sub_title = self.trainee
        # Start loading only once the first frame is on screen: the loader's imports hold the
        # GIL for a while and would otherwise delay the first paint. The records (SQLAlchemy)
        # are opened after the library, so the two never compete with the first frames.
        self.call_after_refresh(self.load_library)

    def on_unmount(self) -> None:
        with contextlib.suppress(Exception):
            self.records.close()  # waits for the last turns to be committed

    @property
    def trainee(self) -> str:
        return self.settings.trainee()

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
        if library is not None and not reload:
            from collectsim.analysis import default_analyser

            # Build the analyser (~0.4 s of regex compiling) now, after the list is shown and
            # while the trainee reads the briefing, not on the first line they send.
            default_analyser().analyse("Hi, I'm calling about invoice 1 for $10, due Friday.")

    def on_library_loaded(self, message: LibraryLoaded) -> None:
        if not message.reload:
            self.open_records()
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
        self.refresh_home()
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
                    best=self.best.get(s.id),
                    briefing=s.briefing,
                )
            )
        return rows

    # --- the records --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="records-open")
    def open_records(self) -> None:
        self.records.store()
        self.post_message(RecordsReady(self.records.error))

    def on_records_ready(self, message: RecordsReady) -> None:
        self.records_ready = True
        if message.error:
            self.notify(
                f"Calls are played but not recorded: {message.error}",
                title="Records unavailable",
                severity="warning",
                timeout=8,
                markup=False,
            )
        self.refresh_home()

    def on_records_problem(self, message: RecordsProblem) -> None:
        self.notify(
            f"Could not record: {message.error}",
            title="Records",
            severity="error",
            markup=False,
        )

    def refresh_home(self) -> None:
        """Best scores, cut-off calls and the suggestion, read again (in a worker)."""
        if self.records_ready:
            self._read_home(self.trainee, self.library)

    def on_home_shown(self, message: HomeShown) -> None:
        self.refresh_home()

    @work(thread=True, exclusive=True, group="records-home")
    def _read_home(self, trainee: str, library: Any) -> None:
        try:
            self.records.drain()  # the turns of a call just left are counted
            data = self.records.home(trainee, library)
        except Exception as exc:
            self.post_message(RecordsProblem(f"{type(exc).__name__}: {exc}"))
            return
        self.call_from_thread(self._show_home, data)

    def _show_home(self, data: Any) -> None:
        self.best = dict(data.best)
        home = self.home_screen
        home.unfinished = data.unfinished
        home.suggestion = data.suggestion
        if self.library is not None:
            home.set_rows(self.scenario_rows(), len(self.problems()))

    def _commit(self, attempt: Any) -> None:
        """The attempt made turns: commit them (on the records writer thread)."""
        self.records.flush(attempt)

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
                coach=self.coach_view and not attempt.assessment,
                clock=self.clock,
            )
        from collectsim.tui.screens.briefing import BriefingScreen

        return BriefingScreen(attempt, self._brief(attempt))

    def open_briefing(self, scenario_id: str, mode: str = PRACTICE) -> None:
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
        self._leaving_call()
        self._show(self._screen_for("BriefingScreen", Attempt(loaded, self.seed, mode=mode)))

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
        self._record(message.attempt)
        self._show(self._screen_for("CallScreen", message.attempt))

    def _record(self, attempt: Any) -> None:
        """Record the attempt from now on: the preparation at once, then every turn."""
        if attempt.on_turns is None:
            attempt.on_turns = self._commit
            self.records.start(attempt, self.trainee)

    def on_call_ended(self, message: CallEnded) -> None:
        attempt = message.attempt
        self._record(attempt)  # a call ended from the briefing (a decision not to call)
        self.score_attempt(attempt)

    @work(thread=True, exclusive=True, group="score")
    def score_attempt(self, attempt: Any) -> None:
        """Score the call, close its record with the scorecard, then show the scorecard.

        If scoring fails the record is not closed: the call stays under Unfinished on home,
        every turn kept, to be scored again (the scorecard screen shows the transcript and why).
        """
        try:
            card, error = self._score(attempt)
            before = None
            with contextlib.suppress(Exception):
                self.records.drain()  # the attempt's id is known once recording has started
                before = self.records.best_overall(
                    self.trainee, attempt.scenario_id, before=attempt.attempt_id
                )
            if card is not None:
                self.records.finish(attempt, card)
            new_best = (
                card is not None and before is not None and int(card.scores["overall"]) > before
            )  # a first attempt is not "a new best"
            self.call_from_thread(self._show_scorecard, attempt, card, error, new_best)
            if card is None:
                kept = (
                    "It is kept, unfinished: score it again from Home."
                    if attempt.recorder is not None
                    else "It was not recorded."
                )
                self.call_from_thread(
                    self.notify,
                    f"Something went wrong in the simulator while scoring the call. {kept}",
                    title="No scorecard",
                    severity="error",
                    timeout=10,
                    markup=False,
                )
        except Exception:  # never crash the app after a call: the turns are already stored
            log.exception("showing the scorecard failed")
            self.call_from_thread(
                self.notify,
                "Something went wrong in the simulator after the call. It is kept: "
                "resume it or score it from Home.",
                title="Simulator error",
                severity="error",
                timeout=10,
                markup=False,
            )

    @staticmethod
    def _score(attempt: Any) -> tuple[Any, str | None]:
        try:
            from collectsim.scoring import score

            return score(attempt.record(), attempt.loaded), None
        except Exception as exc:  # show the transcript even when scoring fails
            log.exception("scoring failed")
            return None, f"{type(exc).__name__}: {exc}"

    def _show_scorecard(self, attempt: Any, card: Any, error: str | None, new_best: bool) -> None:
        from collectsim.tui.screens.scorecard import ScorecardScreen

        self.refresh_home()
        self._show(ScorecardScreen(attempt, self._brief(attempt), card, error, new_best=new_best))

    def on_retry(self, message: Retry) -> None:
        self.open_briefing(message.scenario_id, message.mode)

    # --- calls cut off: resume, or score as they stand -------------------------------------------

    def on_unfinished_chosen(self, message: UnfinishedChosen) -> None:
        from collectsim.tui.screens.resume import ResumeScreen

        found = next((u for u in self.home_screen.unfinished if u.id == message.attempt_id), None)
        if found is None or self.library is None:
            return
        title = (
            self.library.scenarios[found.scenario].title
            if (found.scenario in self.library.scenarios)
            else found.scenario
        )

        def chosen(what: str | None) -> None:
            if what in ("resume", "score"):
                self.resume_attempt(
                    found.id, found.scenario, found.mode, score_only=what == "score"
                )

        self.push_screen(ResumeScreen(found, title), chosen)

    @work(thread=True, exclusive=True, group="resume")
    def resume_attempt(
        self, attempt_id: int, scenario: str, mode: str, *, score_only: bool
    ) -> None:
        """Rebuild a cut-off call from its record; continue it, or score it as it stands."""
        from collectsim.tui.attempt import Attempt

        try:
            loaded = self.library.bind(scenario)
            recorder = self.records.resume(attempt_id, loaded)
        except Exception as exc:
            if not score_only:
                self.post_message(RecordsProblem(f"cannot resume the call: {exc}"))
                return
            # Not rebuildable (the files changed): score the stored turns as they stand.
            self._score_stored(attempt_id, scenario, str(exc))
            return
        attempt = Attempt.resumed(recorder, mode)
        attempt.on_turns = self._commit
        with contextlib.suppress(Exception):  # the timer is a convenience: 00:00 if unreadable
            attempt.elapsed_before = self.records.call_seconds(attempt_id)
        if score_only:
            self.call_from_thread(self.score_attempt, attempt)
        else:
            self.call_from_thread(self._show, self._screen_for("CallScreen", attempt))
            self.call_from_thread(self.refresh_home)
            self.call_from_thread(
                self.notify,
                f"Resumed where it stopped: {len(attempt.turns)} turns, every one kept.",
                title=f"Call #{attempt.attempt_id} resumed",
                timeout=4,
            )

    def _score_stored(self, attempt_id: int, scenario: str, why: str) -> None:
        try:
            self.records.score_stored(attempt_id, self.library.bind(scenario))
        except Exception as exc:
            self.post_message(RecordsProblem(f"cannot score the call ({why}): {exc}"))
            return
        self.call_from_thread(self.refresh_home)
        self.call_from_thread(self.open_attempt, attempt_id)

    def on_next_scenario(self, message: NextScenario) -> None:
        ids = [r.id for r in self.scenario_rows()]
        if not ids:
            return
        i = ids.index(message.scenario_id) if message.scenario_id in ids else -1
        self.open_briefing(ids[(i + 1) % len(ids)])

    def on_trainee_named(self, message: TraineeNamed) -> None:
        self.settings.set_trainee(message.name)
        self.sub_title = self.trainee
        self.refresh_home()

    # --- history and the team view ---------------------------------------------------------------

    def action_history(self) -> None:
        from collectsim.tui.screens.history import HistoryScreen

        screen = self._screen_of("HistoryScreen")
        if screen is None:
            screen = HistoryScreen(self.trainee or "")
            self.push_screen(screen)
        self._read_history(screen, self.trainee)

    @work(thread=True, exclusive=True, group="records-history")
    def _read_history(self, screen: Any, trainee: str) -> None:
        try:
            found = self.records.history(trainee)
        except Exception as exc:
            found, error = None, f"{type(exc).__name__}: {exc}"
        else:
            error = None if found is not None else (self.records.error or "no records")
        titles = self._titles()
        if found is None:
            self.call_from_thread(screen.show_error, error)
        else:
            self.call_from_thread(screen.show, found[0], found[1], titles)

    def _titles(self) -> dict[str, str]:
        lib = self.library
        return {k: s.title for k, s in lib.scenarios.items()} if lib is not None else {}

    def action_team(self, mode: str | None = ASSESSMENT) -> None:
        from collectsim.tui.screens.team import TeamScreen

        screen = self._screen_of("TeamScreen")
        if screen is None:
            screen = TeamScreen(mode)
            self.push_screen(screen)
        self._read_team(screen, mode)

    def on_team_mode_chosen(self, message: TeamModeChosen) -> None:
        self.action_team(message.mode)

    @work(thread=True, exclusive=True, group="records-team")
    def _read_team(self, screen: Any, mode: str | None) -> None:
        try:
            summary, error = self.records.summary(mode), self.records.error
        except Exception as exc:
            summary, error = None, f"{type(exc).__name__}: {exc}"
        titles = self._titles()
        if summary is None:
            self.call_from_thread(screen.show_error, error or "no records")
        else:
            self.call_from_thread(screen.show, summary, mode, titles)

    def on_open_attempt(self, message: OpenAttempt) -> None:
        self.open_attempt(message.attempt_id)

    @work(thread=True, exclusive=True, group="records-attempt")
    def open_attempt(self, attempt_id: int) -> None:
        """A recorded attempt's scorecard, as it was stored."""
        from collectsim.tui.attempt import StoredAttempt

        try:
            stored = self.records.stored(attempt_id)
        except Exception as exc:
            self.post_message(RecordsProblem(f"{type(exc).__name__}: {exc}"))
            return
        if stored is None:
            return
        loaded = None
        if self.library is not None:
            with contextlib.suppress(Exception):
                loaded = self.library.bind(stored.scenario)
        view = StoredAttempt(stored, loaded)
        self.call_from_thread(self._show_stored, view)

    def _show_stored(self, view: Any) -> None:
        from collectsim.tui.screens.scorecard import ScorecardScreen

        brief = self._brief(view) if view.loaded is not None else view.brief()
        screen = ScorecardScreen(view, brief, view.card(), view.error(), stored=True)
        self.push_screen(screen)

    # --- actions (keys and the command palette) -------------------------------------------------

    def action_home(self) -> None:
        self._leaving_call()
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.home_screen.back_from_work()

    def _leaving_call(self) -> None:
        """Say where a call still going on goes when the trainee leaves it (palette: Home, New
        call, a scenario): nothing is lost, it waits under Unfinished on home."""
        call = self._screen_of("CallScreen")
        if call is None or call.attempt.ended:
            return
        where = "resume it or score it from Home" if self.records_ready else "it was not recorded"
        self.notify(
            f"The call with {call.brief['debtor']['name']} was left unfinished: {where}.",
            title="Call left",
            timeout=6,
            markup=False,
        )

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

    def action_new_call(self, mode: str = PRACTICE) -> None:
        screen = self._screen_of("CallScreen", "BriefingScreen", "ScorecardScreen")
        if screen is not None:
            self.open_briefing(screen.attempt.scenario_id, mode)
            return
        scenario = self.home_screen.highlighted_scenario()
        if scenario:
            self.open_briefing(scenario, mode)

    def action_new_assessment(self) -> None:
        self.action_new_call(ASSESSMENT)

    def action_toggle_coach(self) -> None:
        call = self._screen_of("CallScreen")
        if call is not None and call.attempt.assessment:
            self.notify("No coach view in an assessment.", severity="warning", timeout=3)
            return
        self.coach_view = not self.coach_view
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
    db: str | None = None,
    clock: Callable[[], float] = time.monotonic,
    coach: bool = False,
    builtin: bool = True,
) -> CollectsimApp:
    """The app as `run()`, `serve` and the tests build it. `db` is a path or URL for the
    records (default: `COLLECTSIM_DB`, else the user data folder)."""
    return CollectsimApp(
        library=library,
        seed=seed,
        speaking_pace=speaking_pace,
        data_dir=data_dir,
        db=db,
        clock=clock,
        coach=coach,
        builtin=builtin,
    )


def run(library: list[Path], db: str | None = None) -> int:
    app = make_app(library, db=db)
    app.run()
    return app.return_code or 0
