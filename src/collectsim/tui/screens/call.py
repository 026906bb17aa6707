"""The call: the transcript, the line you say next, notes, the case file at hand and a timer.

The engine answers at once; this screen reveals the debtor's reply word by word at
``pace`` seconds a word, so the debtor is visibly *speaking*. Sending a line during that time
is an interruption: the rest of the reply is struck through and the line goes to the engine
as ``say(text, interrupted=True)`` (``/interrupt`` in the exported script).
"""

from __future__ import annotations

import logging
import re
import traceback
from collections import deque
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.timer import Timer
from textual.widgets import Button, ContentSwitcher, Footer, Input, Static

from collectsim.tui.messages import CallEnded
from collectsim.tui.text import SHOW_LIMIT, literal
from collectsim.tui.widgets.call_timer import CallTimer
from collectsim.tui.widgets.casefile import CaseFile
from collectsim.tui.widgets.coach import CoachPanel
from collectsim.tui.widgets.history_input import HistoryInput
from collectsim.tui.widgets.transcript import Transcript, TurnView

if TYPE_CHECKING:
    from collectsim.transcript import Turn
    from collectsim.tui.attempt import Attempt

log = logging.getLogger(__name__)

#: Longest line the trainee can send: far more than anyone says in one breath, and it keeps a
#: pasted document from flooding the transcript.
MAX_LINE = SHOW_LIMIT
COMMANDS = [
    "/note ",
    "/wait",
    "/hold",
    "/send-documents",
    "/check-payments",
    "/plan ",
    "/interrupt ",
    "/say ",
    "/end",
]
SIDE_TITLES = {"notes": "Notes", "side-casefile": "Case file", "coach": "Coach"}
_WORD_ENDS = re.compile(r"\S+\s*")


class CallScreen(Screen):
    CSS_PATH = "../call.tcss"  # loaded when the screen is first shown
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "side('side-casefile')", "Case file"),
        Binding("f3", "coach", "Coach"),
        Binding("f4", "notes", "Notes"),
        Binding("f9", "hang_up", "Hang up"),
        # Once the call is over F9 hangs up nothing: it (and Enter) opens the scorecard.
        Binding("enter,f9", "scorecard", "Scorecard"),
    ]

    speaking: reactive[bool] = reactive(False)

    def __init__(
        self, attempt: Attempt, brief: dict[str, Any], *, pace: float, coach: bool, clock: Any
    ) -> None:
        super().__init__()
        self.attempt = attempt
        self.brief = brief
        self.pace = pace
        self.coach = coach
        self.clock = clock
        self._queue: deque[Turn] = deque()
        self._current: TurnView | None = None
        self._ends: list[int] = []
        self._word = 0
        self._ticker: Timer | None = None
        self._finished = False

    # --- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        d = self.brief["debtor"]
        who = d["name"] + (f", {d['company']}" if d.get("company") else "")
        with Horizontal(id="call-bar", classes="title-bar"):
            yield Static(
                Content.assemble(("● ", "$success"), literal(who, "bold", one_line=True, limit=80)),
                id="call-who",
            )
            if self.attempt.assessment:
                yield Static(
                    Content(" ASSESSMENT ").stylize("bold $background on $warning"), id="call-mode"
                )
            yield Static("", id="call-state")
            yield CallTimer(self.clock, id="timer")
            yield Button("Hang up", id="hang-up", variant="error", compact=True)
        with Horizontal(id="call-body"):
            yield Transcript(self.brief.get("speaker") or d["name"], id="transcript")
            with Vertical(id="side"):
                yield Static("Notes", id="side-title")
                with ContentSwitcher(initial="notes", id="side-switch"):
                    with Vertical(id="notes"):
                        with VerticalScroll(id="notes-scroll"):
                            yield Static("", id="notes-list")
                        yield Input(
                            placeholder="Add a note, Enter to save",
                            id="note-input",
                            compact=True,
                            max_length=MAX_LINE,
                        )
                    yield CaseFile(self.brief, tabs=False, id="side-casefile")
                    yield CoachPanel(id="coach")
        yield HistoryInput(
            placeholder="Say something and press Enter  (/note /wait /hold /end)",
            id="line",
            max_length=MAX_LINE,
            suggester=SuggestFromList(COMMANDS, case_sensitive=False),
        )
        yield Button("See your scorecard", id="to-scorecard", variant="primary", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        transcript = self.query_one(Transcript)
        transcript.set_turns(list(self.attempt.turns))
        transcript.follow = True  # the latest line stays in view, also when the terminal shrinks
        self.query_one("#to-scorecard").display = False
        self._show_notes()
        if self.coach:
            self.action_side("coach")
        self.query_one("#line").focus()
        self.query_one(CallTimer).start(self.attempt.elapsed_before)
        before = len(self.attempt.turns)
        try:
            turns = self.attempt.connect()
        except Exception:
            self._engine_failed(before)
            return
        self._play(turns)
        self.call_after_refresh(self._update_state)  # a resumed call has no reply to reveal

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "coach":
            return not self.attempt.assessment  # no coach view in an assessment: not in the footer
        if action == "scorecard":
            return self.attempt.ended
        if action == "hang_up":
            return not self.attempt.ended
        return True

    def action_coach(self) -> None:
        if not self.attempt.assessment:
            self.app.action_toggle_coach()  # type: ignore[attr-defined]

    def action_scorecard(self) -> None:
        if self.attempt.ended:
            self._to_scorecard()

    # --- playing turns at speaking pace ----------------------------------------------------------

    def _play(self, turns: list[Turn]) -> None:
        self._queue.extend(turns)
        if self._current is None:
            self._next()

    def _next(self) -> None:
        transcript = self.query_one(Transcript)
        while self._queue:
            turn = self._queue.popleft()
            if turn.speaker == "debtor" and self.pace > 0:
                view = transcript.add_turn(turn, hidden=True)
                self._current = view
                self._ends = [m.end() for m in _WORD_ENDS.finditer(view.full)] or [len(view.full)]
                self._word = 0
                self.speaking = True
                self._ticker = self.set_interval(self.pace, self._tick)
                return
            transcript.add_turn(turn)
        self._current = None
        self.speaking = False
        self._after_turns()

    def _tick(self) -> None:
        view = self._current
        if view is None:
            return
        view.reveal(self._ends[self._word])
        self.query_one(Transcript).scroll_end(animate=False)
        self._word += 1
        if self._word >= len(self._ends):
            self._stop_ticker()
            view.reveal(len(view.full))
            self._current = None
            self._next()

    def _stop_ticker(self) -> None:
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    def _finish_speaking(self, *, cut: bool) -> None:
        """End the reveal now: cut off by the trainee, or simply shown in full."""
        self._stop_ticker()
        if self._current is not None:
            if cut:
                self._current.cut_off()
            else:
                self._current.reveal(len(self._current.full))
            self._current = None
        pace, self.pace = self.pace, 0
        try:
            self._next()
        finally:
            self.pace = pace

    def _after_turns(self) -> None:
        if self.attempt.ended and not self._finished:
            self._finished = True
            self.query_one(CallTimer).stop()
            line = self.query_one("#line", HistoryInput)
            line.display = False
            self.query_one("#hang-up", Button).display = False  # nobody left to hang up on
            button = self.query_one("#to-scorecard", Button)
            button.display = True
            # Focus after the layout has hidden the line: focusing at once could be undone when
            # the hidden line gives up focus, leaving the screen with no focus at all.
            self.call_after_refresh(button.focus)
            self.refresh_bindings()
        self._update_state()
        if self.coach:
            self._score(self.attempt.record())

    def watch_speaking(self) -> None:
        self._update_state()

    def _update_state(self) -> None:
        if not self.is_mounted:
            return
        first = self.query_one(Transcript).debtor_name
        state = self.query_one("#call-state", Static)
        if self.attempt.ended:
            state.update(Content("Call ended").stylize("$foreground-muted"))
        elif self.speaking:
            state.update(Content(f"{first} is speaking…").stylize("$warning"))
        elif self._said_goodbye():
            state.update(Content(f"{first} said goodbye · F9 hangs up").stylize("$accent"))
        else:
            state.update(Content("Your turn").stylize("$foreground-muted"))
        self.set_class(self.speaking, "-speaking")
        line = self.query_one("#line", HistoryInput)
        line.placeholder = (
            f"{first} is speaking: sending now interrupts"
            if self.speaking
            else "Say something and press Enter  (/note /wait /hold /end)"
        )
        self.set_class(self.attempt.ended, "-ended")

    def _said_goodbye(self) -> bool:
        debtor = [t for t in self.attempt.turns if t.speaker == "debtor"]
        return bool(debtor) and "goodbye" in debtor[-1].tags

    # --- what the trainee does --------------------------------------------------------------------

    @on(Input.Submitted, "#line")
    def _send(self, event: Input.Submitted) -> None:
        text = event.value  # HistoryInput has already cleared and remembered it
        if not text.strip():
            return
        if text.lstrip().startswith("/"):
            self._command(text.strip())
        else:
            self.say(text)

    def say(self, text: str, *, interrupt: bool | None = None) -> None:
        """Say a line; over a speaking debtor (or when asked) it is an interruption."""
        if self.attempt.ended:
            return
        interrupted = self.speaking if interrupt is None else interrupt
        if self.speaking:
            self._finish_speaking(cut=True)
        before = len(self.attempt.turns)
        try:
            turns = self.attempt.say(text, interrupted=interrupted)
        except Exception:
            self._engine_failed(before, text)
            return
        self._play(turns)

    def _engine_failed(self, before: int, text: str = "") -> None:
        """The engine raised on one step: log it, say so briefly, and keep the call going.

        The turns the engine added before it failed are shown (the records already have them,
        see `Attempt`); a line it never took is put back on the input to send again.
        """
        added = self._kept_after_failure(before, f"on {text!r}")
        taken = any(t.speaker == "trainee" for t in added)
        if text and not taken:
            line = self.query_one("#line", HistoryInput)
            if not line.value:
                line.value = text
                line.cursor_position = len(text)
        what = "that line" if text else "that action"
        again = "Your line is back in the box to send again. " if text and not taken else ""
        self.notify(
            f"Something went wrong in the simulator with {what}. {again}The call goes on.",
            title="Simulator error",
            severity="error",
            markup=False,
        )
        self._update_state()

    def _kept_after_failure(self, before: int, what: str) -> list[Turn]:
        """Log the engine's failure on `what` and show the turns it added before failing (the
        records already have them, see `Attempt`); returns those turns."""
        log.exception("the engine failed %s", what)
        self.log.error(f"the engine failed {what}:\n{traceback.format_exc()}")
        added = list(self.attempt.turns[before:])
        if added:
            self._play(added)
        return added

    def _command(self, text: str) -> None:
        name, _, arg = text[1:].partition(" ")
        name = name.lower()
        if name == "end":
            self.action_hang_up()
        elif name == "interrupt":
            if arg.strip():
                self.say(arg, interrupt=True)
        elif name == "say":  # a line that starts with '/' said as it is
            if arg.strip():
                self.say(arg)
        elif name in ("note", "plan", "send-documents", "check-payments", "wait", "hold"):
            self.act(name, arg)
        else:
            known = " ".join(c.strip() for c in COMMANDS)
            self.notify(f"Unknown action /{name}. Known: {known}", severity="warning", markup=False)

    def act(self, action: str, arg: str = "") -> None:
        if self.attempt.ended:
            return
        if action in ("wait", "hold") and self.speaking:
            self._finish_speaking(cut=False)
        before = len(self.attempt.turns)
        try:
            turns = self.attempt.act(action, arg)
        except ValueError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        except Exception:
            self._engine_failed(before)
            return
        if action == "note":
            self._show_notes()
        self._play(turns)

    def _show_notes(self) -> None:
        notes = self.attempt.session.notes
        body = (
            Content("\n").join(
                Content.assemble(("• ", "$accent"), literal(n, limit=400)) for n in notes
            )
            if notes
            else Content("Notes you take are kept with the call.").stylize("$foreground-muted")
        )
        self.query_one("#notes-list", Static).update(body)
        self.query_one("#notes-scroll", VerticalScroll).scroll_end(animate=False)

    @on(Input.Submitted, "#note-input")
    def _note(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.act("note", event.value)
        event.input.value = ""
        self._back_to_line()  # a note is jotted down mid-call: the next thing is to speak

    def _back_to_line(self) -> None:
        line = self.query_one("#line", HistoryInput)
        if line.display:
            line.focus()

    def action_hang_up(self) -> None:
        if self.attempt.ended:
            self._to_scorecard()
            return
        if self.speaking:
            self._finish_speaking(cut=True)
        before = len(self.attempt.turns)
        try:
            turns = self.attempt.hang_up()
        except Exception:
            self._hang_up_failed(before)
            return
        self._play(turns)
        self._to_scorecard()

    def _hang_up_failed(self, before: int) -> None:
        """The engine raised while hanging up. The turns it made are kept (see `Attempt`) and
        the record stays unfinished, so nothing is scored or closed on a half-ended call. If the
        session still runs, the call goes on (F9 tries again); if it is half ended, the trainee
        goes home, where the call waits under Unfinished to resume or score."""
        self._kept_after_failure(before, "hanging up")
        recorded = self.attempt.recorder is not None
        kept = "It is kept, unfinished" if recorded else "It was not recorded"
        if self.attempt.ended:
            message = (
                "Something went wrong in the simulator while hanging up. "
                f"The call could not be scored. {kept}: resume it or score it from Home."
            )
            self.app.call_later(self.app.action_home)  # type: ignore[attr-defined]
        else:
            message = (
                "Something went wrong in the simulator while hanging up. The call is still on: "
                "F9 tries again, or leave it for Home, where it waits under Unfinished."
            )
        self.notify(message, title="Simulator error", severity="error", markup=False, timeout=10)
        self._update_state()

    def _to_scorecard(self) -> None:
        self.post_message(CallEnded(self.attempt))

    @on(Button.Pressed, "#hang-up")
    def _hang_up_pressed(self) -> None:
        self.action_hang_up()

    @on(Button.Pressed, "#to-scorecard")
    def _scorecard_pressed(self) -> None:
        self._to_scorecard()

    # --- side panel ------------------------------------------------------------------------------

    def action_side(self, which: str) -> None:
        switch = self.query_one("#side-switch", ContentSwitcher)
        if which == "coach" and self.attempt.assessment:
            which = "notes"  # never the live scorecard in an assessment
        if switch.current == which and which != "notes":
            which = "coach" if self.coach and which != "coach" else "notes"
        switch.current = which
        self.query_one("#side-title", Static).update(SIDE_TITLES[which])
        if which == "coach":
            self._score(self.attempt.record())

    def action_notes(self) -> None:
        self.action_side("notes")
        self.query_one("#note-input").focus()

    def set_coach(self, on: bool) -> None:
        """Attribute down from the app when the coach view is switched."""
        self.coach = on and not self.attempt.assessment
        self.action_side("coach" if self.coach else "notes")

    @work(thread=True, exclusive=True, group="coach")
    def _score(self, record: Any) -> None:
        try:
            from collectsim.scoring import score

            card = score(record, self.attempt.loaded)
        except Exception as exc:  # the coach is an aid: show why, never end the call
            self.app.call_from_thread(self.query_one(CoachPanel).show_error, f"No score: {exc}")
            return
        self.app.call_from_thread(self.query_one(CoachPanel).show, card)
