"""The lookups scoring.Call indexes once per card, and the figures factcheck keeps per case
file, give what scanning the record (or the case file) each time gives, odd records included:
repeated and unordered turn numbers, an act listed twice on one line."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st
from test_scoring_properties import PERSONA, records, scenario

from collectsim.acts import ACTS
from collectsim.analysis import Analysis
from collectsim.factcheck import _ledger, known_amounts, line_events
from collectsim.models import DEBTOR_TAGS, EVENTS, Loaded
from collectsim.scoring import Call
from collectsim.transcript import CallRecord, Turn

LOADED = Loaded(scenario=scenario(), persona=PERSONA, traits={}, meters={})


@st.composite
def odd_records(draw: st.DrawFn) -> CallRecord:
    record = draw(records())
    turns = list(record.turns)
    if turns and draw(st.booleans()):
        ns = draw(st.lists(st.integers(0, len(turns)), min_size=len(turns), max_size=len(turns)))
        turns = [dataclasses.replace(t, n=n) for t, n in zip(turns, ns, strict=True)]
    if turns and draw(st.booleans()):
        i = draw(st.integers(0, len(turns) - 1))
        t = turns[i]
        turns[i] = dataclasses.replace(t, acts=t.acts * 2, events=t.events * 2, tags=t.tags * 2)
    return dataclasses.replace(record, turns=tuple(turns))


names = st.lists(st.sampled_from(ACTS), max_size=4)


@settings(max_examples=300, deadline=None)
@given(odd_records(), names, st.lists(st.sampled_from(EVENTS), max_size=3),
       st.lists(st.sampled_from(DEBTOR_TAGS), max_size=3), st.integers(-1, 20))
def test_call_lookups_match_a_scan(
    record: CallRecord, acts: list[str], events: list[str], tags: list[str], after: int
) -> None:
    call = Call(record, LOADED)
    lines = [t for t in record.turns if t.speaker == "trainee"]
    assert call.lines == tuple(lines)
    assert call.debtor == tuple(t for t in record.turns if t.speaker == "debtor")
    doing = [t for t in lines if set(acts) & set(t.acts) or set(events) & set(t.events)]
    assert call.doing(acts, events) == doing
    assert call.first(acts, after) == next(
        (t for t in lines if t.n > after and set(acts) & set(t.acts)), None)
    assert call.tagged(tags) == [t for t in call.debtor if set(tags) & set(t.tags)]
    for kind in ("note", "plan", "send_documents", "call_start", "decide"):
        assert list(call.system(kind)) == [
            t for t in record.turns if t.speaker == "system" and t.kind == kind]
    assert call.made == any(t.kind == "call_start" or t.speaker != "system" for t in record.turns)


def test_a_case_file_s_figures_are_its_own() -> None:
    cheap = scenario().case
    dear = dataclasses.replace(cheap, invoices=(dataclasses.replace(cheap.invoices[0],
                                                                    amount=5000.0),))
    for case in (cheap, dear, cheap):
        ledger = _ledger(case)
        assert ledger.balance == case.outstanding()
        assert list(ledger.amounts) == known_amounts(case)
    line = Analysis(text="The invoice for $1,200.", acts=("state_facts",), amounts=(1200.0,))
    s = LOADED.scenario

    def events(case: object) -> set[str]:
        return line_events(line, case, verified=True, debt_paid=False, traits={},  # type: ignore[arg-type]
                           authority=s.authority)[0]

    assert "correct_amount" in events(cheap)
    assert "wrong_amount" in events(dear)


def test_turn_numbers_need_not_be_in_order() -> None:
    a = Turn(5, "trainee", "first", acts=("greet",))
    b = Turn(2, "trainee", "second", acts=("greet", "greet"))
    call = Call(CallRecord(scenario="s", seed=0, outcome="no_agreement", turns=(a, b)), LOADED)
    assert call.first(("greet",)) is a
    assert call.first(("greet",), after=4) is a
    assert call.first(("greet",), after=5) is None
    assert call.doing(("greet",)) == [a, b]
