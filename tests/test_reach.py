"""`collectsim.reach`: merging states and skipping hopeless ones never changes what is found.

The search merges states no live rule can tell apart and stops expanding states after which
nothing new can happen (see the module docstring). Both must be exact: each test here compares
the search with the plain one (`merge=False, prune=False`: every state kept apart, every state
expanded) or pins a verdict that a wrong abstraction would get wrong.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from collectsim.models import Persona
from collectsim.reach import Reach, _Search, explore

# --- the plain search as the reference ---------------------------------------------------------


def _plain(persona: Persona, debt_paid: bool = False, limit: int = 20_000) -> Reach:
    search = _Search(persona, persona.traits, {}, merge=False)
    return search.run([search.initial(debt_paid)], limit, frozenset(), prune=False)


def _verdicts(reach: Reach, persona: Persona) -> tuple[object, ...]:
    """What `collectsim check` reads from a search (why a rule never replies only matters for
    rules that never fire)."""
    never = {r.id for r in persona.rules} - reach.fired
    beaten = {k: v for k, v in reach.replied_instead.items() if k in never}
    return reach.complete, reach.fired, reach.stages, reach.outcomes, beaten


def _persona(rules: list[dict[str, Any]], stages: tuple[str, ...] = ("a", "b", "c"),
             **meters: Any) -> Persona:
    return Persona(id="p", type="t", stages=stages, rules=tuple(rules),  # type: ignore[arg-type]
                   meters=meters)


# --- hand-written cases: reachable only via one history, and truly unreachable -------------------


def test_a_rule_reachable_only_through_one_history_of_past_acts_is_found() -> None:
    """'vault' needs greet said before, verify_identity never said, and stage b, which only a
    redirect reaches, and only once the debtor has tagged 'answer' (from a greet before turn 3).
    Forgetting the said acts, the tags or the line numbers would lose or invent it."""
    persona = _persona([
        {"id": "hello", "when": {"acts": ["greet"], "turn": "< 3"}, "do": {"tag": ["answer"]},
         "say": ["hi"]},
        {"id": "move", "when": {"acts": ["redirect"], "told": ["answer"]}, "do": {"stage": "b"},
         "say": ["ok"]},
        {"id": "vault", "when": {"acts": ["small_talk"], "said": ["greet"],
                                 "not_said": ["verify_identity"], "stage": ["b"]},
         "do": {"outcome": "callback"}, "say": ["bye"]},
    ])
    reach = explore(persona)
    assert reach.complete and "vault" in reach.fired and "callback" in reach.outcomes
    assert [str(x) for x in reach.examples["callback"]] == ["{greet}", "{redirect}", "{small_talk}"]
    assert _verdicts(reach, persona) == _verdicts(_plain(persona), persona)


def test_a_rule_whose_history_cannot_happen_is_reported_dead() -> None:
    """Same persona, but the tag now needs a greet after a small talk and before line 2
    (impossible: that greet is line 2 at the earliest), so stage b and 'vault' are unreachable.
    Line-number bands that let a line stand still, or forgetting what was said, would report
    them reachable."""
    persona = _persona([
        {"id": "hello", "when": {"acts": ["greet"], "said": ["small_talk"], "turn": "< 2"},
         "do": {"tag": ["answer"]}, "say": ["hi"]},
        {"id": "move", "when": {"acts": ["redirect"], "told": ["answer"]}, "do": {"stage": "b"},
         "say": ["ok"]},
        {"id": "vault", "when": {"acts": ["small_talk"], "said": ["greet"], "stage": ["b"]},
         "do": {"outcome": "callback"}, "say": ["bye"]},
    ])
    reach = explore(persona)
    assert reach.complete
    assert {"hello", "move", "vault"}.isdisjoint(reach.fired)
    assert reach.stages == {"a"} and "callback" not in reach.outcomes


def test_exact_line_numbers_not_bands() -> None:
    """Two small talks are needed to get to b, and 'late' needs b before line 3: reachable at
    line 3 exactly? No: line 1 and 2 move to b, line 3 is not before 3. A search that let the
    line number stand still inside a band would say it can fire."""
    persona = _persona([
        {"id": "step", "when": {"acts": ["small_talk"], "stage": ["a"]}, "do": {"stage": "b"},
         "say": ["hm"]},
        {"id": "step2", "when": {"acts": ["small_talk"], "stage": ["b"]}, "do": {"stage": "c"},
         "say": ["hm"]},
        {"id": "late", "when": {"acts": ["greet"], "stage": ["c"], "turn": "< 3"},
         "do": {"outcome": "promise_to_pay"}, "say": ["fine"]},
        {"id": "later", "when": {"acts": ["greet"], "stage": ["c"], "turn": ">= 3"},
         "do": {"outcome": "callback"}, "say": ["fine"]},
    ])
    reach = explore(persona)
    assert reach.complete and "later" in reach.fired and "late" not in reach.fired
    assert _verdicts(reach, persona) == _verdicts(_plain(persona), persona)


def test_a_spent_once_rule_frees_the_reply_below_it() -> None:
    """'first' (once) answers the first greet; 'second' answers every greet after it; 'third'
    would answer a greet on line 1 only, where 'first' always wins. Merging states where
    'first' is spent with ones where it is not would hide 'second' or show 'third'."""
    persona = _persona([
        {"id": "first", "once": True, "priority": 5, "when": {"acts": ["greet"]},
         "say": ["hello"]},
        {"id": "second", "priority": 1, "when": {"acts": ["greet"]},
         "do": {"outcome": "callback"}, "say": ["again?"]},
        {"id": "third", "when": {"acts": ["greet"], "turn": "< 2"},
         "do": {"outcome": "dispute"}, "say": ["what?"]},
    ])
    reach = explore(persona)
    assert reach.complete and "second" in reach.fired and "third" not in reach.fired
    assert reach.replied_instead["third"] == {"first"}
    assert [str(x) for x in reach.examples["callback"]] == ["{greet}", "{greet}"]
    assert "dispute" not in reach.outcomes
    assert _verdicts(reach, persona) == _verdicts(_plain(persona), persona)


def test_a_stage_only_a_fired_rule_leads_to_is_still_looked_for() -> None:
    """'to-b' fires on the first greet, but 'to-c' moves the call on in the same line, so b is
    only reached on a greet after a redirect, when every rule has fired already. The search
    must not stop looking once every rule has fired while a stage is still unreached."""
    persona = _persona([
        {"id": "to-b", "when": {"acts": ["greet"]}, "do": {"stage": "b"}},
        {"id": "to-c", "when": {"acts": ["greet"], "stage": ["b"], "not_facts": ["f1"]},
         "do": {"stage": "c"}, "say": ["on"]},
        {"id": "mark", "when": {"acts": ["redirect"]}, "do": {"remember": ["f1"]},
         "say": ["noted"]},
    ])
    reach = explore(persona)
    assert reach.complete and reach.stages == {"a", "b", "c"}
    assert [str(x) for x in reach.examples["no_agreement"]] == []
    assert _verdicts(reach, persona) == _verdicts(_plain(persona), persona)


def test_a_fact_that_is_forgotten_keeps_rules_alive() -> None:
    """'gate' needs the fact 'open' absent; it is remembered and later forgotten, so the rule
    must not be switched off when 'open' is first remembered."""
    persona = _persona([
        {"id": "opens", "when": {"acts": ["greet"]}, "do": {"remember": ["open"]},
         "say": ["o"]},
        {"id": "closes", "when": {"acts": ["redirect"], "facts": ["open"]},
         "do": {"forget": ["open"], "tag": ["answer"]}, "say": ["c"]},
        {"id": "gate", "when": {"acts": ["small_talk"], "not_facts": ["open"],
                                "told": ["answer"]}, "do": {"outcome": "callback"},
         "say": ["g"]},
    ])
    reach = explore(persona)
    assert reach.complete and "gate" in reach.fired
    assert _verdicts(reach, persona) == _verdicts(_plain(persona), persona)


def test_a_stage_nothing_leads_back_to_switches_its_rules_off() -> None:
    """Once the call has left 'a' (nothing leads back), 'opening' can never fire: states that
    differ only in what 'opening' would read are merged, and the verdicts do not change."""
    persona = _persona([
        {"id": "leave", "when": {"acts": ["verify_identity"], "stage": ["a"]},
         "do": {"stage": "b"}, "say": ["yes"]},
        {"id": "opening", "when": {"acts": ["greet"], "stage": ["a"], "said": ["small_talk"]},
         "say": ["hi"]},
        {"id": "chat", "when": {"acts": ["small_talk"]}, "do": {"meters": {"mood": 10}},
         "say": ["mm"]},
        {"id": "happy", "when": {"acts": ["request_payment"], "meters": {"mood": ">= 30"},
                                 "stage": ["b"]}, "do": {"outcome": "promise_to_pay"},
         "say": ["ok"]},
    ], mood={"start": 0})
    search = _Search(persona, persona.traits, {})
    reach = search.run([search.initial(False)], 10_000, frozenset(), prune=False)
    assert reach.complete and {"opening", "happy"} <= reach.fired
    assert all("opening" in s.off for s in search._canon.values() if s.stage == "b")
    assert _verdicts(reach, persona) == _verdicts(_plain(persona), persona)


def test_an_outcome_only_a_fired_rule_sets_is_still_looked_for() -> None:
    """Like the stage above: 'callback' is overwritten in its first line and only stays after a
    redirect, when every rule has fired. Stopping early must wait for the outcome too."""
    persona = _persona([
        {"id": "cb", "when": {"acts": ["greet"]}, "do": {"outcome": "callback"}},
        {"id": "disputes", "when": {"acts": ["greet"], "not_facts": ["f1"]},
         "do": {"outcome": "dispute"}, "say": ["no"]},
        {"id": "mark", "when": {"acts": ["redirect"]}, "do": {"remember": ["f1"]},
         "say": ["noted"]},
    ], stages=("a",))
    reach = explore(persona)
    assert reach.complete and {"callback", "dispute"} <= reach.outcomes
    assert [str(x) for x in reach.examples["callback"]] == ["{redirect}", "{greet}"]


def test_a_forgotten_agreement_stays_forgotten() -> None:
    """The engine re-adds the agreement fact only for a new agreement, so after 'undo' the
    call can go on without it: 'after' is reachable. Dropping whether an agreement was
    recorded would bring the fact straight back and hide 'after'."""
    persona = _persona([
        {"id": "deal", "when": {"acts": ["request_payment"]},
         "do": {"outcome": "promise_to_pay"}, "say": ["ok"]},
        {"id": "undo", "when": {"acts": ["redirect"], "facts": ["agreement"]},
         "do": {"forget": ["agreement"]}, "say": ["hm"]},
        {"id": "after", "when": {"acts": ["small_talk"], "said": ["request_payment"],
                                 "not_facts": ["agreement"]},
         "do": {"outcome": "callback"}, "say": ["bye"]},
    ], stages=("a",))
    reach = explore(persona)
    assert reach.complete and "after" in reach.fired


def test_lines_that_cannot_be_said_stay_out() -> None:
    """A line that discloses the debt to an unverified person cannot come after verification,
    and the only way to b verifies: 'leak' is unreachable. Forgetting that identity was
    verified (no rule tests it, only the engine) would make it reachable."""
    persona = _persona([
        {"id": "verify", "when": {"acts": ["verify_identity"]}, "do": {"stage": "b"},
         "say": ["yes"]},
        {"id": "leak", "when": {"events": ["disclosed_unverified"], "stage": ["b"]},
         "do": {"outcome": "dispute"}, "say": ["who told you?"]},
    ], stages=("a", "b"))
    reach = explore(persona)
    assert reach.complete and "leak" not in reach.fired and "dispute" not in reach.outcomes


def test_a_yes_to_the_wrong_name_verifies_no_one() -> None:
    """As in the engine: verify_identity with a wrong name does not verify. 'z' needs stage b
    and a verified identity, but a plain verify_identity always moves the call to c, and the
    only way into b is asking to verify the wrong name."""
    persona = _persona([
        {"id": "wn", "priority": 5, "when": {"acts": ["verify_identity"],
                                             "events": ["wrong_name"], "stage": ["a"]},
         "do": {"stage": "b"}, "say": ["who?"]},
        {"id": "v", "when": {"acts": ["verify_identity"]}, "do": {"stage": "c"},
         "say": ["yes"]},
        {"id": "z", "when": {"acts": ["small_talk"], "facts": ["identity_verified"],
                             "stage": ["b"]}, "do": {"outcome": "callback"}, "say": ["mm"]},
    ])
    reach = explore(persona)
    assert reach.complete and "wn" in reach.fired and "z" not in reach.fired


# --- random personas: the search and the plain one agree ---------------------------------------

_ACTS = ("greet", "verify_identity", "small_talk", "redirect", "request_payment", "pressure")
_FACTS = ("f1", "f2", "agreement", "documents_sent")
_TAGS = ("answer", "give_reason", "stall")
_OUTCOMES = ("promise_to_pay", "payment_plan", "callback", "dispute")


def _random_persona(seed: int) -> Persona:
    rng = random.Random(seed)
    stages = tuple(f"s{i}" for i in range(rng.randint(2, 4)))

    def some(pool: tuple[str, ...], most: int = 1) -> list[str]:
        return rng.sample(pool, rng.randint(1, most))

    def cmp(lo: int, hi: int) -> str:
        return f"{rng.choice(['<', '>=', '<=', '>', '=='])} {rng.randint(lo, hi)}"

    rules: list[dict[str, Any]] = []
    for n in range(rng.randint(3, 8)):
        when: dict[str, Any] = {}
        do: dict[str, Any] = {}
        if rng.random() < 0.7:
            when["acts"] = some(_ACTS)
        for key, pool, p in (("no_acts", _ACTS, 0.1), ("said", _ACTS, 0.2),
                             ("not_said", _ACTS, 0.2), ("facts", _FACTS, 0.25),
                             ("not_facts", _FACTS, 0.25), ("told", _TAGS, 0.2),
                             ("not_told", _TAGS, 0.15), ("stage", stages, 0.35),
                             ("not_stage", stages, 0.15), ("flags", ("pressure",), 0.05)):
            if rng.random() < p:
                when[key] = some(pool)
        if rng.random() < 0.3:
            when["turn"] = cmp(0, 5)
        if rng.random() < 0.35:
            when["meters"] = {"m": cmp(0, 60)}
        if rng.random() < 0.1:
            when["chance"] = 0.5
        for key, pool, p in (("remember", _FACTS, 0.3), ("forget", _FACTS, 0.1),
                             ("tag", _TAGS, 0.35)):
            if rng.random() < p:
                do[key] = some(pool)
        if rng.random() < 0.35:
            do["stage"] = rng.choice(stages)
        if rng.random() < 0.35:
            do["meters"] = {"m": rng.choice([-25, -10, 10, 20, 35])}
        if rng.random() < 0.2:
            do["outcome"] = rng.choice(_OUTCOMES)
        if rng.random() < 0.08:
            do["end"] = True
        rule: dict[str, Any] = {"id": f"r{n}", "when": when, "do": do,
                                "priority": rng.randint(0, 3), "once": rng.random() < 0.2}
        if rng.random() < 0.75:
            rule["say"] = ["x"]
        rules.append(rule)
    return _persona(rules, stages, m={"start": rng.choice([0, 20, 50])})


@pytest.mark.parametrize("chunk", range(4))
def test_random_personas_give_the_verdicts_of_the_plain_search(chunk: int) -> None:
    """240 random small personas (half with the debt already paid): merging and pruning must
    find exactly what the plain search finds."""
    for seed in range(chunk * 60, chunk * 60 + 60):
        persona = _random_persona(seed)
        debt_paid = seed % 2 == 1
        plain = _plain(persona, debt_paid, limit=4_000)
        assert plain.complete, seed  # the reference must be whole to mean anything
        search = _Search(persona, persona.traits, {})
        reach = search.run([search.initial(debt_paid)], 4_000, frozenset())
        assert _verdicts(reach, persona) == _verdicts(plain, persona), seed


def test_canon_is_idempotent_and_keeps_what_live_rules_read() -> None:
    for seed in range(40):
        persona = _random_persona(seed)
        search = _Search(persona, persona.traits, {})
        search.run([search.initial(False)], 2_000, frozenset(), prune=False)
        for s in list(search._canon.values()):
            assert search.canon(s) == s
            live = {r.id for r in persona.rules} - s.off
            for r in persona.rules:
                if r.id in live:
                    assert set(r.when.facts) | set(r.when.not_facts) <= search.relevant(
                        s.off).facts
