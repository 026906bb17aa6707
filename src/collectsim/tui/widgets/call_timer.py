"""The call timer. Reads time from an injected clock so tests can freeze it."""

from __future__ import annotations

from collections.abc import Callable

from textual.reactive import reactive
from textual.widgets import Static


def mmss(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class CallTimer(Static):
    elapsed: reactive[float] = reactive(0.0)

    def __init__(self, clock: Callable[[], float], **kwargs) -> None:
        super().__init__("00:00", **kwargs)
        self.clock = clock
        self._start: float | None = None
        self._timer = None

    def start(self, already: float = 0.0) -> None:
        """Start counting; a resumed call counts on from the `already` seconds it had run."""
        if self._start is None:
            self._start = self.clock() - max(0.0, already)
            self._tick()
            self._timer = self.set_interval(1.0, self._tick)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._tick()

    def _tick(self) -> None:
        if self._start is not None:
            self.elapsed = self.clock() - self._start

    def watch_elapsed(self, value: float) -> None:
        self.update(mmss(value))
