"""Shared test setup: hermetic (no user data dir, no user library) and bounded property tests."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _hermetic(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read a developer's extra library or write into their records."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.delenv("COLLECTSIM_LIBRARY", raising=False)
    monkeypatch.setenv("COLLECTSIM_DB", str(home / "records.db"))
    monkeypatch.setenv("COLLECTSIM_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg"))
