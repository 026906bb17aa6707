"""Command-palette entries (Ctrl+P): new call or assessment, pick a scenario, history, the team
view, coach view, export, reload."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from collectsim.tui.text import clean

if TYPE_CHECKING:
    from collectsim.tui.app import CollectsimApp


class CollectsimCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = cast("CollectsimApp", self.app)
        out: list[tuple[str, str, Callable[[], object]]] = [
            ("New call", "start this scenario again from the briefing", app.action_new_call),
            (
                "New assessment",
                "one recorded attempt, no coach view: it counts for progress and the team view",
                app.action_new_assessment,
            ),
            ("History", "your attempts per scenario: best, last, trends", app.action_history),
            (
                "Team view",
                "for trainers: every trainee's attempts, averages, best and most lost criteria",
                app.action_team,
            ),
            ("Toggle coach view", "show the live scorecard during calls", app.action_toggle_coach),
            (
                "Export script",
                "save this attempt as a script for `collectsim play`",
                app.action_export_script,
            ),
            ("Reload library", "read the scenario and persona files again", app.action_reload),
            ("Library problems", "files that did not validate", app.action_problems),
            ("Home", "the scenario list", app.action_home),
            ("Help", "how a call works, keys, the scorecard", app.action_help),
        ]
        for row in app.scenario_rows():
            # The palette parses names and help as markup: YAML text must be escaped.
            title = escape(clean(row.title, one_line=True, limit=120))
            kind = escape(clean(row.persona_type, one_line=True, limit=60))
            out.append(
                (
                    f"Scenario: {title}",
                    f"{kind} · {row.difficulty}",
                    partial(app.open_briefing, row.id),
                )
            )
        return out

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            if not name.startswith("Scenario: "):
                yield DiscoveryHit(Content(name), callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
