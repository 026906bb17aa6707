"""The README's first two commands are a promise; CI must run the second one verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [b.strip() for b in re.findall(r"```sh\n(.*?)```", text, flags=re.S)]


def test_first_command_installs_and_starts_the_simulator() -> None:
    first = _blocks()[0]
    assert "pip install" in first
    assert first.rstrip().endswith("collectsim")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    second = _blocks()[1]
    assert "pytest" in second and "pip install" in second
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert second in [line.strip() for line in ci_lines]


def test_every_documented_example_script_exists() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = re.findall(r"--script (examples/\S+\.txt)", text)
    assert paths
    for path in paths:
        assert (ROOT / path).is_file(), path
