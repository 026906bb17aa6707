"""`collectsim check`: the suspicious-file corpus, the search's soundness, the helpers, the CLI."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from collectsim.cli import main
from collectsim.models import Comparison, Condition, Persona
from collectsim.reach import Bands, Reach, explore

ROOT = Path(__file__).resolve().parents[1]
SUSPICIOUS = ROOT / "tests" / "data" / "suspicious"
CASES = sorted(p.name for p in SUSPICIOUS.iterdir() if (p / "expected.txt").is_file())


@pytest.mark.parametrize("case", CASES)
def test_suspicious_corpus_exact_messages(
    case: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(SUSPICIOUS / case)
    code = main(["check", "."])
    out = capsys.readouterr().out
    expected = (SUSPICIOUS / case / "expected.txt").read_text(encoding="utf-8")
    assert out.splitlines() == expected.splitlines()
    assert code == (1 if ": error: " in expected else 0)


def test_strict_fails_on_warnings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(SUSPICIOUS / "unrewarded")
    assert main(["check", "."]) == 0
    assert main(["check", ".", "--strict"]) == 1


def test_json_format_lists_diagnostic_objects(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(SUSPICIOUS / "unwinnable")
    assert main(["check", ".", "--format", "json"]) == 1
    items = json.loads(capsys.readouterr().out)
    assert items == [
        {
            "file": "scenarios/sus-unwinnable.yaml",
            "line": 10,
            "col": 10,
            "severity": "error",
            "message": "no path to a success outcome: with persona 'sus-never-agrees' a call "
            "can only end in hung_up, no_agreement",
            "code": "no-success-path",
        }
    ]


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "no/such/folder"]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["check", "--format", "xml"]) == 2


def test_builtin_library_has_no_unwinnable_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    """The built-in library loads and every scenario can be won (other findings are reported
    to their authors, not hidden here)."""
    main(["check", "--format", "json"])
    found = json.loads(capsys.readouterr().out)
    bad = [d for d in found if d["code"] in ("no-success-path", "unfillable-placeholder")]
    assert bad == []
    assert not [d for d in found if d["severity"] == "error" and d["code"] != "example-mismatch"]
    assert not [d for d in found if d["code"] == "search-incomplete"]


# --- the search is sound: whatever the engine does, the search reaches --------------------------


def _played(scenario: str, script: Path) -> tuple[set[str], set[str], str]:
    from collectsim.engine import CallSession
    from collectsim.loading import load_library
    from collectsim.script import read_script, replay

    loaded = load_library().bind(scenario)
    record, _ = replay(CallSession(loaded), read_script(script))
    rules = {t.rule for t in record.turns if t.rule}
    stages = {t.stage for t in record.turns if t.stage}
    return rules, stages, record.outcome


EXAMPLES = sorted((ROOT / "examples").glob("*.txt"))


@functools.cache
def _reach(sid: str) -> Reach:
    from collectsim.loading import load_library

    loaded = load_library().bind(sid)
    return explore(loaded.persona, loaded.traits, loaded.meters,
                   debt_paid=loaded.scenario.case.outstanding() <= 0)


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_search_reaches_everything_a_real_call_does(script: Path) -> None:
    from collectsim.loading import load_library

    lib = load_library()
    sid = max((s for s in lib.scenarios if script.stem.startswith(s + "-")), key=len, default=None)
    if sid is None:
        pytest.skip("no scenario for this script")
    reach = _reach(sid)
    if not reach.complete:
        pytest.skip("search too large for this persona")
    rules, stages, outcome = _played(sid, script)
    assert rules <= reach.fired
    assert stages <= reach.stages
    assert outcome in reach.outcomes


def test_the_search_finishes_for_every_builtin_persona() -> None:
    """Each built-in persona is searched to the end, as played in each of its scenarios and
    on its own defaults, so `check` can tell which of its rules and stages are dead."""
    from collectsim.loading import load_library

    lib = load_library()
    for sid in sorted(lib.scenarios):
        assert _reach(sid).complete, sid
    for pid, persona in sorted(lib.personas.items()):
        assert explore(persona).complete, pid


def test_merged_search_agrees_with_the_plain_one_on_a_builtin_persona() -> None:
    """legitimate-excuse is small enough to search without merging states or skipping any:
    both searches must find the same rules, stages and outcomes."""
    from collectsim.loading import load_library
    from collectsim.reach import _Search

    loaded = load_library().bind("legitimate-excuse")
    paid = loaded.scenario.case.outstanding() <= 0
    plain = _Search(loaded.persona, loaded.traits, loaded.meters, merge=False)
    whole = plain.run([plain.initial(paid)], 50_000, frozenset(), prune=False)
    fast = explore(loaded.persona, loaded.traits, loaded.meters, debt_paid=paid)
    assert whole.complete and fast.complete
    assert (whole.fired, whole.stages, whole.outcomes) == (fast.fired, fast.stages, fast.outcomes)
    assert fast.states < whole.states / 5


def test_search_gives_an_example_path_to_each_outcome() -> None:
    persona = Persona(
        id="p", type="t", stages=("a", "b"),
        rules=(
            {"id": "go", "when": {"acts": ["verify_identity"]}, "do": {"stage": "b"},
             "say": ["yes"]},
            {"id": "agree", "when": {"acts": ["offer_plan"], "stage": "b"},
             "do": {"outcome": "payment_plan"}, "say": ["ok"]},
        ),
    )
    reach = explore(persona)
    assert reach.complete and reach.stages == {"a", "b"}
    assert [str(x) for x in reach.examples["payment_plan"]] == [
        "{verify_identity}", "{offer_plan}"
    ]


# --- helpers -------------------------------------------------------------------------------------


def test_bands_shift_over_approximates_clamped_ranges() -> None:
    b = Bands.build(0, 100, [40])
    assert b.points == (0, 40, 100)
    assert b.of(70) == 3 and b.of(40) == 2 and b.of(0) == 0
    assert b.shift(b.of(40), -40) == {0}
    assert b.shift(3, -20) == {1, 2, 3}  # (40, 100) - 20 = (20, 80)
    assert b.shift(3, +50) == {3, 4}  # clamps onto 100


def test_comparison_implication() -> None:
    from collectsim.checker import comparison_implies

    c = Comparison
    assert comparison_implies(c("<", 10), c("<=", 20))
    assert not comparison_implies(c("<=", 20), c("<", 10))
    assert comparison_implies(c("==", 5), c(">=", 5))
    assert not comparison_implies(c("!=", 5), c(">", 5))


def test_condition_implication_and_contradiction() -> None:
    from collectsim.checker import condition_implies, contradiction

    narrow = Condition(acts=("greet", "verify_identity"), stage=("a",))
    broad = Condition(any_acts=("verify_identity", "introduce_self"))
    assert condition_implies(narrow, broad, ("a", "b"))
    assert not condition_implies(broad, narrow, ("a", "b"))
    assert contradiction(Condition(events=("silence",), acts=("greet",)), ("a",))
    assert contradiction(Condition(stage=("a",), not_stage=("a",)), ("a", "b"))
    assert contradiction(Condition(acts=("greet",)), ("a",)) is None
