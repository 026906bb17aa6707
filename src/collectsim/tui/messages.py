"""Messages the screens send up to the app, which owns navigation, the library and progress."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from collectsim.tui.attempt import Attempt


class LibraryLoaded(Message):
    """A (re)load finished; ``library`` is None when loading itself failed."""

    def __init__(self, library: Any, error: str | None, reload: bool) -> None:
        super().__init__()
        self.library = library
        self.error = error
        self.reload = reload


class HomeShown(Message):
    """Home is on screen again (back from a call, a briefing, the history): read the records
    again, so a call left unfinished is offered to resume and best scores are current."""


class ScenarioChosen(Message):
    """Open the briefing for a scenario."""

    def __init__(self, scenario_id: str) -> None:
        super().__init__()
        self.scenario_id = scenario_id


class StartCall(Message):
    def __init__(self, attempt: Attempt) -> None:
        super().__init__()
        self.attempt = attempt


class CallEnded(Message):
    """The call is over and the trainee wants the scorecard."""

    def __init__(self, attempt: Attempt) -> None:
        super().__init__()
        self.attempt = attempt


class Retry(Message):
    """Open the scenario's briefing again, in ``mode`` (an assessment starts a new one)."""

    def __init__(self, scenario_id: str, mode: str = "practice") -> None:
        super().__init__()
        self.scenario_id = scenario_id
        self.mode = mode


class NextScenario(Message):
    def __init__(self, scenario_id: str) -> None:
        super().__init__()
        self.scenario_id = scenario_id


class TraineeNamed(Message):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class RecordsReady(Message):
    """The records store was opened (``error`` says why not, and calls go unrecorded)."""

    def __init__(self, error: str | None) -> None:
        super().__init__()
        self.error = error


class RecordsProblem(Message):
    """A write to the records failed (sent from the writer thread)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class UnfinishedChosen(Message):
    """The trainee picked a call that was cut off: resume it or score it as it stands."""

    def __init__(self, attempt_id: int) -> None:
        super().__init__()
        self.attempt_id = attempt_id


class OpenAttempt(Message):
    """Show a recorded attempt's scorecard (from the history screen)."""

    def __init__(self, attempt_id: int) -> None:
        super().__init__()
        self.attempt_id = attempt_id


class TeamModeChosen(Message):
    """The team view should read this mode's attempts (None: every mode)."""

    def __init__(self, mode: str | None) -> None:
        super().__init__()
        self.mode = mode
