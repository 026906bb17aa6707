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
    def __init__(self, scenario_id: str) -> None:
        super().__init__()
        self.scenario_id = scenario_id


class NextScenario(Message):
    def __init__(self, scenario_id: str) -> None:
        super().__init__()
        self.scenario_id = scenario_id


class TraineeNamed(Message):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
