"""The TUI's one door to the records store (`collectsim.store`) and to proficiency.

Screens never touch the store: the app calls this module from worker threads and hands screens
plain values. SQLAlchemy is imported only when the store is first opened, in a worker after the
first frame, so it stays out of the start-up path.

Recording a call. The engine answers on the UI thread (instantly); the turns it made are then
committed by a `collectsim.store.Recorder` on one dedicated writer thread, in order, before the
debtor's reply has even started to appear at speaking pace. A crash, a closed terminal or
`kill -9` therefore keeps every turn the trainee saw, and the UI never waits on the database (a
slow disk, a busy team PostgreSQL). If the store cannot be opened, calls are played unrecorded
and the app says so once.
"""

from __future__ import annotations

import getpass
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collectsim.models import Loaded
    from collectsim.store import Store
    from collectsim.tui.attempt import Attempt

T = TypeVar("T")
ENV_TRAINEE = "COLLECTSIM_TRAINEE"


def fallback_trainee() -> str:
    """The name `play` records under when none is given: `COLLECTSIM_TRAINEE` or the OS user."""
    name = os.environ.get(ENV_TRAINEE, "").strip()
    if name:
        return name
    try:
        return getpass.getuser() or "trainee"
    except (OSError, KeyError):
        return "trainee"


@dataclass(frozen=True)
class Unfinished:
    """A call cut off mid-way (crash, closed terminal, kill, or left for another screen)."""

    id: int
    scenario: str
    mode: str
    turns: int
    started: str  # local time, for people


@dataclass(frozen=True)
class HomeData:
    """What the home screen shows from the records for one trainee."""

    trainee: str
    best: dict[str, int] = field(default_factory=dict)  # scenario -> best overall
    unfinished: tuple[Unfinished, ...] = ()
    suggestion: Any = None  # proficiency.Suggestion | None


class Records:
    """Opens the store lazily, records calls on one writer thread, answers the screens' reads."""

    def __init__(self, location: str | None = None) -> None:
        self.location = location
        self.error: str | None = None
        self._store: Store | None = None
        self._lock = threading.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="collectsim-record")
        self._write_error: Callable[[str], None] | None = None

    # --- the store -----------------------------------------------------------------------------

    def store(self) -> Store | None:
        """The open store, opening it on first use (call from a worker); None if unavailable."""
        with self._lock:
            if self._store is None and self.error is None:
                try:
                    from collectsim.store import Store

                    self._store = Store.open(self.location)
                except Exception as exc:  # a bad URL, a locked or newer database, no driver
                    self.error = f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc)
            return self._store

    @property
    def where(self) -> str:
        return self._store.display_url if self._store is not None else (self.location or "")

    def on_write_error(self, report: Callable[[str], None]) -> None:
        """Where a failed write is reported (the app notifies the trainee)."""
        self._write_error = report

    def close(self) -> None:
        self._writer.shutdown(wait=True)
        with self._lock:
            if self._store is not None:
                self._store.close()

    # --- recording (all on the writer thread, in order) ----------------------------------------

    def _write(self, job: Callable[[], T]) -> Future[T]:
        def run() -> T:
            try:
                return job()
            except Exception as exc:
                if self._write_error is not None:
                    self._write_error(f"{type(exc).__name__}: {exc}")
                raise

        return self._writer.submit(run)

    def start(self, attempt: Attempt, trainee: str) -> Future[Any]:
        """Start recording the attempt: its turns so far now, every later one as it comes."""

        def job() -> Any:
            store = self.store()
            if store is None or attempt.recorder is not None:
                return attempt.recorder
            from collectsim.store import Recorder

            attempt.recorder = Recorder.start(
                store, attempt.session, trainee=trainee or fallback_trainee(), mode=attempt.mode
            )
            return attempt.recorder

        return self._write(job)

    def flush(self, attempt: Attempt) -> Future[None]:
        """Commit the turns the attempt made since the last commit."""

        def job() -> None:
            if attempt.recorder is not None:
                attempt.recorder.flush()

        return self._write(job)

    def finish(self, attempt: Attempt, card: Any) -> bool:
        """Close the recorded attempt with its scorecard; waits for the writer (call from a
        worker). False when the attempt was not recorded."""

        def job() -> bool:
            rec = attempt.recorder
            if rec is None:
                return False
            from collectsim.store import StoreError

            try:
                rec.finish(card)
            except StoreError:
                if rec.store.attempt(rec.attempt_id).finished:
                    return True  # already closed (scored twice): nothing lost
                raise
            return True

        try:
            return self._write(job).result()
        except Exception:
            return False

    def drain(self) -> None:
        """Wait until every write submitted so far is committed (tests, shutdown)."""
        self._writer.submit(lambda: None).result()

    # --- reads (from worker threads) -----------------------------------------------------------

    def home(self, trainee: str, library: Any) -> HomeData:
        store = self.store()
        name = trainee or fallback_trainee()
        if store is None:
            return HomeData(name)
        best: dict[str, int] = {}
        unfinished: list[Unfinished] = []
        for a in store.attempts(trainee=name, newest_first=True):
            if not a.finished:
                unfinished.append(
                    Unfinished(a.id, a.scenario, a.mode, a.turn_count, _local(a.started_at))
                )
            elif a.overall is not None:
                best[a.scenario] = max(best.get(a.scenario, a.overall), a.overall)
        suggestion = None
        if library is not None:
            try:
                from collectsim.proficiency import suggest_next

                suggestion = suggest_next(name, store, library)
            except Exception:  # a suggestion is a convenience: never break home for it
                suggestion = None
        return HomeData(name, best, tuple(unfinished), suggestion)

    def best_overall(self, trainee: str, scenario: str, *, before: int | None = None) -> int | None:
        """The trainee's best overall at a scenario, leaving out attempt `before` and later."""
        store = self.store()
        if store is None:
            return None
        scores = [
            a.overall
            for a in store.attempts(trainee=trainee or fallback_trainee(), scenario=scenario)
            if a.finished and a.overall is not None and (before is None or a.id < before)
        ]
        return max(scores) if scores else None

    def history(self, trainee: str) -> Any:
        store = self.store()
        if store is None:
            return None
        name = trainee or fallback_trainee()
        return store.history(name), store.attempts(trainee=name, newest_first=True)

    def summary(self, mode: str | None) -> Any:
        store = self.store()
        return None if store is None else store.summary(mode=mode)

    def stored(self, attempt_id: int) -> Any:
        store = self.store()
        return None if store is None else store.attempt(attempt_id)

    def score_stored(self, attempt_id: int, loaded: Loaded) -> None:
        """Score a cut-off call from its stored turns and close it (when it cannot be rebuilt)."""
        from collectsim.scoring import score

        store = self.store()
        if store is None:
            raise RuntimeError(self.error or "the records are not available")
        record = store.attempt(attempt_id).record()
        card = score(record, loaded)
        self._write(lambda: store.finish(attempt_id, record, card)).result()

    def resume(self, attempt_id: int, loaded: Loaded) -> Any:
        """An unfinished attempt's call rebuilt as a `Recorder` (raises `ResumeError`)."""
        store = self.store()
        if store is None:
            raise RuntimeError(self.error or "the records are not available")
        from collectsim.store import Recorder

        return Recorder.resume(store, attempt_id, loaded)

    def call_seconds(self, attempt_id: int) -> float:
        """How long the stored call had run (the timer of a resumed call counts on from it)."""
        store = self.store()
        return 0.0 if store is None else store.call_seconds(attempt_id)


def _local(when: Any) -> str:
    try:
        return when.astimezone().strftime("%Y-%m-%d %H:%M")
    except (AttributeError, ValueError, OSError):
        return str(when)
