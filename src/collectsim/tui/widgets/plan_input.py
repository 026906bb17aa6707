"""A one-line input that moves focus to the next field on Enter, while the key is handled.

Enter is handled in the field's own key handler, in order with the keys before and after it:
as a binding it would only run once the key had bubbled up to the app, after the field had
already taken in the keys typed after it (a fast typist, a pasted script, tmux). Keys that were
already on their way to this field when Enter moved the focus on are passed to the field that
has the focus now, so "one⏎two⏎" fills two fields, never "onetwo" in one.
"""

from __future__ import annotations

from textual import events

from collectsim.tui.widgets.enter_input import EnterInput


class PlanInput(EnterInput):
    async def _on_key(self, event: events.Key) -> None:
        focused = self.screen.focused
        if focused is not None and focused is not self:
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))
            return
        await super()._on_key(event)

    async def action_submit(self) -> None:
        await super().action_submit()
        self.screen.focus_next()
