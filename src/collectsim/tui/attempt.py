"""One attempt at a scenario as the TUI drives it: the engine session, its mode and its record.

Everything the trainee does on screen goes to the engine here. After each step the app's hook
(`on_turns`) hands the new turns to the records writer (`collectsim.tui.records`), so the call
is in the store turn by turn. The steps are read back from the turns in the script vocabulary
(`collectsim.script`), so any attempt, live, resumed or stored, exports as a script that
`collectsim play` replays exactly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from collectsim.models import outcome_id
from collectsim.tui.text import script_safe

if TYPE_CHECKING:
    from collectsim.engine import CallSession
    from collectsim.models import Loaded
    from collectsim.transcript import CallRecord, Turn

#: Outcomes the briefing asks a plan for, with the words the trainee sees.
PLAN_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("paid_in_full", "They pay in full"),
    ("payment_plan", "They ask for a plan"),
    ("dispute", "They dispute the debt"),
    ("no_agreement", "They refuse"),
)
PRACTICE = "practice"
ASSESSMENT = "assessment"

_PLAN = re.compile(r"^Plan if (?P<outcome>[^:]+): (?P<text>.*)$", re.S)
_SIMPLE = {
    "send_documents": "/send-documents",
    "check_payments": "/check-payments",
    "wait": "/wait",
    "hold": "/hold",
    "call_start": "/call",
    "call_end": "/end",
}


def script_lines(turns: Iterable[Turn]) -> list[str]:
    """The trainee's steps that made these turns, one script line each.

    Dialling is `/call` (so a note taken after dialling, before speaking, replays in its
    place) and a spoken line that a script would read as an action or a comment is `/say`.
    """
    out: list[str] = []
    for t in turns:
        if t.speaker == "trainee":
            text = script_safe(t.text)
            if "interruption" in t.events:
                out.append(f"/interrupt {text}")
            elif text.startswith(("/", "#")):
                out.append(f"/say {text}")
            else:
                out.append(text)
        elif t.speaker == "system":
            if t.kind == "note":
                out.append(f"/note {script_safe(t.text)}")
            elif t.kind == "decide" and t.text.startswith("Decision: "):
                out.append(f"/decide {t.text.removeprefix('Decision: ')}")
            elif t.kind == "plan" and (m := _PLAN.match(t.text)):
                out.append(f"/plan {outcome_id(m['outcome'])}: {script_safe(m['text'])}")
            elif t.kind in _SIMPLE:
                out.append(_SIMPLE[t.kind])
    return out


def script_text(
    scenario_id: str, seed: int, turns: Iterable[Turn], now: dt.datetime | None = None
) -> str:
    """An attempt as a script file for ``collectsim play``."""
    stamp = (now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    head = [
        f"# collectsim attempt at {scenario_id} (seed {seed}), {stamp}",
        f"# replay: collectsim play {scenario_id} --seed {seed} --script FILE",
    ]
    return "\n".join([*head, *script_lines(turns)]) + "\n"


class Attempt:
    """A `CallSession` with its mode, and (once recording starts) its `Recorder`."""

    def __init__(
        self,
        loaded: Loaded,
        seed: int = 0,
        *,
        mode: str = PRACTICE,
        session: CallSession | None = None,
        recorder: Any = None,
    ) -> None:
        from collectsim.engine import CallSession

        self.loaded = loaded
        self.seed = seed
        self.mode = mode
        self.session: CallSession = session or CallSession(loaded, seed=seed)
        #: Set by the records writer when recording starts; None while unrecorded.
        self.recorder: Any = recorder
        #: Seconds the call had already run before this session (a resumed call's timer).
        self.elapsed_before: float = 0.0
        #: Called after every step that may have added turns (the app commits them).
        self.on_turns: Callable[[Attempt], object] | None = None

    @classmethod
    def resumed(cls, recorder: Any, mode: str) -> Attempt:
        session = recorder.session
        return cls(session.loaded, session.seed, mode=mode, session=session, recorder=recorder)

    @property
    def scenario_id(self) -> str:
        return self.loaded.scenario.id

    @property
    def assessment(self) -> bool:
        return self.mode == ASSESSMENT

    @property
    def attempt_id(self) -> int | None:
        return self.recorder.attempt_id if self.recorder is not None else None

    @property
    def connected(self) -> bool:
        return self.session.state.connected

    @property
    def ended(self) -> bool:
        return self.session.ended

    @property
    def turns(self) -> list[Turn]:
        return self.session.turns

    @property
    def steps(self) -> list[str]:
        return script_lines(self.session.turns)

    def record(self) -> CallRecord:
        return self.session.record()

    def _done(self, turns: list[Turn]) -> list[Turn]:
        if turns and self.on_turns is not None:
            self.on_turns(self)
        return turns

    def _step(self, run: Callable[[], list[Turn]]) -> list[Turn]:
        """Run one engine step and commit its turns. If the engine fails part way, the turns
        it had already added (dialling, the trainee's line) are committed before the error
        goes on to the caller, so the records never miss a turn the session holds."""
        before = len(self.session.turns)
        try:
            turns = run()
        except Exception:
            if len(self.session.turns) > before and self.on_turns is not None:
                with contextlib.suppress(Exception):  # the engine's error is the one to report
                    self.on_turns(self)
            raise
        return self._done(turns)

    def act(self, action: str, arg: str = "") -> list[Turn]:
        """A `/action`; raises ValueError (with a message for the trainee) on a bad argument."""
        return self._step(lambda: self.session.act(action, script_safe(arg)))

    def connect(self) -> list[Turn]:
        """Dial: the debtor picks up (`/call`)."""
        return self._step(self.session.connect)

    def say(self, text: str, *, interrupted: bool = False) -> list[Turn]:
        """A spoken line; said over the debtor it is an `/interrupt`. The line is kept as one
        clean line of text, exactly as the script will have it."""
        return self._step(lambda: self.session.say(script_safe(text), interrupted=interrupted))

    def hang_up(self) -> list[Turn]:
        return self._step(self.session.hang_up)

    def restarted(self, loaded: Loaded | None = None) -> Attempt:
        """A fresh attempt (with edited files, if given) that keeps this one's preparation."""
        fresh = Attempt(loaded or self.loaded, self.seed, mode=self.mode)
        from collectsim.script import parse_script

        prep = [t for t in self.turns if not t.in_call and t.kind not in ("call_start", "call_end")]
        for step in parse_script("\n".join(script_lines(prep))):
            if step.action is not None:
                fresh.act(step.action, step.text)
        return fresh

    def script(self, now: dt.datetime | None = None) -> str:
        """The attempt as a script file for ``collectsim play``."""
        return script_text(self.scenario_id, self.seed, self.turns, now)


class StoredAttempt:
    """A recorded attempt (a `collectsim.store.Attempt`) as the scorecard screen shows it."""

    def __init__(self, stored: Any, loaded: Loaded | None) -> None:
        self.stored = stored
        self.loaded = loaded
        self.seed = stored.seed
        self.mode = stored.mode
        self.attempt_id = stored.id

    @property
    def scenario_id(self) -> str:
        return self.stored.scenario

    @property
    def assessment(self) -> bool:
        return self.mode == ASSESSMENT

    @property
    def turns(self) -> list[Turn]:
        return list(self.stored.turns)

    @property
    def ended(self) -> bool:
        return True

    def record(self) -> CallRecord:
        return self.stored.record()

    def script(self, now: dt.datetime | None = None) -> str:
        return script_text(self.scenario_id, self.seed, self.turns, now)

    def card(self) -> Any:
        """The stored scorecard with the attributes the screen reads; None if not scored."""
        from types import SimpleNamespace as NS

        if not self.stored.scores:
            return None
        findings = tuple(
            NS(
                dimension=f.get("dimension", ""),
                criterion=f.get("criterion", ""),
                points=int(f.get("points", 0)),
                turn=f.get("turn"),
                evidence=f.get("evidence"),
                tip=f.get("tip"),
                id=f.get("id"),
            )
            for f in self.stored.findings
        )
        flags = tuple(
            NS(
                kind=f.get("kind", ""),
                turn=f.get("turn"),
                text=f.get("text", ""),
                critical=bool(f.get("critical")),
            )
            for f in self.stored.flags
        )
        return NS(scores=dict(self.stored.scores), flags=flags, findings=findings)

    def error(self) -> str | None:
        return None if self.stored.scores else "this attempt was not scored"

    def brief(self) -> dict[str, Any]:
        """What the scorecard needs of a briefing when the scenario is no longer in the library."""
        return {
            "title": self.scenario_id,
            "success": [],
            "debtor": {"name": "Debtor"},
        }
