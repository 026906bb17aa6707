"""The second half of the scenario library, played through the real analyser and scorer.

For each scenario: it loads and binds to its persona, sits where the learning path puts it, its
strong example call reaches the expected outcome, its weak call reaches its own, and the strong
call beats the weak one by at least 25 points overall, for every seed. Middling scripts (a
callback instead of a date, a settlement below the floor...) are checked to land between the two.
Assertions are about outcomes, scores, flags and facts, never reply wording.
"""

from __future__ import annotations

import pytest
from libplay import EXAMPLES, ROOT, bind, play

from collectsim.engine import CallSession
from collectsim.script import read_script, replay

SEEDS = range(6)

#: scenario -> (strong outcome, weak outcome)
LIBRARY_B: dict[str, tuple[str, str]] = {
    "loyal-first-late": ("promise_to_pay", "promise_to_pay"),
    "call-me-later": ("promise_to_pay", "no_agreement"),
    "ap-team-blamed": ("promise_to_pay", "no_agreement"),
    "quality-dispute": ("dispute", "hung_up"),
    "settlement": ("settlement", "settlement"),
    "off-topic-hard": ("paid_in_full", "callback"),
}
ORDER = {
    "loyal-first-late": (4, "easy"),
    "call-me-later": (6, "medium"),
    "ap-team-blamed": (7, "medium"),
    "quality-dispute": (10, "medium"),
    "settlement": (12, "hard"),
    "off-topic-hard": (15, "hard"),
}


def overall(scenario_id: str, script: str, seed: int = 0) -> int:
    return play(scenario_id, script, seed)[1].scores["overall"]


def flags(scenario_id: str, script: str, seed: int = 0) -> set[str]:
    return {f.kind for f in play(scenario_id, script, seed)[1].flags}


@pytest.mark.parametrize("scenario_id", sorted(LIBRARY_B))
def test_loads_with_its_place_in_the_path(scenario_id: str) -> None:
    sc = bind(scenario_id).scenario
    assert (sc.order, sc.difficulty) == ORDER[scenario_id]
    assert sc.summary and sc.briefing
    assert sc.case.call_date is not None and sc.case.call_date.isoformat() == "2026-11-20"
    first = (ROOT / "scenarios" / f"{scenario_id}.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/scenario.schema.json"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scenario_id", sorted(LIBRARY_B))
def test_strong_beats_weak(scenario_id: str, seed: int) -> None:
    strong, weak = LIBRARY_B[scenario_id]
    good_record, good_card = play(scenario_id, "good", seed)
    weak_record, weak_card = play(scenario_id, "weak", seed)
    assert good_record.outcome == strong
    assert weak_record.outcome == weak
    assert strong in bind(scenario_id).scenario.success
    assert not good_card.flags
    assert good_card.scores["overall"] >= 90
    assert good_card.scores["overall"] - weak_card.scores["overall"] >= 25


# --- scenario-specific points -------------------------------------------------------------------


def test_loyal_customer_pays_either_way_but_goodwill_is_lost() -> None:
    weak, _ = play("loyal-first-late", "weak")
    pushy, _ = play("loyal-first-late", "pushy")
    good, _ = play("loyal-first-late", "good")
    assert "relationship_damaged" in weak.facts and "relationship_damaged" in pushy.facts
    assert "relationship_damaged" not in good.facts
    assert pushy.outcome == "promise_to_pay" and "pressure" in flags("loyal-first-late", "pushy")
    assert overall("loyal-first-late", "pushy") <= 40


@pytest.mark.parametrize("seed", SEEDS)
def test_callback_with_a_time_sits_between_a_date_and_later(seed: int) -> None:
    cb, _ = play("call-me-later", "callback", seed)
    vague, _ = play("call-me-later", "vague", seed)
    assert cb.outcome == "callback" and vague.outcome == "no_agreement"
    good, cbk, vag, weak = (
        overall("call-me-later", s, seed) for s in ("good", "callback", "vague", "weak")
    )
    assert good > cbk > vag > weak
    assert good - vag >= 25


def test_ap_claim_checked_before_a_date() -> None:
    good, _ = play("ap-team-blamed", "good")
    weak, _ = play("ap-team-blamed", "weak")
    assert {"ap_checked", "invoice_to_ap"} <= good.facts
    assert "ap_checked" not in weak.facts


@pytest.mark.parametrize("seed", SEEDS)
def test_settling_below_the_floor_is_critical(seed: int) -> None:
    good, _ = play("settlement", "good", seed)
    caves, _ = play("settlement", "caves", seed)
    assert good.agreement is not None and good.agreement.total == 4600
    assert caves.outcome == "settlement" and caves.agreement is not None
    assert caves.agreement.total < 6400 * 0.70
    assert "below_floor" in flags("settlement", "caves", seed)
    assert overall("settlement", "caves", seed) <= 40
    assert "below_floor" in flags("settlement", "weak", seed)


def test_dispute_logged_and_undisputed_part_promised() -> None:
    good, _ = play("quality-dispute", "good")
    assert {"dispute_logged", "undisputed_promised", "details_heard"} <= good.facts
    weak, _ = play("quality-dispute", "weak")
    assert "dispute_logged" not in weak.facts
    assert "dismiss" in flags("quality-dispute", "weak")


@pytest.mark.parametrize("seed", SEEDS)
def test_off_topic_hard_needs_a_redirect_before_every_request(seed: int) -> None:
    easy = bind("off-topic")
    session = CallSession(easy, seed=seed)
    record, _ = replay(session, read_script(EXAMPLES / "off-topic-hard-once.txt"))
    assert record.outcome == "paid_in_full"  # one redirect is enough on an ordinary day
    once, _ = play("off-topic-hard", "once", seed)
    assert once.outcome != "paid_in_full"  # not on a distracted one
    assert bind("off-topic-hard").meters["focus"] < bind("off-topic").persona.meters["focus"].start
