"""Playing the built-in library's example scripts, shared by the library test files."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from collectsim.engine import CallSession
from collectsim.loading import Library, load_library
from collectsim.models import Loaded
from collectsim.scoring import Scorecard, score
from collectsim.script import read_script, replay
from collectsim.transcript import CallRecord

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@cache
def library() -> Library:
    lib = load_library(paths=[ROOT / "personas", ROOT / "scenarios"])
    assert lib.ok, [str(d) for d in lib.errors]
    return lib


def bind(scenario_id: str) -> Loaded:
    return library().bind(scenario_id)


@cache
def play(scenario_id: str, script: str, seed: int = 0) -> tuple[CallRecord, Scorecard]:
    """The example call `<scenario>-<script>.txt`, replayed and scored.

    A weak call may be ended by the debtor before its last lines; any other must be played whole.
    """
    loaded = bind(scenario_id)
    record, unsaid = replay(
        CallSession(loaded, seed=seed), read_script(EXAMPLES / f"{scenario_id}-{script}.txt")
    )
    if script != "weak":
        assert not unsaid, f"{scenario_id}-{script}: lines left unsaid: {unsaid}"
    return record, score(record, loaded)
