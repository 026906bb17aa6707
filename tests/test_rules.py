"""Compiled rule evaluation (collectsim.rules) against a plain, rule-by-rule reading of each rule.

The masks must select exactly the rules a one-by-one evaluation of every `Condition` would, and
a call must play out identically: same reactions in the same order, same reply, same dice.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as hs
from pydantic import TypeAdapter

from collectsim.acts import ACTS
from collectsim.engine import CallSession
from collectsim.models import (
    DEBTOR_TAGS,
    EVENTS,
    MENTIONS,
    Comparison,
    Condition,
    Loaded,
    Persona,
    Rule,
    Scenario,
)
from collectsim.rules import Cut, Matcher, RuleSet

# Small vocabularies, so random rules and states often agree on something.
ACT_POOL = ACTS[:5]
EVENT_POOL = EVENTS[:3]
FACTS = ("f1", "f2", "f3", "f4")
STAGES = ("s1", "s2", "s3")
TAGS = DEBTOR_TAGS[:3]
FLAGS = ("threaten", "shouting")
METERS = ("patience", "trust")
VALUES = (-1, 0, 2.5, 3, 5, 10, 20, 50)
OPS = ("<", "<=", ">", ">=", "==", "=", "!=")
_OPS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "=": operator.eq,
    "!=": operator.ne,
}


def holds(
    c: Condition,
    acts: set[str],
    events: set[str],
    mentions: frozenset[str],
    st: Any,
    traits: dict[str, float],
) -> bool:
    """Every condition but `chance`, read literally from the model's field descriptions."""
    return (
        (not c.stage or st.stage in c.stage)
        and st.stage not in c.not_stage
        and all(a in acts for a in c.acts)
        and (not c.any_acts or any(a in acts for a in c.any_acts))
        and not any(a in acts for a in c.no_acts)
        and all(e in events for e in c.events)
        and not any(e in events for e in c.no_events)
        and all(m in mentions for m in c.mentions)
        and all(f in st.facts for f in c.facts)
        and not any(f in st.facts for f in c.not_facts)
        and all(a in st.said for a in c.said)
        and not any(a in st.said for a in c.not_said)
        and all(t in st.told for t in c.told)
        and not any(t in st.told for t in c.not_told)
        and all(f in st.flags for f in c.flags)
        and (c.turn is None or c.turn.test(st.trainee_turns))
        and all(cmp.test(st.meters.get(m, 0.0)) for m, cmp in c.meters.items())
        and all(cmp.test(traits.get(t, 0.0)) for t, cmp in c.traits.items())
    )


@dataclass
class State:
    stage: str = "s1"
    meters: dict[str, float] = field(default_factory=dict)
    facts: set[str] = field(default_factory=set)
    said: set[str] = field(default_factory=set)
    told: set[str] = field(default_factory=set)
    flags: set[str] = field(default_factory=set)
    fired: set[str] = field(default_factory=set)
    trainee_turns: int = 0


def names(pool: tuple[str, ...]) -> hs.SearchStrategy[list[str]]:
    return hs.lists(hs.sampled_from(pool), max_size=3)  # repeats on purpose: [x, x] needs x once


comparisons = hs.builds(
    lambda op, v: f"{op} {v}", hs.sampled_from(OPS), hs.sampled_from(VALUES)
)

conditions = hs.fixed_dictionaries(
    {},
    optional={
        "acts": names(ACT_POOL),
        "any_acts": names(ACT_POOL),
        "no_acts": names(ACT_POOL),
        "said": names(ACT_POOL),
        "not_said": names(ACT_POOL),
        "stage": names(STAGES),
        "not_stage": names(STAGES),
        "meters": hs.dictionaries(hs.sampled_from(METERS), comparisons, max_size=2),
        "traits": hs.dictionaries(hs.just("budget"), comparisons, max_size=1),
        "facts": names(FACTS),
        "not_facts": names(FACTS),
        "events": names(EVENT_POOL),
        "no_events": names(EVENT_POOL),
        "mentions": names(MENTIONS),
        "told": names(TAGS),
        "not_told": names(TAGS),
        "turn": comparisons,
        "flags": names(FLAGS),
        "chance": hs.sampled_from((0.3, 0.7, 1.0)),
    },
)

effects = hs.fixed_dictionaries(
    {},
    optional={
        "meters": hs.dictionaries(
            hs.sampled_from(METERS), hs.sampled_from((-30, -5, 0, 5, 30)), max_size=2
        ),
        "stage": hs.sampled_from(STAGES),
        "remember": names(FACTS),
        "forget": names(FACTS),
        "tag": names(TAGS),
    },
)

rule_dicts = hs.fixed_dictionaries(
    {
        # Ids repeat now and then: once-rules sharing an id block each other.
        "id": hs.integers(0, 30).map(lambda k: f"r{k}"),
        "when": conditions,
        "do": effects,
        "say": hs.sampled_from(((), ("Yes.",), ("No.", "Maybe."))),
        "priority": hs.integers(-2, 2),
        "once": hs.booleans(),
    }
)
RULES = TypeAdapter(list[Rule])

states = hs.builds(
    State,
    stage=hs.sampled_from((*STAGES, "other")),
    meters=hs.dictionaries(hs.sampled_from(METERS), hs.sampled_from((*VALUES, 4, 30))),
    facts=hs.sets(hs.sampled_from((*FACTS, "untested"))),
    said=hs.sets(hs.sampled_from(ACT_POOL)),
    told=hs.sets(hs.sampled_from(TAGS)),
    flags=hs.sets(hs.sampled_from(FLAGS)),
    fired=hs.sets(hs.integers(0, 30).map(lambda k: f"r{k}")),
    trainee_turns=hs.integers(0, 12),
)
lines = hs.tuples(
    hs.sets(hs.sampled_from(ACT_POOL)),
    hs.sets(hs.sampled_from(EVENT_POOL)),
    hs.frozensets(hs.sampled_from(MENTIONS)),
)


@settings(max_examples=200, deadline=None)
@given(
    rules=hs.lists(rule_dicts, max_size=25),
    budget=hs.sampled_from((*VALUES, 1)),
    steps=hs.lists(hs.tuples(states, lines), min_size=1, max_size=4),
)
def test_the_masks_select_exactly_the_rules_whose_conditions_hold(
    rules: list[dict[str, Any]],
    budget: float,
    steps: list[tuple[State, tuple[set[str], set[str], frozenset[str]]]],
) -> None:
    rs = RuleSet.of(RULES.validate_python(rules))
    traits = {"budget": budget}
    st = State()
    m = Matcher(rs, st, traits)
    for new, (acts, events, mentions) in steps:
        # One state object changed in place from line to line, as a call's is: the matcher's
        # caches must notice atoms gained and lost, a new stage, moved meters, fired rules
        # (which, as in a call, only accumulate).
        st.stage, st.trainee_turns = new.stage, new.trainee_turns
        for mine, theirs in (
            (st.facts, new.facts),
            (st.said, new.said),
            (st.told, new.told),
            (st.flags, new.flags),
        ):
            mine.intersection_update(theirs)
            mine.update(theirs)
        st.fired |= new.fired
        st.meters.clear()
        st.meters.update(new.meters)
        m.begin(acts, events, mentions)
        live = m.live()
        for i, rule in enumerate(rs.rules):
            expected = not (rule.once and rule.id in st.fired) and holds(
                rule.when, acts, events, mentions, st, traits
            )
            assert bool(live >> i & 1) == expected, (rule, st, acts, events, mentions)


# --- whole calls ------------------------------------------------------------------------------


class RuleByRule(CallSession):
    """The engine with its rules evaluated one by one, the way the compiled masks must match."""

    def _choose(self, acts: set[str], events: set[str], mentions: frozenset[str]) -> Rule | None:
        rules = self.persona.rules
        for rule in [r for r in rules if not r.say]:
            if self._matches(rule, acts, events, mentions):
                self._fire(rule)
        for rule in sorted((r for r in rules if r.say), key=lambda r: -r.priority):
            if self._matches(rule, acts, events, mentions):
                self._fire(rule)
                return rule
        return None

    def _matches(
        self, rule: Rule, acts: set[str], events: set[str], mentions: frozenset[str]
    ) -> bool:
        if rule.once and rule.id in self.state.fired:
            return False
        if not holds(rule.when, acts, events, mentions, self.state, self.loaded.traits):
            return False
        return rule.when.chance is None or self._rng.random() < rule.when.chance

    def _fire(self, rule: Rule) -> None:
        self.state.apply(rule.do)
        if rule.once:
            self.state.fired.add(rule.id)


def loaded_with(rules: list[dict[str, Any]], budget: float) -> Loaded:
    persona = TypeAdapter(Persona).validate_python(
        {
            "id": "random",
            "type": "test",
            "traits": {"budget": budget},
            "meters": {"patience": 50, "trust": {"start": 10, "min": 0, "max": 20}},
            "stages": list(STAGES),
            "rules": rules,
        }
    )
    scenario = TypeAdapter(Scenario).validate_python(
        {
            "id": "t",
            "title": "T",
            "persona": "random",
            "case": {
                "creditor": {"name": "Acme"},
                "collector": {"name": "Sam"},
                "debtor": {"name": "Chris Doe"},
                "invoices": [{"number": "4471", "amount": 1200}],
            },
            "success": ["payment_plan"],
        }
    )
    return Loaded(scenario=scenario, persona=persona, traits=dict(persona.traits))


def transcript(s: CallSession) -> list[tuple[Any, ...]]:
    return [(t.speaker, t.text, t.rule, t.tags, t.stage, t.meters) for t in s.turns]


@settings(max_examples=200, deadline=None)
@given(
    rules=hs.lists(rule_dicts, max_size=25),
    budget=hs.sampled_from(VALUES),
    seed=hs.integers(0, 3),
    script=hs.lists(hs.tuples(lines, hs.sets(hs.sampled_from(FLAGS))), max_size=8),
)
def test_a_call_plays_exactly_as_a_rule_by_rule_evaluation_would(
    rules: list[dict[str, Any]],
    budget: float,
    seed: int,
    script: list[tuple[tuple[set[str], set[str], frozenset[str]], set[str]]],
) -> None:
    loaded = loaded_with(rules, budget)
    compiled, plain = CallSession(loaded, seed=seed), RuleByRule(loaded, seed=seed)
    for s in (compiled, plain):
        s.connect()
        # The line's acts, events and mentions are given directly (the analyser and the case
        # file checks are not under test), with the bookkeeping `say` does around them.
        for (acts, events, mentions), flags in script:
            if s.ended:
                break
            s.state.trainee_turns += 1
            s.state.flags |= flags
            s._respond(set(acts), set(events), mentions)
            s.state.said |= acts
    assert transcript(compiled) == transcript(plain)
    a, b = compiled.state, plain.state
    assert (a.facts, a.told, a.fired, a.stage, a.meters, a.outcome, a.ended) == (
        b.facts,
        b.told,
        b.fired,
        b.stage,
        b.meters,
        b.outcome,
        b.ended,
    )


# --- pieces -----------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    op=hs.sampled_from(("<", "<=", ">", ">=", "==", "!=")),
    # Up to 300 distinct thresholds: past 64 only every isqrt(n)-th prefix is stored.
    thresholds=hs.lists(hs.integers(-200, 200).map(lambda v: v / 2), max_size=300),
    probes=hs.lists(
        hs.one_of(
            hs.integers(-210, 210).map(lambda v: v / 2),
            hs.sampled_from((math.inf, -math.inf, math.nan)),
        ),
        min_size=1,
        max_size=10,
    ),
)
def test_a_threshold_group_fails_exactly_the_rules_a_comparison_fails(
    op: str, thresholds: list[float], probes: list[float]
) -> None:
    by_value: dict[float, list[int]] = {}
    for i, v in enumerate(thresholds):
        by_value.setdefault(v, []).append(i)
    cut = Cut.build(op, by_value, len(thresholds))
    for x in probes:
        failing = cut.failing(x)
        for i, v in enumerate(thresholds):
            assert bool(failing >> i & 1) == (not Comparison(op, v).test(x)), (op, v, x)


def test_a_nan_threshold_never_holds_except_as_not_equal() -> None:
    rules = RULES.validate_python(
        [
            {"id": "lt", "when": {"meters": {"patience": Comparison("<", math.nan)}}},
            {"id": "ne", "when": {"meters": {"patience": Comparison("!=", math.nan)}}},
        ]
    )
    m = Matcher(RuleSet.of(rules), State(meters={"patience": 5}), {})
    m.begin(set(), set(), frozenset())
    assert m.live() == 0b10


def test_only_rules_that_pass_every_mask_are_looked_at_one_by_one() -> None:
    """The work per line follows the rules that can match, not the size of the persona."""
    never = [
        {"id": f"n{i}", "when": {"acts": ["threaten"], "facts": [f"x{i}"]}, "do": {}}
        for i in range(2000)
    ]
    hits = [
        {"id": "greet-back", "when": {"acts": ["greet"]}, "say": ["Hi."]},
        {"id": "mood", "when": {"acts": ["greet"]}, "do": {"meters": {"patience": 1}}},
    ]
    rules = RULES.validate_python(never + hits)
    st = State(meters={"patience": 10})
    m = Matcher(RuleSet.of(rules), st, {})
    chosen = m.choose({"greet"}, set(), frozenset(), lambda: 0.0, lambda e: None)
    assert chosen is not None and chosen.id == "greet-back"
    assert m.examined == 2


def test_a_fact_forgotten_by_a_reaction_is_false_for_the_rules_after_it() -> None:
    """The counters cannot take an atom back: forgetting a tested fact recounts the state."""
    rules = [
        {"id": "learn", "when": {"acts": ["greet"]}, "do": {"remember": ["f1"]}},
        {"id": "unlearn", "when": {"acts": ["ask_reason"]}, "do": {"forget": ["f1"]}},
        {"id": "needs-f1", "priority": 1, "when": {"facts": ["f1"]}, "say": ["With."]},
        {"id": "without-f1", "when": {"not_facts": ["f1"]}, "say": ["Without."]},
    ]
    loaded = loaded_with(rules, 0)
    for s in (CallSession(loaded), RuleByRule(loaded)):
        s.connect()
        replies = [s._respond({act}, set())[0].rule for act in ("greet", "ask_reason", "greet")]
        assert replies == ["needs-f1", "without-f1", "needs-f1"]
