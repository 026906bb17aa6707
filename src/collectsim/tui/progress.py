"""What the app remembers between runs: the trainee's name and the best score per scenario.

A small JSON file in the user data dir stands in for the records store (issue 6); screens only
see the `Progress` protocol, so the store can be swapped without touching them.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol


class Progress(Protocol):
    def trainee(self) -> str: ...
    def set_trainee(self, name: str) -> None: ...
    def best(self, scenario_id: str) -> int | None: ...
    def record(self, scenario_id: str, overall: int) -> bool:
        """Store an attempt's overall score; True when it is a new best."""
        ...


def default_data_dir() -> Path:
    """``COLLECTSIM_DATA_DIR`` if set (tests, shared machines), else the platform's data dir."""
    env = os.environ.get("COLLECTSIM_DATA_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("collectsim", appauthor=False)


class JsonProgress:
    """Progress in ``<data_dir>/progress.json``; a missing or corrupt file starts afresh."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "progress.json"
        self._data: dict[str, Any] | None = None

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raw = {}
            if not isinstance(raw, dict):
                raw = {}
            if not isinstance(raw.get("best"), dict):
                raw["best"] = {}
            if not isinstance(raw.get("trainee"), str):
                raw["trainee"] = ""
            self._data = raw
        return self._data

    def trainee(self) -> str:
        return self.data["trainee"]

    def set_trainee(self, name: str) -> None:
        name = " ".join(name.split())[:60]
        if name != self.data["trainee"]:
            self.data["trainee"] = name
            self._save()

    def best(self, scenario_id: str) -> int | None:
        value = self.data["best"].get(scenario_id)
        return int(value) if isinstance(value, int | float) else None

    def record(self, scenario_id: str, overall: int) -> bool:
        old = self.best(scenario_id)
        if old is not None and old >= overall:
            return False
        self.data["best"][scenario_id] = int(overall)
        self._save()
        return True

    def _save(self) -> None:
        """Write atomically so a crash never leaves half a file."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".progress-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.data, fh, ensure_ascii=False, indent=1)
            os.replace(tmp, self.path)
        except OSError:
            pass  # progress is a convenience: never let it break a call
