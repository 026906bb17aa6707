"""The call transcript: one row per turn, trainee, debtor and system turns styled apart.

A debtor's reply can be revealed word by word (`TurnView.reveal`) so the screen can show the
debtor speaking at a human pace; the full text is always what the engine recorded. A numbered
transcript (the scorecard's) shows each turn's number, the "line N" its findings point at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from collectsim.tui.text import clean, literal

if TYPE_CHECKING:
    from collectsim.transcript import Turn

SYSTEM_LABEL = "·"
#: Most of one turn shown in the transcript; the record keeps the whole line.
TURN_LIMIT = 800


class TurnView(Horizontal):
    """One turn: a speaker column and the words, wrapped beside it."""

    def __init__(self, turn: Turn, who: str, *, numbered: bool = False) -> None:
        super().__init__(classes=f"turn -{turn.speaker}", id=f"turn-{turn.n}")
        self.turn = turn
        self.who = who
        self.numbered = numbered
        self.full = clean(turn.text, limit=TURN_LIMIT)
        self.shown = len(self.full)
        self.cut = False

    def compose(self):
        room = 7 if self.numbered else 9
        who = self.who if len(self.who) <= room else self.who[: room - 1] + "…"
        if self.numbered:
            yield Static(str(self.turn.n), classes="n")
        yield Static(literal(who, one_line=True), classes="who")
        yield Static(self._content(), classes="said")

    def _content(self) -> Content:
        spoken = Content(self.full[: self.shown])
        if self.turn.speaker == "system":
            spoken = spoken.stylize("italic")
        if self.cut:
            rest = self.full[self.shown :]
            return Content.assemble(
                spoken, (rest, "strike $foreground-muted"), (" — cut off", "$warning")
            )
        if self.shown < len(self.full):
            return Content.assemble(spoken, (" …", "$foreground-muted"))
        return spoken

    def reveal(self, chars: int) -> None:
        """Show the first ``chars`` characters (the rest is still being said)."""
        self.shown = max(0, min(chars, len(self.full)))
        self.set_class(self.shown < len(self.full), "-speaking")
        self.query_one(".said", Static).update(self._content())

    def cut_off(self) -> None:
        """The trainee talked over the rest: show it struck through."""
        self.cut = self.shown < len(self.full)
        self.remove_class("-speaking")
        self.query_one(".said", Static).update(self._content())


class Transcript(VerticalScroll, can_focus=True):
    """A scrolling list of `TurnView`s; `highlight(n)` brings turn n into view."""

    def __init__(
        self,
        debtor_name: str = "Debtor",
        *,
        numbered: bool = False,
        turns: list[Turn] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        #: Turns laid out with the transcript itself (a finished call), so a line can be
        #: scrolled to as soon as the screen is shown.
        self._initial = list(turns or ())
        self.debtor_name = debtor_name.split()[0] if debtor_name.strip() else "Debtor"
        self.numbered = numbered
        self.set_class(numbered, "-numbered")
        #: Keep the last turn in view when the transcript is resized (the live call).
        self.follow = False

    def on_resize(self) -> None:
        if self.follow:
            self.scroll_end(animate=False)

    def compose(self):
        for t in self._initial:
            yield TurnView(t, self.who(t), numbered=self.numbered)

    def who(self, turn: Turn) -> str:
        if turn.speaker == "trainee":
            return "You"
        if turn.speaker == "debtor":
            return self.debtor_name
        return SYSTEM_LABEL

    def add_turn(self, turn: Turn, *, hidden: bool = False) -> TurnView:
        """Append a turn; ``hidden`` starts it with no words shown (to be revealed)."""
        view = TurnView(turn, self.who(turn), numbered=self.numbered)
        if hidden:
            view.shown = 0
            view.add_class("-speaking")
        self.mount(view)
        self.scroll_end(animate=False)
        return view

    def set_turns(self, turns: list[Turn]) -> None:
        self.remove_children()
        self.mount_all([TurnView(t, self.who(t), numbered=self.numbered) for t in turns])
        self.scroll_end(animate=False)

    def highlight(self, n: int | None) -> None:
        for view in self.query(TurnView):
            view.set_class(view.turn.n == n, "-highlight")
        if n is None:
            return
        target = next((v for v in self.query(TurnView) if v.turn.n == n), None)
        if target is not None:
            self.scroll_to_widget(target, animate=False, center=True)
