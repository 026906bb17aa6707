"""What the app remembers that is not a record: the trainee's name, in a small settings file.

Scores, history and unfinished calls live in the records store (`collectsim.tui.records`). The
name is kept in ``<data_dir>/settings.json``; a name saved by earlier versions in
``progress.json`` is read once as the starting value.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def default_data_dir() -> Path:
    """``COLLECTSIM_DATA_DIR`` if set (tests, shared machines), else the platform's data dir."""
    env = os.environ.get("COLLECTSIM_DATA_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("collectsim", appauthor=False)


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return raw if isinstance(raw, dict) else {}


class Settings:
    """``<data_dir>/settings.json``; a missing or corrupt file starts afresh."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "settings.json"
        self._data: dict[str, Any] | None = None

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            raw = _read(self.path)
            if "trainee" not in raw:  # an earlier version kept the name with the scores
                raw["trainee"] = _read(self.path.with_name("progress.json")).get("trainee", "")
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

    def _save(self) -> None:
        """Write atomically so a crash never leaves half a file."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".settings-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.data, fh, ensure_ascii=False, indent=1)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a convenience: never let it break a call
