"""A one-line input that submits on Enter in its own key handler, in order with typed keys.

As a binding, Enter would only run once the key had bubbled up to the app, after the field had
already taken in the keys typed after it (a fast typist, a pasted script, tmux), and "one⏎two⏎"
would arrive as "onetwo". Handled here, the keys after Enter go to what comes next.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class EnterInput(Input):
    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()
            return
        await super()._on_key(event)
