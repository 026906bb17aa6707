"""A one-line input that moves focus to the next field on Enter, while the key is handled.

Moving focus in the `Submitted` handler instead would let keys typed right after Enter land
in the old field.
"""

from __future__ import annotations

from textual.widgets import Input


class PlanInput(Input):
    async def action_submit(self) -> None:
        await super().action_submit()
        self.screen.focus_next()
