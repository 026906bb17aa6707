"""A single-line input that remembers what was sent; Up/Down walk back through it.

Enter is handled in the line's own key handler, in order with the other keys, and sending clears
the line at once: keys typed right after Enter (fast typists, pasted scripts, tmux) start the
next line. As a binding, Enter would only run once it had bubbled up to the app, after the line
had taken in the keys that followed it, and "one⏎two⏎" would be sent as "onetwo".

Pastes are joined into one line and clipped to ``max_length`` (Textual's Input would drop a
paste that does not fit entirely), with a notification saying so.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType

from collectsim.tui.widgets.enter_input import EnterInput


class HistoryInput(EnterInput):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Previous line", show=False),
        Binding("down", "history(1)", "Next line", show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.history: list[str] = []
        self._at = 0
        self._draft = ""

    async def action_submit(self) -> None:
        value = self.value
        self.post_message(self.Submitted(self, value, None))
        if value.strip():
            self.remember(value)
            self.value = ""

    def remember(self, text: str) -> None:
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
        self._at = len(self.history)
        self._draft = ""

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._at == len(self.history):
            self._draft = self.value
        self._at = max(0, min(len(self.history), self._at + step))
        self.value = self.history[self._at] if self._at < len(self.history) else self._draft
        self.cursor_position = len(self.value)

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        text = " ".join(event.text.splitlines())
        if not text:
            return
        start, end = sorted(self.selection)
        if self.max_length:
            room = self.max_length - (len(self.value) - (end - start))
            if len(text) > room:
                self.notify(
                    f"Pasted text clipped to {self.max_length:,} characters.", severity="warning"
                )
                text = text[: max(room, 0)]
        self.replace(text, start, end)
