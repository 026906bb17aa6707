"""Recording a call while it is played, and picking a cut-off call up again.

`Recorder` wraps a `CallSession`: every line or action goes to the session, and the turns it
produced are committed before the method returns. A TUI calls `say`/`act` on the recorder
instead of the session; `play` records a finished record in one go instead (see cli_records).

Resuming replays the stored trainee steps on a fresh session with the same seed. The engine is
deterministic, so this rebuilds the call exactly, as long as the scenario files and the engine
still behave the same: the content hash and every replayed turn are checked against the store.
"""

from __future__ import annotations

from typing import Any

from collectsim.engine import CallSession
from collectsim.models import Loaded
from collectsim.script import run_steps
from collectsim.store.db import StoreError
from collectsim.store.store import Store
from collectsim.transcript import CallRecord, Turn


class ResumeError(StoreError):
    """The stored call cannot be rebuilt exactly (its scenario or the engine changed)."""


class Recorder:
    """A call session whose turns are committed to the store as they happen."""

    def __init__(self, store: Store, attempt_id: int, session: CallSession, committed: int = 0):
        self.store = store
        self.attempt_id = attempt_id
        self.session = session
        self._committed = committed

    @classmethod
    def start(
        cls, store: Store, session: CallSession, *, trainee: str, mode: str = "practice"
    ) -> Recorder:
        loaded = session.loaded
        attempt_id = store.start_attempt(
            trainee=trainee,
            scenario=loaded.scenario.id,
            content_hash=loaded.content_hash,
            seed=session.seed,
            mode=mode,
            source=loaded.source,
        )
        rec = cls(store, attempt_id, session)
        rec.flush()
        return rec

    @classmethod
    def resume(
        cls, store: Store, attempt_id: int, loaded: Loaded, *, check_hash: bool = True
    ) -> Recorder:
        """The unfinished attempt's call rebuilt, ready to continue where it stopped."""
        attempt = store.attempt(attempt_id)
        if attempt.finished:
            raise ResumeError(f"attempt {attempt_id} is finished; only unfinished ones resume")
        if attempt.scenario != loaded.scenario.id:
            raise ResumeError(
                f"attempt {attempt_id} is scenario '{attempt.scenario}', "
                f"not '{loaded.scenario.id}'"
            )
        if check_hash and attempt.content_hash and attempt.content_hash != loaded.content_hash:
            raise ResumeError(
                f"the files of scenario '{attempt.scenario}' changed since attempt {attempt_id} "
                "was recorded, so the call cannot be rebuilt exactly"
            )
        session = CallSession(loaded, seed=attempt.seed)
        run_steps(session, attempt.steps())
        _check_same(attempt_id, attempt.turns, session.turns)
        return cls(store, attempt_id, session, committed=len(attempt.turns))

    # --- driving: the CallSession's own methods, recorded ------------------------------------

    def say(self, text: str, **kwargs: Any) -> list[Turn]:
        return self._recorded(self.session.say(text, **kwargs))

    def act(self, action: str, arg: str = "") -> list[Turn]:
        return self._recorded(self.session.act(action, arg))

    def hang_up(self) -> list[Turn]:
        return self._recorded(self.session.hang_up())

    @property
    def ended(self) -> bool:
        return self.session.ended

    def flush(self) -> None:
        """Commit the turns the session made since the last commit (one transaction)."""
        new = self.session.turns[self._committed :]
        if new:
            self.store.add_turns(self.attempt_id, new)
            self._committed += len(new)

    def finish(self, scorecard: Any = None) -> CallRecord:
        """Close the attempt with the call as it stands and its scorecard (score it first from
        `session.record()`); hang up first for a completed call."""
        self.flush()
        record = self.session.record()
        self.store.finish(self.attempt_id, record, scorecard)
        return record

    def _recorded(self, out: list[Turn]) -> list[Turn]:
        # Commit whatever the session appended, even turns a method did not return.
        self.flush()
        return out


def _check_same(attempt_id: int, stored: tuple[Turn, ...], replayed: list[Turn]) -> None:
    for i, old in enumerate(stored):
        new = replayed[i] if i < len(replayed) else None
        if new is None or (new.speaker, new.text) != (old.speaker, old.text):
            raise ResumeError(
                f"attempt {attempt_id} replays differently from turn {old.n} on "
                "(the scenario or the engine changed)"
            )
    if len(replayed) > len(stored):
        raise ResumeError(
            f"attempt {attempt_id} replays to more turns than were stored "
            "(the scenario or the engine changed)"
        )
