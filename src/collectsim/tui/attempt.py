"""One attempt at a scenario as the TUI drives it: the engine session plus the script steps.

Everything the trainee does on screen goes through here and is written down in the script
vocabulary (`collectsim.script`), so an attempt can be exported and replayed with `play`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

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


class Attempt:
    """A `CallSession` that also keeps the steps taken, for export and for restarts."""

    def __init__(self, loaded: Loaded, seed: int = 0) -> None:
        from collectsim.engine import CallSession

        self.loaded = loaded
        self.seed = seed
        self.session: CallSession = CallSession(loaded, seed=seed)
        self.steps: list[str] = []
        self._prep_steps = 0

    @property
    def scenario_id(self) -> str:
        return self.loaded.scenario.id

    @property
    def connected(self) -> bool:
        return self.session.state.connected

    @property
    def ended(self) -> bool:
        return self.session.ended

    @property
    def turns(self) -> list[Turn]:
        return self.session.turns

    def record(self) -> CallRecord:
        return self.session.record()

    def act(self, action: str, arg: str = "") -> list[Turn]:
        """A `/action`; raises ValueError (with a message for the trainee) on a bad argument."""
        arg = script_safe(arg)
        turns = self.session.act(action, arg)
        if turns or action in {"wait", "hold"}:
            self.steps.append(f"/{action} {arg}".rstrip())
            if not self.connected:
                self._prep_steps = len(self.steps)
        return turns

    def connect(self) -> list[Turn]:
        return self.session.connect()

    def say(self, text: str, *, interrupted: bool = False) -> list[Turn]:
        """A spoken line; said over the debtor it is an `/interrupt`."""
        turns = self.session.say(text, interrupted=interrupted)
        line = script_safe(text)
        self.steps.append(f"/interrupt {line}" if interrupted else line)
        return turns

    def hang_up(self) -> list[Turn]:
        turns = self.session.hang_up()
        if turns:
            self.steps.append("/end")
        return turns

    def restarted(self, loaded: Loaded | None = None) -> Attempt:
        """A fresh attempt (with edited files, if given) that keeps this one's preparation."""
        fresh = Attempt(loaded or self.loaded, self.seed)
        from collectsim.script import parse_script

        for step in parse_script("\n".join(self.steps[: self._prep_steps])):
            if step.action is not None:
                fresh.act(step.action, step.text)
        return fresh

    def script(self, now: dt.datetime | None = None) -> str:
        """The attempt as a script file for ``collectsim play``."""
        stamp = (now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
        head = [
            f"# collectsim attempt at {self.scenario_id} (seed {self.seed}), {stamp}",
            f"# replay: collectsim play {self.scenario_id} --seed {self.seed} --script FILE",
        ]
        return "\n".join([*head, *self.steps]) + "\n"
