"""The first half of the scenario library, played through the real analyser and scorer.

For each scenario: it loads and binds to its persona, its strong example call reaches the
expected (successful) outcome, its weak call reaches its own outcome, and the strong call beats
the weak one by at least 25 points overall, for every seed. Some scenarios have a third, middling
script whose place between the two is checked too. Assertions are about outcomes, scores, flags and
facts, never reply wording.
"""

from __future__ import annotations

import pytest
from libplay import EXAMPLES, ROOT, bind, play

from collectsim.engine import CallSession
from collectsim.script import read_script, replay

SEEDS = range(6)

#: scenario -> (strong outcome, weak outcome)
LIBRARY_A: dict[str, tuple[str, str]] = {
    "already-paid": ("already_paid", "already_paid"),
    "accounting-mistake": ("promise_to_pay", "dispute"),
    "third-party": ("wrong_party", "wrong_party"),
    "chronic-avoider": ("payment_plan", "promise_to_pay"),
    "hostile": ("payment_plan", "hung_up"),
    "defensive-hard": ("payment_plan", "no_agreement"),
}
ORDER = {
    "already-paid": (5, "easy"),
    "third-party": (8, "medium"),
    "accounting-mistake": (9, "medium"),
    "chronic-avoider": (11, "hard"),
    "hostile": (13, "hard"),
    "defensive-hard": (14, "hard"),
}


@pytest.mark.parametrize("scenario_id", sorted(LIBRARY_A))
def test_scenario_loads_with_its_learning_path_place(scenario_id: str) -> None:
    loaded = bind(scenario_id)
    sc = loaded.scenario
    assert (sc.order, sc.difficulty) == ORDER[scenario_id]
    assert sc.summary and sc.briefing
    assert sc.case.call_date is not None and sc.case.call_date.isoformat() == "2026-11-20"
    assert LIBRARY_A[scenario_id][0] in sc.success
    first = (ROOT / "scenarios" / f"{scenario_id}.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/scenario.schema.json"


@pytest.mark.parametrize("persona_id", ["already-paid", "accounting-mistake", "third-party",
                                        "chronic-avoider", "hostile"])
def test_persona_file_has_schema_line(persona_id: str) -> None:
    first = (ROOT / "personas" / f"{persona_id}.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/persona.schema.json"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scenario_id", sorted(LIBRARY_A))
def test_strong_beats_weak_by_25(scenario_id: str, seed: int) -> None:
    strong_outcome, weak_outcome = LIBRARY_A[scenario_id]
    good, good_card = play(scenario_id, "good", seed)
    weak, weak_card = play(scenario_id, "weak", seed)
    assert good.outcome == strong_outcome
    assert weak.outcome == weak_outcome
    assert good_card.scores["overall"] >= 85
    assert not good_card.flags
    assert good_card.scores["overall"] - weak_card.scores["overall"] >= 25


def test_already_paid_checking_first_is_rewarded() -> None:
    _, good = play("already-paid", "good")
    asked, asked_card = play("already-paid", "asked")
    _, weak = play("already-paid", "weak")
    assert asked.outcome == "already_paid"
    # asking on the call beats pressing; checking the ledger before dialling beats both
    assert weak.scores["overall"] < asked_card.scores["overall"] < good.scores["overall"]
    ids = {f.id for f in weak.findings if f.points < 0}
    assert {"pressed_paid_debt", "chased_after_claim"} <= ids


def test_third_party_disclosure_is_critical() -> None:
    record, card = play("third-party", "weak")
    assert any(f.kind == "third_party_disclosure" and f.critical for f in card.flags)
    assert card.scores["overall"] <= 40
    assert "debt_revealed" in record.facts
    good, _ = play("third-party", "good")
    assert "debt_revealed" not in good.facts


def test_chronic_avoider_vague_promise_is_weak() -> None:
    weak, weak_card = play("chronic-avoider", "weak")
    assert "vague_promise" in weak.facts and "pinned" not in weak.facts
    missed = {f.id for f in weak_card.findings if f.points < 0}
    assert {"pinned_down", "realistic_terms"} <= missed
    good, _ = play("chronic-avoider", "good")
    assert "pinned" in good.facts
    pushy, pushy_card = play("chronic-avoider", "pushy")
    assert pushy.outcome == "promise_to_pay" and "pinned" not in pushy.facts
    assert any(f.kind == "pressure" for f in pushy_card.flags)


def test_hostile_boundary_calms_and_ending_properly_is_clean() -> None:
    good, _ = play("hostile", "good")
    assert "boundary_set" in good.facts
    ended, ended_card = play("hostile", "ended")
    assert ended.outcome == "no_agreement"
    assert not ended_card.flags
    _, weak_card = play("hostile", "weak")
    assert any(f.kind == "insult" and f.critical for f in weak_card.flags)
    assert weak_card.scores["overall"] + 25 <= ended_card.scores["overall"]


def test_defensive_hard_is_harder_than_defensive() -> None:
    hard, core = bind("defensive-hard"), bind("defensive")
    assert hard.persona is core.persona or hard.persona.id == core.persona.id == "defensive"
    assert hard.meters["anger"] > core.meters.get("anger", core.persona.meters["anger"].start)
    # the core scenario's strong call does not reach an agreement on the hard variant
    session = CallSession(hard, seed=0)
    record, _ = replay(session, read_script(EXAMPLES / "defensive-good.txt"))
    assert record.outcome not in ("payment_plan", "paid_in_full")
