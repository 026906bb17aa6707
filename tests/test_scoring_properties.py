"""Properties every scorecard keeps, whatever the call: bounded, deterministic, not gameable by
misconduct, and live-safe. Calls are generated as transcripts with random acts, events, debtor
tags, preparation, notes and agreements, against scenarios with random scoring options.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from collectsim.acts import ACTS
from collectsim.engine import CallSession
from collectsim.models import DEBTOR_TAGS, EVENTS, OUTCOMES, Loaded, Persona, Scenario
from collectsim.scoring import score
from collectsim.transcript import Agreement, CallRecord, Turn

KEYS = {"preparation", "professionalism", "empathy", "close", "overall"}
END_ONLY = {"summary_matches", "next_steps", "notes_outcome", "polite_end", "success_outcome"}

PERSONA = TypeAdapter(Persona).validate_python(
    {
        "id": "p",
        "type": "test",
        "stages": ["opening", "talking"],
        "rules": [
            {"id": "why", "when": {"acts": ["ask_reason"]}, "do": {"tag": ["give_reason"]},
             "say": ["Money is tight.", "I was ill.", "My client didn't pay me."]},
            {"id": "drift", "when": {"chance": 0.3}, "do": {"tag": ["drift"]},
             "say": ["Did I tell you about my dog?", "Lovely weather today."]},
            {"id": "ok", "when": {"acts": ["offer_plan"]},
             "do": {"tag": ["agree"], "outcome": "payment_plan"}, "say": ["Fine."]},
        ],
        "fallback": {"default": ["Okay.", "Mm-hm.", "Go on."]},
    }
)


def scenario(**extra: Any) -> Scenario:
    return TypeAdapter(Scenario).validate_python(
        {
            "id": "s",
            "title": "S",
            "persona": "p",
            "case": {
                "creditor": {"name": "Acme"},
                "collector": {"name": "Sam"},
                "debtor": {"name": "Chris Lee"},
                "invoices": [{"number": "4471", "amount": 1200, "due": "2026-10-03"}],
            },
            "authority": {"plan": {"max_months": 6}},
            "success": ["payment_plan"],
            **extra,
        }
    )


loadeds = st.builds(
    lambda call_type, plan_required, weights, traits: Loaded(
        scenario=scenario(call_type=call_type, plan_required=plan_required,
                          rubric={"weights": weights}),
        persona=PERSONA,
        traits=traits,
        meters={},
    ),
    st.sampled_from(["first_party", "agency"]),
    st.booleans(),
    st.dictionaries(st.sampled_from(["preparation", "professionalism", "empathy", "close"]),
                    st.sampled_from([0.5, 1.0, 2.0, 3.0]), max_size=4),
    st.fixed_dictionaries({"right_party": st.sampled_from([0.0, 1.0]),
                           "hardship": st.sampled_from([0.0, 1.0]),
                           "monthly_budget": st.just(200.0)}),
)

amounts = st.lists(st.sampled_from([200.0, 250.0, 1200.0, 999.0]), max_size=2)
dates = st.lists(st.sampled_from(["Friday", "the 1st of December", "Dec 1", "October 3"]),
                 max_size=1)
trainee = st.builds(
    lambda text, acts, events, a, d: Turn(
        0, "trainee", text, acts=tuple(sorted(acts, key=ACTS.index)), events=tuple(events),
        slots=(("amounts", a), ("dates", d)),
    ),
    st.sampled_from(["Hello", "About the invoice", "I understand", "Pay now", "Goodbye"]),
    st.sets(st.sampled_from(ACTS), max_size=3),
    st.sets(st.sampled_from(EVENTS), max_size=2),
    amounts,
    dates,
)
debtor = st.builds(
    lambda text, tags: Turn(0, "debtor", text, tags=tuple(tags)),
    st.sampled_from(["Hello?", "I can't pay", "Fine", "My dog..."]),
    st.sets(st.sampled_from(DEBTOR_TAGS), max_size=2),
)
note = st.builds(lambda text: Turn(0, "system", text, kind="note"),
                 st.sampled_from(["payment plan agreed 200 a month", "refused", "nice chat"]))
prep = st.builds(lambda kind: Turn(0, "system", kind, kind=kind, in_call=False),
                 st.sampled_from(["send_documents", "check_payments", "plan"]))


@st.composite
def records(draw: st.DrawFn) -> CallRecord:
    before = draw(st.lists(prep, max_size=3))
    during = draw(st.lists(st.one_of(trainee, debtor, note), max_size=14))
    turns = [*before, *(dataclasses.replace(t, in_call=True) for t in during)]
    turns = [dataclasses.replace(t, n=i + 1) for i, t in enumerate(turns)]
    finished = draw(st.booleans())
    outcome = draw(st.sampled_from(OUTCOMES))
    agreement = None
    debtor_turns = [t.n for t in turns if t.speaker == "debtor"]
    if debtor_turns and draw(st.booleans()):
        agreement = Agreement(
            outcome=outcome, turn=draw(st.sampled_from(debtor_turns)),
            total=draw(st.sampled_from([None, 1200.0])),
            instalment=draw(st.sampled_from([None, 200.0])),
            dates=tuple(draw(dates)),
        )
    return CallRecord(
        scenario="s", seed=0, outcome=outcome, turns=tuple(turns),
        notes=tuple(t.text for t in turns if t.kind == "note"),
        agreement=agreement, finished=finished,
        ended_by=draw(st.sampled_from(["trainee", "debtor"])) if finished else None,
    )


def with_threat(record: CallRecord) -> CallRecord:
    threat = Turn(len(record.turns) + 1, "trainee", "Pay or I'll have you arrested.",
                  acts=("threaten",))
    return dataclasses.replace(record, turns=(*record.turns, threat))


@settings(max_examples=100, deadline=None)
@given(records(), loadeds)
def test_scores_are_whole_numbers_from_0_to_100(record: CallRecord, loaded: Loaded) -> None:
    card = score(record, loaded)
    assert set(card.scores) == KEYS
    for value in card.scores.values():
        assert type(value) is int and 0 <= value <= 100
    for f in card.findings:
        assert f.points != 0 and f.tip and f.criterion
        assert f.turn is None or any(t.n == f.turn for t in record.turns)


@settings(max_examples=100, deadline=None)
@given(records(), loadeds)
def test_appending_a_threat_never_raises_any_score(record: CallRecord, loaded: Loaded) -> None:
    before = score(record, loaded)
    after = score(with_threat(record), loaded)
    for key in KEYS:
        assert after.scores[key] <= before.scores[key], key
    assert after.capped
    assert after.scores["overall"] <= 40


@settings(max_examples=100, deadline=None)
@given(records(), loadeds)
def test_same_call_same_card(record: CallRecord, loaded: Loaded) -> None:
    """Scoring is a pure function: same input, same card; engine-internal state is ignored.

    (Persona facts count only where a criterion asks for them: fact_present/fact_absent, or
    outcome_in's unless_fact; the facts below are ones no default criterion reads.)
    """
    first = score(record, loaded)
    assert score(copy.deepcopy(record), loaded) == first
    internal = dataclasses.replace(record, facts=frozenset({"agreement", "debt_paid"}),
                                   final_stage="x", final_meters=(("patience", 1.0),), seed=99)
    assert score(internal, loaded) == first


CAPPED = {"id": "capped", "dimension": "close", "points": 10, "label": "said the deadline",
          "tip": "Say it.", "check": "phrase", "args": {"pattern": "deadline"},
          "cap": {"close": 50, "overall": 60}}


def with_criterion(loaded: Loaded, criterion: dict[str, Any]) -> Loaded:
    rubric = dataclasses.replace(loaded.scenario.rubric, criteria=(criterion,))
    return dataclasses.replace(
        loaded, scenario=dataclasses.replace(loaded.scenario, rubric=rubric))


@settings(max_examples=100, deadline=None)
@given(records(), loadeds)
def test_a_criterions_own_cap_only_ever_lowers_scores(record: CallRecord, loaded: Loaded) -> None:
    """The same criterion with and without `cap:`: the cap can only take scores down, to it."""
    uncapped = {k: v for k, v in CAPPED.items() if k != "cap"}
    plain = score(record, with_criterion(loaded, uncapped))
    capped = score(record, with_criterion(loaded, CAPPED))
    for key in KEYS:
        assert capped.scores[key] <= plain.scores[key], key
    if any(f.id == "capped" and f.points < 0 for f in capped.findings):
        assert capped.capped
        assert capped.scores["close"] <= 50 and capped.scores["overall"] <= 60


@settings(max_examples=100, deadline=None)
@given(records(), loadeds)
def test_live_cards_never_charge_end_of_call_criteria(record: CallRecord, loaded: Loaded) -> None:
    live = dataclasses.replace(record, finished=False, ended_by=None)
    card = score(live, loaded)
    assert not {f.id for f in card.findings if f.points < 0} & END_ONLY


LINES = [
    "Hi, this is Sam from Acme, am I speaking with Chris Lee?",
    "I'm calling about invoice 4471 for $1,200.",
    "Can you tell me what happened?",
    "I understand, that sounds hard.",
    "How much could you pay each month?",
    "We could do $200 a month over 6 months.",
    "nice weather huh",
    "Let's get back to the invoice.",
    "PAY NOW!!!",
    "So to confirm, $200 a month from Friday.",
    "I'll send you a written confirmation.",
    "Thanks, goodbye.",
]
ACTIONS = [("send-documents", ""), ("check-payments", ""), ("note", "plan agreed 200 a month"),
           ("wait", "")]
steps = st.lists(
    st.one_of(st.sampled_from(LINES), st.sampled_from(ACTIONS)), min_size=1, max_size=10
)


def play(script: list[Any], seed: int, loaded: Loaded) -> CallRecord:
    session = CallSession(loaded, seed=seed)
    for step in script:
        if session.ended:
            break
        if isinstance(step, tuple):
            session.act(*step)
        else:
            session.say(step)
    session.hang_up()
    return session.record()


@settings(max_examples=100, deadline=None)
@given(steps, st.integers(min_value=0, max_value=3), loadeds)
def test_a_replayed_call_scores_the_same(script: list[Any], seed: int, loaded: Loaded) -> None:
    """The card depends on the transcript, the actions and the seed, nothing else."""
    assert score(play(script, seed, loaded), loaded) == score(play(script, seed, loaded), loaded)
