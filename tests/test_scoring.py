"""The scorecard, judged the way a trainee would: did the right lines earn and lose the points?

Most tests build a transcript directly (turns with acts, events and debtor tags), so each one
states exactly the behaviour it scores. A few drive a `CallSession` to check the scorer on what
the engine really produces, and the core-scenario tests replay scripted calls end to end.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from collectsim.engine import CallSession
from collectsim.models import Loaded, Persona, Scenario
from collectsim.rubric import (
    CHECKS,
    RubricError,
    load_rubric,
    parse_criterion,
    parse_rubric,
    validate_overrides,
)
from collectsim.scoring import Scorecard, render_scorecard, score
from collectsim.transcript import Agreement, CallRecord, Turn

# --- building calls -----------------------------------------------------------------------------

CASE: dict[str, Any] = {
    "creditor": {"name": "Acme Tools"},
    "collector": {"name": "Sam", "company": "Acme Tools"},
    "debtor": {"name": "Chris Lee"},
    "invoices": [{"number": "4471", "amount": 1200, "due": "2026-10-03"}],
}
PERSONA: dict[str, Any] = {
    "id": "tester",
    "type": "test",
    "stages": ["opening", "talking", "agreed"],
    "traits": {"monthly_budget": 200, "right_party": 1},
    "rules": [
        {"id": "why", "when": {"acts": ["ask_reason"]}, "do": {"tag": ["give_reason"]},
         "say": ["I lost my job last month."]},
        {"id": "plan-ok", "when": {"acts": ["offer_plan"], "events": ["offer_affordable"]},
         "do": {"tag": ["agree"], "outcome": "payment_plan", "stage": "agreed"},
         "say": ["Yes, I can do that."]},
        {"id": "bye", "when": {"acts": ["close_call"]}, "do": {"tag": ["goodbye"]},
         "say": ["Bye."]},
    ],
    "fallback": {"default": ["Okay."]},
}


def make_loaded(traits: dict[str, float] | None = None, **scenario: Any) -> Loaded:
    data = {
        "id": "inline",
        "title": "Inline test scenario",
        "persona": "tester",
        "case": CASE,
        "authority": {"plan": {"max_months": 12, "min_instalment": 100}},
        "success": ["payment_plan"],
        **scenario,
    }
    persona = TypeAdapter(Persona).validate_python(PERSONA)
    return Loaded(
        scenario=TypeAdapter(Scenario).validate_python(data),
        persona=persona,
        traits={**persona.traits, **(traits or {})},
        meters={},
    )


def T(text: str, *acts: str, events: tuple[str, ...] = (), amounts: tuple[float, ...] = (),
      dates: tuple[str, ...] = ()) -> Turn:
    slots = (("amounts", list(amounts)), ("dates", list(dates)))
    return Turn(0, "trainee", text, acts=acts, events=events, slots=slots)


def D(text: str, *tags: str) -> Turn:
    return Turn(0, "debtor", text, tags=tags)


def S(kind: str, text: str = "", in_call: bool = False) -> Turn:
    return Turn(0, "system", text or kind, kind=kind, in_call=in_call)


def call(*turns: Turn, finished: bool = True, outcome: str = "no_agreement",
         terms: dict[str, Any] | None = None, ended_by: str | None = "trainee") -> CallRecord:
    """A record from turns (numbered here); `terms` make an agreement at the first 'agree'."""
    numbered = tuple(dataclasses.replace(t, n=i + 1) for i, t in enumerate(turns))
    agreement = None
    if terms is not None:
        at = next(t.n for t in numbered if {"agree", "promise"} & set(t.tags))
        agreement = Agreement(outcome=outcome, turn=at, **terms)
    return CallRecord(
        scenario="inline", seed=0, outcome=outcome, turns=numbered,
        notes=tuple(t.text for t in numbered if t.kind == "note"),
        agreement=agreement, ended_by=ended_by if finished else None,  # type: ignore[arg-type]
        finished=finished,
    )


PLAN = {"total": 1200.0, "instalment": 200.0, "instalments": 6, "dates": ("the 1st of December",)}


def good_turns() -> list[Turn]:
    """An exemplary call against the inline scenario, as the analyser would tag it."""
    return [
        S("send_documents", "Sent invoice to the debtor before the call."),
        S("check_payments", "Ledger checked: no payments received. Outstanding: $1,200."),
        S("call_start", "Calling Chris Lee...", in_call=True),
        D("Hello?"),
        T("Hi, this is Sam from Acme Tools, am I speaking with Chris Lee?",
          "greet", "introduce_self", "verify_identity"),
        D("Yes, speaking.", "answer"),
        T("I'm calling about invoice 4471 for $1,200, due on October 3rd.",
          "state_purpose", "state_facts", events=("correct_amount", "correct_invoice"),
          amounts=(1200,), dates=("October 3rd",)),
        D("Oh. Right.", "answer"),
        T("Can you tell me what's been happening?", "ask_reason"),
        D("I lost my job last month.", "give_reason"),
        T("I'm sorry to hear that, that sounds really hard.", "empathize"),
        D("Thanks.", "calm_down"),
        T("What could you realistically pay each month?", "ask_affordability"),
        D("Maybe $200.", "counter_offer"),
        T("We can do $200 a month over 6 months starting the 1st of December.", "offer_plan",
          events=("offer_affordable",), amounts=(200,), dates=("the 1st of December",)),
        D("Yes, I can do that.", "agree"),
        T("So to confirm: $200 a month for 6 months from the 1st of December, by card.",
          "summarize_agreement", amounts=(200,), dates=("the 1st of December",)),
        D("That's right.", "agree"),
        T("I'll email you a written confirmation today and a reminder before each payment.",
          "next_steps"),
        S("note", "Payment plan agreed: $200 a month for 6 months from Dec 1.", in_call=True),
        T("Thanks for your time, Chris. Goodbye.", "close_call"),
        D("Bye.", "goodbye"),
        S("call_end", "Call ended. Outcome: payment_plan.", in_call=True),
    ]


def good_call(**kw: Any) -> CallRecord:
    return call(*good_turns(), outcome="payment_plan", terms=PLAN, **kw)


def by_id(card: Scorecard, cid: str) -> list[Any]:
    return [f for f in card.findings if f.id == cid]


def points(card: Scorecard, cid: str) -> int:
    return sum(f.points for f in by_id(card, cid))


def replace_line(turns: list[Turn], old: str, new: Turn | None) -> list[Turn]:
    """The same call with one trainee line changed (or dropped)."""
    out = [t for t in turns if t.text != old]
    if new is not None:
        out.insert(next(i for i, t in enumerate(turns) if t.text == old), new)
    assert len(out) == len(turns) - (new is None)
    return out


# --- the rubric file and its validation ----------------------------------------------------


def test_default_rubric_covers_every_dimension_with_tips_and_known_checks() -> None:
    rubric = load_rubric()
    dims = {c.dimension for c in rubric.criteria}
    assert dims == {"preparation", "professionalism", "empathy", "close"}
    for c in rubric.criteria:
        assert c.check in CHECKS
        assert c.tip, f"{c.id} has no tip"
        assert c.label
    assert rubric.caps == {"professionalism": 20, "overall": 40}
    critical = {c.flag for c in rubric.criteria if c.critical}
    assert critical == {
        "threaten", "insult", "pressure", "third_party_disclosure", "contact_barred"
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"id": "x", "dimension": "empathy", "points": 5, "label": "l", "check": "no_such"},
         "criterion 'x': unknown check 'no_such'"),
        ({"id": "x", "dimension": "empathy", "points": 5, "label": "l", "check": "act_within",
          "args": {"act": "state_purpse"}}, "did you mean 'state_purpose'"),
        ({"id": "x", "dimension": "empathy", "points": 5, "label": "l", "check": "act_within"},
         "criterion 'x': check 'act_within' needs args.act"),
        ({"id": "x", "dimension": "empaty", "points": 5, "label": "l", "check": "no_act"},
         "did you mean 'empathy'"),
        ({"id": "x", "dimension": "empathy", "points": 0, "label": "l", "check": "no_act",
          "args": {"act": "dismiss"}}, "points must be a whole number other than 0"),
        ({"id": "x", "dimension": "empathy", "points": -5, "label": "l", "check": "no_act",
          "args": {"act": "dismiss"}, "critical": True}, "critical needs a flag"),
        ({"id": "x", "dimension": "close", "points": 5, "label": "l", "check": "phrase",
          "args": {"pattern": "dead(line"}}, "not a valid regular expression"),
        ({"id": "x", "dimension": "close", "points": 5, "label": "l", "check": "phrase",
          "args": {"pattern": "a", "colour": "red"}}, "has no argument 'colour'"),
        ({"id": "x", "dimension": "close", "points": 5, "label": "l", "check": "no_act",
          "args": {"act": "dismiss"}, "only_if": {"call_typ": "agency"}},
         "did you mean 'call_type'"),
    ],
)
def test_invalid_criteria_are_refused_with_the_criterion_named(raw: dict, message: str) -> None:
    with pytest.raises(RubricError) as err:
        parse_criterion(raw)
    assert message in str(err.value)


def test_rubric_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "mine.yaml"
    bad.write_text("criteria:\n  - {id: a, dimension: close, points: 5, label: l, check: nope}\n")
    with pytest.raises(RubricError, match=r"mine\.yaml.*unknown check 'nope'"):
        load_rubric(bad)
    dup = tmp_path / "dup.yaml"
    dup.write_text(
        "criteria:\n"
        "  - {id: a, dimension: close, points: 5, label: l, check: no_act, args: {act: dismiss}}\n"
        "  - {id: a, dimension: close, points: 5, label: l, check: no_act, args: {act: insult}}\n"
    )
    with pytest.raises(RubricError, match="'a' is used twice"):
        load_rubric(dup)


def test_scenario_overrides_are_validated_with_clear_errors() -> None:
    bad_disable = make_loaded(rubric={"disable": ["smal_talk"]})
    with pytest.raises(RubricError, match="did you mean 'small_talk'"):
        score(good_call(), bad_disable)
    bad_criterion = make_loaded(rubric={"criteria": [
        {"id": "deadline", "dimension": "close", "points": 10, "label": "deadline",
         "check": "phrase"}]})
    with pytest.raises(RubricError, match=r"'deadline': check 'phrase' needs args\.pattern"):
        score(good_call(), bad_criterion)
    clash = make_loaded(rubric={"criteria": [
        {"id": "polite_end", "dimension": "close", "points": 10, "label": "x",
         "check": "act_present", "args": {"act": "close_call"}}]})
    with pytest.raises(RubricError, match="'polite_end' already exists"):
        score(good_call(), clash)


def test_scenario_rubric_blocks_can_be_checked_without_playing() -> None:
    ok = make_loaded(rubric={"weights": {"empathy": 2}, "disable": ["small_talk"]})
    rubric = validate_overrides(ok.scenario.rubric)
    assert rubric.weights["empathy"] == 2
    assert "small_talk" not in {c.id for c in rubric.criteria}
    bad = make_loaded(rubric={"criteria": [{"id": "x", "dimension": "close", "points": 5,
                                            "label": "x", "check": "no_act",
                                            "args": {"act": "thretaen"}}]})
    with pytest.raises(RubricError, match="did you mean 'threaten'"):
        validate_overrides(bad.scenario.rubric)


def test_parse_rubric_rejects_bad_weights_and_caps() -> None:
    ok = [{"id": "a", "dimension": "close", "points": 5, "label": "l", "check": "no_act",
           "args": {"act": "insult"}}]
    with pytest.raises(RubricError, match="unknown dimension 'kindness'"):
        parse_rubric({"weights": {"kindness": 2}, "criteria": ok})
    with pytest.raises(RubricError, match="at least one dimension"):
        parse_rubric({"weights": dict.fromkeys(
            ("preparation", "professionalism", "empathy", "close"), 0), "criteria": ok})
    with pytest.raises(RubricError, match=r"caps\.overall"):
        parse_rubric({"caps": {"overall": 140}, "criteria": ok})


# --- an exemplary call ------------------------------------------------------------------------


def test_exemplary_call_scores_full_marks_with_evidence_for_every_point() -> None:
    card = score(good_call(), make_loaded())
    assert card.scores == {"preparation": 100, "professionalism": 100, "empathy": 100,
                           "close": 100, "overall": 100}
    assert card.flags == ()
    assert not card.capped
    assert all(f.points > 0 for f in card.findings)
    # Every point is tied to the line that earned it (except "never did X" kinds of credit).
    for f in card.findings:
        if f.id not in ("respectful_tone", "listened"):
            assert f.turn is not None and f.evidence, f
    summary = by_id(card, "summary_matches")[0]
    assert summary.evidence.startswith("So to confirm")
    # Points in each dimension are shares of 100.
    for dim in ("preparation", "professionalism", "empathy", "close"):
        assert sum(f.points for f in card.findings if f.dimension == dim) == 100


def test_scorecard_json_has_the_cli_contract_keys() -> None:
    card = score(call(*good_turns()[:6], T("I'll have you ARRESTED", "threaten")), make_loaded())
    data = card.to_json()
    assert set(data) == {"scores", "flags", "findings"}
    assert set(data["scores"]) == {"preparation", "professionalism", "empathy", "close", "overall"}
    assert all(isinstance(v, int) for v in data["scores"].values())
    assert set(data["flags"][0]) == {"kind", "turn", "text", "critical"}
    assert set(data["findings"][0]) == {"dimension", "criterion", "points", "turn", "evidence",
                                        "tip", "id"}


# --- preparation ----------------------------------------------------------------------------


def test_documents_sent_during_the_call_do_not_count_as_preparation() -> None:
    turns = [t for t in good_turns() if t.kind != "send_documents"]
    turns.insert(5, S("send_documents", "Sent invoice to the debtor during the call.", True))
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    (f,) = by_id(card, "documents_sent")
    assert f.points < 0
    assert f.evidence == "Sent invoice to the debtor during the call."
    assert card.scores["preparation"] < 100


def test_wrong_amount_loses_points_with_the_quote_as_evidence() -> None:
    wrong = T("I'm calling about invoice 4471 for $2,100.", "state_purpose", "state_facts",
              events=("wrong_amount", "correct_invoice"), amounts=(2100,))
    turns = replace_line(good_turns(), good_turns()[6].text, wrong)
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    (f,) = by_id(card, "wrong_facts")
    assert f.points == -10
    assert f.evidence == wrong.text
    assert f.turn == 7
    assert card.scores["preparation"] == 90  # the invoice number was still right


def test_discussing_the_debt_before_verifying_loses_at_that_line() -> None:
    turns = good_turns()
    turns[4] = T("Hi, this is Sam from Acme Tools about your unpaid invoice.",
                 "greet", "introduce_self", "state_purpose", events=("disclosed_unverified",))
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    (f,) = by_id(card, "right_party_first")
    assert f.points < 0 and f.turn == 5
    assert "unpaid invoice" in f.evidence


def test_payments_check_is_required_before_asking_for_money_only() -> None:
    no_check = [t for t in good_turns() if t.kind != "check_payments"]
    # Never asked for money outright: nothing to check before, so nothing charged.
    card = score(call(*no_check, outcome="payment_plan", terms=PLAN), make_loaded())
    assert by_id(card, "payments_checked") == []
    asks = T("Can you pay the $1,200 today?", "request_payment", amounts=(1200,))
    card = score(call(*no_check[:6], asks, D("No.", "refuse")), make_loaded())
    (f,) = by_id(card, "payments_checked")
    assert f.points < 0 and f.evidence == asks.text


def test_plan_for_outcomes_is_scored_only_where_the_scenario_asks_for_it() -> None:
    plain = score(good_call(), make_loaded())
    assert by_id(plain, "plan_made") == []
    required = score(good_call(), make_loaded(plan_required=True))
    (f,) = by_id(required, "plan_made")
    assert f.points < 0 and f.turn is None
    planned = good_turns()
    planned[:0] = [S("plan", "Plan if payment_plan: up to 6 months"),
                   S("plan", "Plan if refuses: demand letter")]
    card = score(call(*planned, outcome="payment_plan", terms=PLAN),
                 make_loaded(plan_required=True))
    assert points(card, "plan_made") > 0


# --- professionalism ------------------------------------------------------------------------


def test_purpose_after_the_second_line_is_late_and_the_small_talk_is_quoted() -> None:
    turns = good_turns()
    chat1 = T("How's the weather over there?", "small_talk")
    chat2 = T("Did you watch the game last night?", "small_talk")
    chat3 = T("My team lost again, can you believe it?", "small_talk")
    turns[6:6] = [chat1, D("Fine."), chat2, D("No."), chat3, D("Okay...")]
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    (late,) = by_id(card, "purpose_early")
    assert late.points < 0 and late.evidence == chat1.text  # what was said instead
    chat = by_id(card, "small_talk")
    assert [f.evidence for f in chat] == [chat2.text, chat3.text]  # one remark is fine
    assert card.scores["professionalism"] < 60


def test_redirect_is_credited_only_when_it_answers_a_drift() -> None:
    turns = good_turns()
    redirect = T("Let's get back to the invoice, shall we?", "redirect")
    turns[8:8] = [redirect, D("Sure.")]
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    assert by_id(card, "redirected_drift") == []  # nothing to redirect: no credit, no loss
    drifted = good_turns()
    drifted[7] = D("Oh, that reminds me of my cousin's wedding...", "drift")
    drifted[8:8] = [redirect, D("Right, sorry.")]
    card = score(call(*drifted, outcome="payment_plan", terms=PLAN), make_loaded())
    (f,) = by_id(card, "redirected_drift")
    assert f.points > 0 and f.turn == 9
    ignored = good_turns()
    ignored[7] = D("Oh, that reminds me of my cousin's wedding...", "drift")
    card = score(call(*ignored, outcome="payment_plan", terms=PLAN), make_loaded())
    (f,) = by_id(card, "redirected_drift")
    assert f.points < 0 and f.evidence == ignored[8].text


def test_threat_raises_a_critical_flag_and_caps_the_score() -> None:
    turns = good_turns()
    threat = T("Pay today or I'll send someone round to your house.", "threaten")
    turns.insert(10, threat)
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    (flag,) = card.flags
    assert (flag.kind, flag.turn, flag.text, flag.critical) == ("threaten", 11, threat.text, True)
    assert card.capped
    assert card.scores["professionalism"] <= 20
    assert card.scores["overall"] <= 40
    assert points(card, "threaten") == -30
    assert by_id(card, "respectful_tone")[0].evidence == threat.text


def test_shouting_and_dismissing_are_flagged_but_do_not_cap() -> None:
    turns = good_turns()
    turns.insert(10, T("THAT IS NOT MY PROBLEM!!!", "dismiss", events=("shouting",)))
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    assert {(f.kind, f.critical) for f in card.flags} == {("shouting", False), ("dismiss", False)}
    assert not card.capped
    assert card.scores["empathy"] < 100 and card.scores["professionalism"] < 100
    assert card.scores["overall"] > 40


def test_discussing_the_debt_with_a_third_party_is_critical() -> None:
    turns = [
        S("call_start", in_call=True), D("Hello, Chris's phone, this is Pat."),
        T("Hi Pat, I'm calling about Chris's overdue invoice of $1,200.", "greet",
          "state_purpose", "state_facts", amounts=(1200,)),
        D("Oh? I'm just the roommate."),
    ]
    card = score(call(*turns), make_loaded(traits={"right_party": 0}))
    assert [(f.kind, f.critical) for f in card.flags] == [("third_party_disclosure", True)]
    assert card.scores["overall"] <= 40
    # The same line to the debtor themself is no disclosure.
    assert score(call(*turns), make_loaded()).flags == ()


def test_agency_call_needs_the_collector_disclosure() -> None:
    agency = make_loaded(call_type="agency")
    card = score(good_call(), agency)
    (f,) = by_id(card, "collector_disclosure")
    assert f.points < 0
    assert [fl.kind for fl in card.flags] == ["missing_disclosure"]
    turns = good_turns()
    turns[6] = dataclasses.replace(turns[6], acts=(*turns[6].acts, "disclose_collector"))
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), agency)
    assert points(card, "collector_disclosure") > 0 and card.flags == ()
    assert by_id(score(good_call(), make_loaded()), "collector_disclosure") == []


def test_missing_disclosure_points_at_the_first_line_that_discusses_the_debt() -> None:
    """Not at the third line: at the first line that raised the debt without the disclosure."""
    agency = make_loaded(call_type="agency")
    invoice_line = good_turns()[6].text  # "I'm calling about invoice 4471 for $1,200..."
    card = score(good_call(), agency)
    (f,) = by_id(card, "collector_disclosure")
    assert f.points < 0 and f.evidence == invoice_line
    (flag,) = card.flags
    assert flag.kind == "missing_disclosure" and flag.turn == f.turn == 7
    # A disclosure given only after the debt came up still points at where the debt came up.
    turns = good_turns()
    turns[10] = dataclasses.replace(turns[10], acts=(*turns[10].acts, "disclose_collector"))
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), agency)
    (f,) = by_id(card, "collector_disclosure")
    assert f.points < 0 and f.evidence == invoice_line
    # A debt first raised on a later line (after small talk) is cited there.
    turns = good_turns()
    turns[6] = T("Lovely weather today, isn't it?", "small_talk")
    turns[8] = T("I'm calling about invoice 4471 for $1,200.", "state_purpose",
                 events=("correct_amount",), amounts=(1200,))
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), agency)
    (f,) = by_id(card, "collector_disclosure")
    assert f.evidence == "I'm calling about invoice 4471 for $1,200." and f.turn == 9
    assert [(fl.kind, fl.turn) for fl in card.flags] == [("missing_disclosure", 9)]


def test_the_agency_disclosure_line_does_not_make_the_purpose_late() -> None:
    """Verify, then disclose, then state the purpose: the natural agency opening is on time."""
    agency = make_loaded(call_type="agency")
    turns = good_turns()
    turns[6:6] = [
        T("This is an attempt to collect a debt by a debt collector.", "disclose_collector"),
        D("Oh."),
    ]
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), agency)
    assert points(card, "purpose_early") > 0 and points(card, "collector_disclosure") > 0
    chat = T("Lovely weather today, isn't it?", "small_talk", "disclose_collector")
    turns[6] = chat  # a disclosure buried in small talk is still a delay
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), agency)
    assert points(card, "purpose_early") < 0


# --- empathy ---------------------------------------------------------------------------------


def test_saying_i_understand_every_line_farms_nothing() -> None:
    """Empathy earns points only where it answers the debtor, and only once per reason."""
    base = score(good_call(), make_loaded())
    farmed = [
        dataclasses.replace(t, acts=(*t.acts, "empathize"), text=t.text + " I understand.")
        if t.speaker == "trainee" else t
        for t in good_turns()
    ]
    card = score(call(*farmed, outcome="payment_plan", terms=PLAN), make_loaded())
    assert card.scores == base.scores
    assert len(by_id(card, "acknowledged_reason")) == 1


def test_sympathy_that_answers_nothing_is_not_credited() -> None:
    turns = good_turns()
    # The debtor explains; the trainee moves straight on and says "I understand" much later.
    turns[10] = T("So, about the money.", "request_payment")
    turns.insert(14, T("I understand.", "empathize"))
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    (f,) = by_id(card, "acknowledged_reason")
    assert f.points < 0 and f.turn == 11 and f.evidence == "So, about the money."


def test_asking_for_money_before_the_reason_loses_empathy() -> None:
    turns = good_turns()
    demand = T("I need the full $1,200 paid today.", "request_payment", amounts=(1200,))
    turns.insert(8, demand)
    turns.insert(9, D("I can't.", "refuse"))
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    (f,) = by_id(card, "asked_reason")
    assert f.points < 0 and f.evidence == demand.text


def test_pushing_past_what_is_affordable_after_a_refusal_loses() -> None:
    turns = good_turns()
    push = T("Then make it $600 a month.", "offer_plan", events=("offer_unaffordable",),
             amounts=(600,))
    turns[14:14] = [push, D("I can't do that.", "refuse")]
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    (f,) = by_id(card, "pushed_past_limit")
    assert f.points == -15 and f.evidence == push.text


def test_interrupting_loses_empathy_each_time_up_to_the_limit() -> None:
    turns = good_turns()
    for i in (8, 10, 12):
        turns[i] = dataclasses.replace(turns[i], events=("interruption",))
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    assert [f.points for f in by_id(card, "interrupted")] == [-10, -10]


def test_sympathy_counts_for_more_with_a_genuine_hardship() -> None:
    """With the hardship trait, a call that ignores the reason loses more empathy."""
    turns = good_turns()
    turns[10] = T("Okay.")
    record = call(*turns, outcome="payment_plan", terms=PLAN)
    plain = score(record, make_loaded())
    hardship = score(record, make_loaded(traits={"hardship": 1}))
    assert by_id(plain, "hardship_acknowledged") == []
    assert points(hardship, "hardship_acknowledged") < 0
    assert hardship.scores["empathy"] < plain.scores["empathy"]
    assert score(good_call(), make_loaded(traits={"hardship": 1})).scores["empathy"] == 100


# --- close -----------------------------------------------------------------------------------


def _with_summary(line: Turn) -> CallRecord:
    turns = replace_line(good_turns(), good_turns()[16].text, line)
    return call(*turns, outcome="payment_plan", terms=PLAN)


def test_a_summary_stuffed_with_keywords_but_no_amount_earns_nothing() -> None:
    stuffed = T("To summarise the agreement we agreed on the agreed terms, confirmed.",
                "summarize_agreement")
    card = score(_with_summary(stuffed), make_loaded())
    (f,) = by_id(card, "summary_matches")
    assert f.points < 0 and f.evidence == stuffed.text


def test_a_summary_with_the_wrong_amount_or_date_earns_nothing() -> None:
    wrong_amount = T("So that's $250 a month from the 1st of December.", "summarize_agreement",
                     amounts=(250,), dates=("the 1st of December",))
    assert points(score(_with_summary(wrong_amount), make_loaded()), "summary_matches") < 0
    wrong_date = T("So that's $200 a month from the 15th of January.", "summarize_agreement",
                   amounts=(200,), dates=("the 15th of January",))
    assert points(score(_with_summary(wrong_date), make_loaded()), "summary_matches") < 0
    other_words = T("Right: 200 dollars every month, first one Dec 1.", "summarize_agreement",
                    amounts=(200,), dates=("Dec 1",))
    assert points(score(_with_summary(other_words), make_loaded()), "summary_matches") > 0


def test_without_an_agreement_a_calm_next_step_is_what_counts() -> None:
    opening = good_turns()[:10]
    calm = T("I'll send you a letter confirming the balance and call again next week.",
             "next_steps")
    angry = T("Next step is legal, and they'll take everything you own.", "next_steps",
              "threaten")
    end = [T("Thanks, goodbye.", "close_call"), D("Bye.", "goodbye")]
    card = score(call(*opening, calm, D("Okay."), *end), make_loaded())
    assert by_id(card, "summary_matches") == []  # no agreement: no summary expected
    assert points(card, "next_steps") > 0
    card = score(call(*opening, angry, D("..."), *end), make_loaded())
    (f,) = by_id(card, "next_steps")
    assert f.points < 0 and f.evidence == angry.text


def test_notes_must_record_the_outcome() -> None:
    def with_note(text: str) -> Scorecard:
        turns = [S("note", text, True) if t.kind == "note" else t for t in good_turns()]
        return score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())

    assert points(with_note("Agreed instalments of 200 monthly."), "notes_outcome") > 0
    assert points(with_note("Chris will pay $200 from December."), "notes_outcome") > 0
    (f,) = by_id(with_note("Nice chat, seemed tired."), "notes_outcome")
    assert f.points < 0 and f.evidence == "Nice chat, seemed tired."
    no_notes = [t for t in good_turns() if t.kind != "note"]
    (f,) = by_id(score(call(*no_notes, outcome="payment_plan", terms=PLAN), make_loaded()),
                 "notes_outcome")
    assert f.points < 0 and f.turn is None and f.evidence is None


def wrong_party_call(note: str | None) -> CallRecord:
    turns = [
        S("call_start", in_call=True),
        D("Good afternoon, clinic reception, Kayla speaking."),
        T("Hi, this is Sam from Acme Tools, could I speak to Chris Lee please?",
          "greet", "introduce_self", "verify_identity"),
        D("She's with a patient, she isn't available right now.", "wrong_person"),
        T("No problem. Could you ask her to call Sam at Acme Tools on 555 0199?", "next_steps"),
        D("Sure, I'll pass it on."),
        T("Thanks Kayla, bye.", "close_call"),
        D("Bye."),
        *([S("note", note, True)] if note is not None else []),
        S("call_end", "Call ended. Outcome: wrong party.", in_call=True),
    ]
    return call(*turns, outcome="wrong_party")


def test_a_complete_note_on_a_wrong_party_call_records_the_outcome() -> None:
    loaded = make_loaded(traits={"right_party": 0})
    good = ("Receptionist answered, Priya unavailable. Left name/company/number only, "
            "no account details. Retry tomorrow after 4pm.")
    (f,) = by_id(score(wrong_party_call(good), loaded), "notes_outcome")
    assert f.points > 0 and f.evidence == good
    for other in ("Colleague picked up, debtor not in. Message left, call again Monday.",
                  "Wrong person answered (roommate). Nothing disclosed; try again tomorrow."):
        assert points(score(wrong_party_call(other), loaded), "notes_outcome") > 0, other
    # Empty or irrelevant notes still earn nothing.
    for bad in ("Nice chat, seemed tired.", "", "ok", "n/a", "Weather was awful today."):
        (f,) = by_id(score(wrong_party_call(bad), loaded), "notes_outcome")
        assert f.points < 0, bad
    (f,) = by_id(score(wrong_party_call(None), loaded), "notes_outcome")
    assert f.points < 0


def test_a_call_the_debtor_hangs_up_on_does_not_assess_the_polite_end() -> None:
    """The debtor ended the call: the trainee had no chance to close, so nothing is charged."""
    turns = [*good_turns()[:14],
             T("We can do $200 a month over 6 months starting the 1st of December.",
               "offer_plan", events=("offer_affordable",), amounts=(200,)),
             D("No. I'm done with this.", "hang_up"),
             S("call_end", "The debtor ended the call. Outcome: hung up.", in_call=True)]
    card = score(call(*turns, outcome="hung_up", ended_by="debtor"), make_loaded())
    assert by_id(card, "polite_end") == [], render_scorecard(card)
    # Other end-of-call criteria are still judged; the same call ended by the trainee is charged.
    assert points(card, "next_steps") < 0
    (f,) = by_id(score(call(*turns, outcome="hung_up"), make_loaded()), "polite_end")
    assert f.points < 0 and f.evidence == turns[-3].text
    # A trainee who closed politely before the debtor put the phone down is still credited.
    closed = [*turns[:-2], T("Thanks for your time, Chris. Goodbye.", "close_call"),
              D("Bye.", "hang_up"), turns[-1]]
    assert points(score(call(*closed, ended_by="debtor"), make_loaded()), "polite_end") > 0


# --- live scoring ------------------------------------------------------------------------------


def prefixes(record: CallRecord) -> list[CallRecord]:
    n = len(record.turns)
    return [dataclasses.replace(record, turns=record.turns[:k], finished=k == n,
                                ended_by=record.ended_by if k == n else None,
                                agreement=record.agreement if record.agreement and
                                record.agreement.turn <= k else None)
            for k in range(1, n + 1)]


END_ONLY = {"summary_matches", "next_steps", "notes_outcome", "polite_end", "success_outcome"}


def test_live_scoring_never_charges_end_of_call_criteria_early() -> None:
    record = call(*good_turns()[:12], T("Hmm.", ), D("Okay."), outcome="payment_plan")
    for partial in prefixes(record)[:-1]:
        card = score(partial, make_loaded())
        charged = {f.id for f in card.findings if f.points < 0}
        assert not charged & END_ONLY, (len(partial.turns), charged)
    # Midway through a good call the coach view already shows the good work so far.
    mid = score(prefixes(record)[9], make_loaded())
    assert mid.scores["preparation"] == 100 and points(mid, "asked_reason") > 0


def test_final_score_equals_the_live_score_at_the_last_turn() -> None:
    for record in (good_call(), call(*good_turns()[:9], T("YOU IDIOT", "insult"))):
        cards = [score(p, make_loaded()) for p in prefixes(record)]
        assert cards[-1] == score(record, make_loaded())
        assert all(isinstance(v, int) for c in cards for v in c.scores.values())


# --- scenario adjustments ------------------------------------------------------------------------


def test_scenario_weights_disable_and_own_criteria() -> None:
    turns = good_turns()
    turns[10] = T("Okay.")  # empathy suffers
    record = call(*turns, outcome="payment_plan", terms=PLAN)
    even = score(record, make_loaded())
    heavy = score(record, make_loaded(rubric={"weights": {"empathy": 3}}))
    assert heavy.scores["empathy"] == even.scores["empathy"]
    assert heavy.scores["overall"] < even.scores["overall"]
    off = score(record, make_loaded(rubric={"disable": ["acknowledged_reason"]}))
    assert by_id(off, "acknowledged_reason") == []
    assert off.scores["empathy"] > even.scores["empathy"]
    deadline = {"id": "deadline", "dimension": "close", "points": 20,
                "label": "mentioned the settlement deadline", "tip": "Say when it must be paid.",
                "check": "phrase", "args": {"pattern": r"\b(deadline|by (the )?\d+)"}}
    own = make_loaded(rubric={"criteria": [deadline]})
    (f,) = by_id(score(record, own), "deadline")
    assert f.points < 0 and f.criterion == "mentioned the settlement deadline"
    turns[18] = T("Remember the deadline is the 1st.", "next_steps")
    said = score(call(*turns, outcome="payment_plan", terms=PLAN), own)
    assert points(said, "deadline") > 0


# --- the printed card ----------------------------------------------------------------------------


def test_rendered_card_is_short_narrow_and_leads_with_best_and_worst() -> None:
    turns = good_turns()
    turns.insert(10, T("Stop making excuses, you liar.", "insult", "dismiss"))
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    text = render_scorecard(card)
    lines = text.splitlines()
    assert all(len(line) <= 100 for line in lines)
    for word in ("preparation", "professionalism", "empathy", "close", "overall", "capped",
                 "CRITICAL", "insult", "STRONGEST", "WEAKEST", "Stop making excuses"):
        assert word in text
    assert text.index("STRONGEST") < text.index("WEAKEST")
    worst = card.weakest(3)
    assert {"insult", "respectful_tone"} <= {f.id for f in worst}
    assert all(f"{f.points:+d}" in text for f in worst)
    assert len(lines) < 45


# --- against the real engine -------------------------------------------------------------------


def test_scoring_a_real_session_replays_identically() -> None:
    """Same scenario, seed and lines give the same card; the card ignores engine internals."""
    script = [
        ("act", "send-documents"), ("act", "check-payments"),
        ("say", "Hi, this is Sam from Acme Tools. Am I speaking with Chris Lee?"),
        ("say", "I'm calling about invoice 4471 for $1,200, which was due on October 3."),
        ("say", "Can you tell me what happened?"),
        ("say", "I'm so sorry to hear that, that must be hard."),
        ("say", "We could do $200 a month over 6 months."),
        ("act", "note", "Payment plan agreed: $200 a month for 6 months."),
        ("say", "Thank you, goodbye."),
        ("act", "end"),
    ]

    def play(seed: int) -> tuple[CallRecord, list[CallRecord]]:
        session = CallSession(make_loaded(), seed=seed)
        live = []
        for kind, *args in script:
            session.act(*args) if kind == "act" else session.say(*args)
            live.append(session.record())
        return session.record(), live

    first, live = play(7)
    again, _ = play(7)
    loaded = make_loaded()
    assert score(first, loaded) == score(again, loaded)
    assert score(live[-1], loaded) == score(first, loaded)
    stripped = dataclasses.replace(first, facts=frozenset(), final_stage=None, final_meters=())
    assert score(stripped, loaded) == score(first, loaded)
    card = score(first, loaded)
    assert card.scores["preparation"] >= 75
    assert points(card, "documents_sent") > 0
    for record in live:  # the coach view works after every step
        assert all(0 <= v <= 100 for v in score(record, loaded).scores.values())


# --- the core scenarios, end to end --------------------------------------------------------------
#
# For each core scenario: an exemplary call and five flawed ones, each flawed in one way. The
# exemplary call must score >= 75 and beat every flawed one by >= 15; each flawed call must lose
# clearly on its own dimension, and its weakest findings must name why.

PREP = ["/send-documents", "/check-payments"]

LE_OPEN = "Good morning, this is Sam from Northwind Supplies. Am I speaking with Jordan Reyes?"
LE_FACTS = "I'm calling about invoice 4471 for $2,350, which was due on October 3rd."
LE_REASON = "Can you tell me what's been going on? It isn't like you to be late."
LE_EMPATHY = "I'm sorry to hear that, it sounds really hard to be left waiting on your own client."
LE_AFFORD = "What could you realistically pay each month?"
LE_PLAN = "We could split the balance into 6 monthly payments of $392, starting this Friday."
LE_CLOSE = [
    "So to confirm: $392 a month for 6 months, first payment this Friday, by bank transfer.",
    "I'll email you a written confirmation today and a reminder before each payment.",
    "/note Payment plan agreed: $392 a month for 6 months from Friday, by bank transfer.",
    "Thanks for your time, Jordan. Goodbye.",
]
SMALL_TALK = [
    "Lovely weather we've been having, isn't it?",
    "Did you catch the game on Sunday? What a finish.",
]

OT_OPEN = ("Hello, this is Robin from Summit Recovery Partners, calling for Hartley Home "
           "Services. Am I speaking with Margaret Lindqvist?")
OT_FACTS = ("Thank you. I'm a debt collector with Summit; this is an attempt to collect a debt "
            "and any information obtained will be used for that purpose. I'm calling about "
            "invoice HHS-7782 for $685 for your boiler repair, which was due on August 27th.")
OT_MIDDLE = [
    "Could you tell me what happened with the payment?",
    "That sounds lovely, but let's get back to the boiler repair bill for a moment.",
    "Can you tell me why the bill hasn't been paid yet?",
    "I understand, letters are easy to lose in a pile.",
    "I'm sorry to hear that. Coming back to the bill, could you pay the $685 by card today?",
]
OT_CLOSE = [
    "So to confirm: $685 paid by card today, which clears invoice HHS-7782 in full.",
    "You'll get an email receipt today and Hartley will mark the account as paid.",
    "/note Paid in full by card today, $685 for HHS-7782. Letters had piled up.",
    "Thank you for your time, Mrs Lindqvist. Goodbye.",
]

DF_OPEN = "Hi, this is Alex from Brightpack Packaging. Am I speaking with Tess Okafor?"
DF_FACTS = "I'm calling about invoice BP-20931 for $1,840, which was due on October 15th."
DF_MIDDLE = [
    "I understand the late August delivery still bothers you, and I'm sorry it happened.",
    "Can you tell me what's made this invoice hard to pay?",
    "That sounds really stressful, I can see why money is tight right now.",
    "What could you realistically pay each month?",
    "How about we split the $1,840 into 4 monthly payments of $460, starting December 1st?",
]
DF_CLOSE = [
    "So to confirm: $460 a month for 4 months, starting December 1st, by card.",
    "I'll email you a written confirmation today and a reminder before each payment.",
    "/note Payment plan agreed: $460 a month for 4 months from Dec 1, by card.",
    "Thanks for your time, Tess. Goodbye.",
]

CORE_CALLS: dict[str, dict[str, list[str]]] = {
    "legitimate-excuse": {
        "good": [*PREP, LE_OPEN, LE_FACTS, LE_REASON, LE_EMPATHY, LE_AFFORD, LE_PLAN, *LE_CLOSE],
        "rude": [*PREP, LE_OPEN, LE_FACTS, LE_REASON,
                 "That's pathetic. You're a liar and a deadbeat.",
                 "Pay by Friday or we'll take you to court and shut your business down."],
        "rambling": [*PREP, "Hi Jordan, how are you doing today?", *SMALL_TALK,
                     "My garden is a mess this autumn, by the way, you'd laugh.",
                     "Anyway, I'm calling about invoice 4471 for $2,350.",
                     LE_REASON, LE_EMPATHY, LE_AFFORD, LE_PLAN, *LE_CLOSE],
        "no close": [*PREP, LE_OPEN, LE_FACTS, LE_REASON, LE_EMPATHY, LE_AFFORD, LE_PLAN, "/end"],
        "pushy": [*PREP, LE_OPEN, LE_FACTS, "Pay the full amount today.",
                  "Excuses won't pay the bill. That's not my problem.",
                  "I'm not hanging up until you give me a date for the full amount.",
                  "So to confirm, you'll pay $2,350 this Friday.",
                  "I'll email you a confirmation today.",
                  "/note Promise to pay $2,350 on Friday.", "Thank you, goodbye."],
        "unprepared": ["Hi, this is Sam from Northwind Supplies, about your overdue invoice 4417 "
                       "for $3,250.", "Sorry, is that Jordan Reyes?",
                       LE_REASON, LE_EMPATHY, LE_AFFORD, LE_PLAN, *LE_CLOSE],
    },
    "off-topic": {
        "good": [*PREP, OT_OPEN, OT_FACTS, *OT_MIDDLE, *OT_CLOSE],
        "rude": [*PREP, OT_OPEN, OT_FACTS,
                 "Stop wasting my time with your stories, you stupid old woman.",
                 "Pay the $685 today or we'll take you to court and take your house."],
        "rambling": [*PREP, "Hello Margaret, how are you keeping?", *SMALL_TALK,
                     "Oh I love gardens too, what are you growing this year?",
                     "Anyway, this is Robin from Summit Recovery Partners. I'm calling about "
                     "invoice HHS-7782 for $685.",
                     "Could you tell me what happened with the payment?",
                     "I understand, letters are easy to lose in a pile.",
                     "Could you pay the $685 by card today?", *OT_CLOSE],
        "no close": [*PREP, OT_OPEN, OT_FACTS, *OT_MIDDLE, "/end"],
        "pushy": [*PREP, OT_OPEN, OT_FACTS, "Can you pay the full $685 right now?",
                  "That's not my problem. Excuses won't pay the bill.",
                  "I'm not hanging up until you give me your card number.",
                  "So to confirm, you'll pay $685 today.", "You'll get a receipt by email.",
                  "/note Promise to pay $685 today.", "Goodbye."],
        "unprepared": ["Hello, this is Robin calling about your overdue bill HHS-7728 for $865.",
                       "Sorry, is this Margaret Lindqvist?", *OT_MIDDLE[:2], OT_MIDDLE[3],
                       "Could you pay it by card today?", *OT_CLOSE],
    },
    "defensive": {
        "good": [*PREP, DF_OPEN, DF_FACTS, *DF_MIDDLE, *DF_CLOSE],
        "rude": [*PREP, DF_OPEN, DF_FACTS, "Stop whining about August, you idiot.",
                 "Pay up or we'll take you to court and shut your bakery down."],
        "rambling": [*PREP, "Hi Tess, how are you doing today?", *SMALL_TALK,
                     "Your cakes always look amazing on Instagram, by the way.",
                     "Anyway, I'm calling about invoice BP-20931 for $1,840.",
                     *DF_MIDDLE, *DF_CLOSE],
        "no close": [*PREP, DF_OPEN, DF_FACTS, *DF_MIDDLE, "/end"],
        "pushy": [*PREP, DF_OPEN, DF_FACTS, "Pay the full amount today.",
                  "That's not my problem, the invoice is still unpaid.",
                  "I'm not hanging up until you give me a date for the full amount.",
                  "If we cannot agree today, the next step is a formal demand letter.",
                  "/note Refused to pay. Demand letter next.", "Thank you, goodbye."],
        "unprepared": ["Hi, this is Alex from Brightpack, about your overdue invoice BP-20391 "
                       "for $1,480.", "Sorry, is this Tess Okafor?", *DF_MIDDLE, *DF_CLOSE],
    },
}

#: What each flaw must cost, and the criteria a trainee must see among the weakest findings.
FLAWS: dict[str, tuple[str, set[str]]] = {
    "rude": ("professionalism", {"insult", "threaten", "respectful_tone"}),
    "rambling": ("professionalism", {"purpose_early", "small_talk"}),
    "no close": ("close", {"summary_matches", "next_steps", "notes_outcome", "polite_end"}),
    "pushy": ("empathy", {"asked_reason", "dismissed", "acknowledged_reason", "listened",
                          "pushed_past_limit"}),
    "unprepared": ("preparation", {"documents_sent", "right_party_first", "wrong_facts",
                                   "payments_checked", "facts_quoted"}),
}


def _library() -> Any:
    try:
        from collectsim.loading import load_library
    except ImportError as e:  # pragma: no cover - only while loading.py is being written
        pytest.skip(f"collectsim.loading is not available yet ({e})")
    return load_library()


def play_core(scenario_id: str, variant: str) -> tuple[Scorecard, CallRecord]:
    from collectsim.script import parse_script, replay

    library = _library()
    if scenario_id not in library.scenarios:
        pytest.skip(f"core scenario {scenario_id!r} is not in the library yet")
    loaded = library.bind(scenario_id)
    steps = parse_script("\n".join(CORE_CALLS[scenario_id][variant]))
    record, _ = replay(CallSession(loaded, seed=0), steps)
    return score(record, loaded), record


@pytest.mark.parametrize("scenario_id", sorted(CORE_CALLS))
def test_core_scenario_exemplary_call_scores_at_least_75(scenario_id: str) -> None:
    card, record = play_core(scenario_id, "good")
    assert card.scores["overall"] >= 75, render_scorecard(card)
    assert not card.flags
    assert record.agreement is not None  # the good call also gets the money agreed


@pytest.mark.parametrize("flaw", sorted(FLAWS))
@pytest.mark.parametrize("scenario_id", sorted(CORE_CALLS))
def test_core_scenario_flawed_call_loses_where_it_is_flawed(scenario_id: str, flaw: str) -> None:
    good, _ = play_core(scenario_id, "good")
    card, record = play_core(scenario_id, flaw)
    dimension, reasons = FLAWS[flaw]
    report = render_scorecard(card)
    assert card.scores["overall"] <= good.scores["overall"] - 15, report
    assert card.scores[dimension] <= good.scores[dimension] - 25, report
    # The card says why: the weakest findings of that dimension name the flaw...
    lost = sorted((f for f in card.findings if f.dimension == dimension and f.points < 0),
                  key=lambda f: f.points)[:3]
    assert {f.id for f in lost} & reasons, report
    # ...and quote what the trainee actually said, where there was a line to quote.
    said = {t.text for t in record.turns}
    for f in lost:
        assert f.evidence is None or f.evidence in said



# --- the outcome: did the call get what it was for? --------------------------------------------


def ended(turns: list[Turn], outcome: str) -> list[Turn]:
    """The same call with its last system line saying how it ended."""
    return [*turns[:-1], S("call_end", f"Call ended. Outcome: {outcome}.", in_call=True)]


def test_the_outcome_is_credited_at_the_debtors_yes() -> None:
    card = score(good_call(), make_loaded())
    (f,) = by_id(card, "success_outcome")
    assert f.points > 0 and f.dimension == "close"
    assert f.evidence == "Yes, I can do that."  # the turn the plan was agreed
    assert not card.capped


def test_a_polished_call_that_ends_on_nothing_loses_the_outcome_and_is_capped() -> None:
    record = call(*ended(good_turns(), "no_agreement"), outcome="no_agreement")
    card = score(record, make_loaded())
    (f,) = by_id(card, "success_outcome")
    assert f.points < 0 and f.evidence == "Call ended. Outcome: no_agreement."
    assert f.turn == len(record.turns)
    assert card.scores["close"] < 100
    assert card.scores["overall"] <= 70  # not a strong call, however polished the conduct
    assert card.capped and any("overall 70" in r for r in card.cap_reasons)
    assert 'capped at overall 70: missed "reached an outcome that counts as success"' in (
        render_scorecard(card))
    uncapped = score(record, make_loaded(rubric={"disable": ["success_outcome"]}))
    assert uncapped.scores["overall"] > 70 and not uncapped.capped


def test_the_outcome_is_not_judged_while_the_call_goes_on() -> None:
    record = call(*ended(good_turns(), "no_agreement"), outcome="no_agreement", finished=False)
    card = score(record, make_loaded())
    assert by_id(card, "success_outcome") == [] and not card.capped


def test_a_promise_forced_out_of_the_debtor_is_no_success() -> None:
    loaded = make_loaded(success=["payment_plan", "promise_to_pay"])
    record = dataclasses.replace(good_call(), outcome="promise_to_pay",
                                 facts=frozenset({"forced_promise"}))
    (f,) = by_id(score(record, loaded), "success_outcome")
    assert f.points < 0
    clean = dataclasses.replace(record, facts=frozenset())
    assert points(score(clean, loaded), "success_outcome") > 0


def test_a_scenario_can_credit_other_outcomes() -> None:
    logged = {"id": "logged", "dimension": "close", "points": 20, "label": "logged it",
              "tip": "Log the dispute.", "check": "outcome_in",
              "args": {"outcomes": ["dispute", "callback"]}}
    loaded = make_loaded(rubric={"criteria": [logged]})
    record = call(*ended(good_turns(), "dispute"), outcome="dispute")
    assert points(score(record, loaded), "logged") > 0
    assert points(score(good_call(), loaded), "logged") < 0
    for args, message in (({}, "needs args.outcomes or args.success"),
                          ({"outcomes": "dispute", "success": True}, "not both"),
                          ({"outcomes": "disputed"}, "did you mean 'dispute'")):
        with pytest.raises(RubricError, match=message):
            parse_criterion({**logged, "args": args})


def play_example(scenario_id: str, script: str) -> tuple[Scorecard, CallRecord]:
    from collectsim.script import read_script, replay

    library = _library()
    if scenario_id not in library.scenarios:
        pytest.skip(f"scenario {scenario_id!r} is not in the library")
    loaded = library.bind(scenario_id)
    record, _ = replay(CallSession(loaded, seed=0),
                       read_script(Path(__file__).parents[1] / "examples" / f"{script}.txt"))
    return score(record, loaded), record


@pytest.mark.parametrize(("scenario_id", "script"), [
    ("off-topic-hard", "off-topic-hard-once"),   # one redirect is not enough on a distracted day
    ("defensive-hard", "defensive-good"),         # the core call does not calm the angrier debtor
])
def test_ending_without_the_agreement_a_plan_could_reach_is_not_a_strong_call(
        scenario_id: str, script: str) -> None:
    card, record = play_example(scenario_id, script)
    assert record.outcome == "no_agreement"
    assert card.scores["overall"] <= 70, render_scorecard(card)
    (f,) = by_id(card, "success_outcome")
    assert f.points < 0 and "Outcome: no agreement" in (f.evidence or "")


def _good_examples() -> list[str]:
    return sorted(p.stem for p in (Path(__file__).parents[1] / "examples").glob("*-good.txt"))


@pytest.mark.parametrize("script", _good_examples())
def test_every_strong_example_reaches_success_and_scores_at_least_75(script: str) -> None:
    card, record = play_example(script.removesuffix("-good"), script)
    assert record.outcome in _library().bind(record.scenario).scenario.success
    assert points(card, "success_outcome") > 0
    assert card.scores["overall"] >= 75 and not card.capped, render_scorecard(card)


# --- persona facts ----------------------------------------------------------------------------

FACT_RULES: list[dict[str, Any]] = [
    {"id": "pinned-plan", "priority": 10,
     "when": {"acts": ["offer_plan"], "events": ["offer_affordable"]},
     "do": {"tag": ["agree"], "outcome": "payment_plan", "remember": ["pinned"]},
     "say": ["Yes, that I can really do."]},
    {"id": "boundary", "when": {"acts": ["next_steps"], "stage": ["talking"]},
     "do": {"remember": ["boundary_set"]}},  # a reaction: no reply of its own
    {"id": "vague", "when": {"acts": ["state_purpose"]},
     "do": {"tag": ["promise"], "remember": ["vague_promise"]}, "say": ["Friday, promise."]},
]


def fact_loaded(*criteria: dict[str, Any]) -> Loaded:
    loaded = make_loaded(rubric={"criteria": list(criteria)})
    persona = dataclasses.replace(
        loaded.persona,
        rules=(*TypeAdapter(Persona).validate_python({**PERSONA, "rules": FACT_RULES}).rules,
               *loaded.persona.rules),
    )
    return dataclasses.replace(loaded, persona=persona)


def fact_criterion(cid: str, check: str, fact: str, pts: int) -> dict[str, Any]:
    return {"id": cid, "dimension": "close", "points": pts, "label": cid, "tip": "t",
            "check": check, "args": {"fact": fact}}


def test_fact_present_credits_the_line_the_debtor_answered() -> None:
    loaded = fact_loaded(fact_criterion("pinned_terms", "fact_present", "pinned", 25))
    turns = good_turns()
    offer = turns[14]
    turns[15] = dataclasses.replace(turns[15], rule="pinned-plan")
    record = dataclasses.replace(call(*turns, outcome="payment_plan", terms=PLAN),
                                 facts=frozenset({"pinned"}))
    (f,) = by_id(score(record, loaded), "pinned_terms")
    assert f.points > 0 and f.evidence == offer.text and f.turn == 15
    (miss,) = by_id(score(good_call(), loaded), "pinned_terms")
    assert miss.points < 0 and miss.turn is None
    live = dataclasses.replace(good_call(), finished=False)
    assert by_id(score(live, loaded), "pinned_terms") == []  # may still happen


def test_fact_from_a_reaction_rule_points_at_the_line_that_triggered_it() -> None:
    loaded = fact_loaded(fact_criterion("boundary", "fact_present", "boundary_set", 25))
    turns = good_turns()
    turns[11] = dataclasses.replace(turns[11], stage="talking")  # "Thanks." moved the call on
    boundary = T("If the shouting goes on, I will end the call and write to you.", "next_steps")
    turns.insert(12, boundary)
    turns.insert(13, D("Fine."))
    record = dataclasses.replace(call(*turns, outcome="payment_plan", terms=PLAN),
                                 facts=frozenset({"boundary_set"}))
    (f,) = by_id(score(record, loaded), "boundary")
    assert f.points > 0 and f.evidence == boundary.text


def test_fact_absent_with_negative_points_penalises_the_fact() -> None:
    loaded = fact_loaded(fact_criterion("took_vague_promise", "fact_absent", "vague_promise", -15))
    turns = good_turns()
    turns[7] = D("Friday, promise.", "promise")
    turns[7] = dataclasses.replace(turns[7], rule="vague")
    record = dataclasses.replace(call(*turns, outcome="payment_plan", terms=PLAN),
                                 facts=frozenset({"vague_promise"}))
    card = score(record, loaded)
    (f,) = by_id(card, "took_vague_promise")
    assert f.points == -15 and f.evidence == turns[6].text
    assert card.scores["close"] == 85
    assert by_id(score(good_call(), loaded), "took_vague_promise") == []


def test_a_fact_the_persona_never_holds_is_refused() -> None:
    loaded = fact_loaded(fact_criterion("x", "fact_present", "pinnned", 10))
    with pytest.raises(RubricError, match="never holds fact 'pinnned' \\(did you mean 'pinned'"):
        score(good_call(), loaded)
    with pytest.raises(RubricError, match="expected a fact name"):
        parse_criterion(fact_criterion("x", "fact_present", "Pinned Down", 10))


def test_chronic_avoider_vague_promise_loses_the_pinned_terms() -> None:
    good, _ = play_example("chronic-avoider", "chronic-avoider-good")
    weak, _ = play_example("chronic-avoider", "chronic-avoider-weak")
    (f,) = by_id(good, "realistic_terms")
    assert f.points > 0 and "$275" in (f.evidence or "")  # the offer he accepted
    assert points(weak, "realistic_terms") < 0


# --- dates in the summary ---------------------------------------------------------------------


@pytest.mark.parametrize(("agreed", "said", "call_date", "ok"), [
    ("this Friday", "by Friday", None, True),
    ("on Friday", "Friday", None, True),
    ("November 27th", "27 Nov", None, True),
    ("November 27th", "11/27", None, True),
    ("by the end of the month", "end of the month", None, True),
    ("tomorrow", "by tomorrow", None, True),
    ("Friday", "November 27th", "2026-11-20", True),
    ("the end of the month", "November 30th", "2026-11-20", True),
    ("Friday", "Monday", None, False),
    ("November 27th", "November 28th", None, False),
    ("the 1st of December", "Friday", "2026-11-20", False),  # a Tuesday
])
def test_summary_dates_are_compared_as_dates(agreed: str, said: str, call_date: str | None,
                                             ok: bool) -> None:
    case = {**CASE, "call_date": call_date} if call_date else CASE
    turns = good_turns()
    turns[16] = T(f"So to confirm: $200 a month for 6 months, first payment {said}.",
                  "summarize_agreement", amounts=(200,), dates=(said,))
    record = call(*turns, outcome="payment_plan", terms={**PLAN, "dates": (agreed,)})
    (f,) = by_id(score(record, make_loaded(case=case)), "summary_matches")
    assert (f.points > 0) is ok, (agreed, said)


# --- pushing past a stated limit ----------------------------------------------------------------

TOO_MUCH = T("We could do $600 a month over 2 months.", "offer_plan",
             events=("offer_unaffordable",), amounts=(600,))
LOWER_BUT_TOO_MUCH = T("Then $500 a month over 3 months?", "offer_plan",
                       events=("offer_unaffordable",), amounts=(500,))


def test_a_first_offer_that_is_too_high_is_negotiating_not_pushing() -> None:
    turns = good_turns()
    turns[12:12] = [TOO_MUCH, D("That's more than I can do.", "refuse")]
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    assert by_id(card, "pushed_past_limit") == []


def test_asking_for_too_much_again_after_a_no_is_pushing_past_the_limit() -> None:
    turns = good_turns()
    turns[12:12] = [TOO_MUCH, D("That's more than I can do.", "refuse"),
                    LOWER_BUT_TOO_MUCH, D("I told you, I can't.", "refuse")]
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    (f,) = by_id(card, "pushed_past_limit")
    assert f.points == -15 and f.evidence == LOWER_BUT_TOO_MUCH.text


def test_asking_for_more_than_the_figure_the_debtor_named_is_pushing() -> None:
    turns = good_turns()  # "Maybe $200." is a counter_offer
    turns[14:15] = [TOO_MUCH, D("I said $200.", "refuse"), turns[14]]
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    (f,) = by_id(card, "pushed_past_limit")
    assert f.evidence == TOO_MUCH.text


# --- caps and severity ------------------------------------------------------------------------

BELOW_FLOOR = {"id": "below_floor", "dimension": "close", "points": -40, "flag": "below_floor",
               "critical": True, "cap": {"overall": 40}, "label": "settled below the floor",
               "tip": "Hold your floor.", "check": "no_event", "args": {"event": "below_floor"}}


def test_a_criterion_can_cap_overall_without_the_abuse_cap() -> None:
    turns = good_turns()
    turns[14] = dataclasses.replace(turns[14], events=("offer_affordable", "below_floor"))
    card = score(call(*turns, outcome="payment_plan", terms=PLAN),
                 make_loaded(rubric={"criteria": [BELOW_FLOOR]}))
    assert card.scores["overall"] == 40
    assert card.scores["professionalism"] == 100  # courteous, just outside authority
    assert [(f.kind, f.critical) for f in card.flags] == [("below_floor", True)]
    assert card.capped and card.cap_reasons == ("overall 40: settled below the floor",)


def test_a_threat_still_gets_the_qa_auto_fail_caps() -> None:
    turns = good_turns()
    turns.insert(10, T("Pay or I'll have you arrested.", "threaten"))
    card = score(call(*turns, outcome="payment_plan", terms=PLAN), make_loaded())
    assert card.scores["professionalism"] <= 20 and card.scores["overall"] <= 40
    assert card.cap_reasons == ("professionalism 20, overall 40: threatened the debtor",)


def test_a_cap_without_a_flag_applies_when_a_to_do_is_missed() -> None:
    deadline = {"id": "deadline", "dimension": "close", "points": 10, "label": "said the deadline",
                "tip": "t", "check": "phrase", "args": {"pattern": "deadline"},
                "cap": {"close": 50, "overall": 60}}
    card = score(good_call(), make_loaded(rubric={"criteria": [deadline]}))
    assert card.scores["close"] <= 50 and card.scores["overall"] <= 60
    assert card.flags == ()


@pytest.mark.parametrize(("cap", "message"), [
    ({"kindness": 3}, "unknown score 'kindness'"),
    ({"overall": 140}, "a whole number 0-100"),
    ("overall", "expected {dimension or overall: maximum}"),
])
def test_bad_caps_are_refused(cap: Any, message: str) -> None:
    with pytest.raises(RubricError, match=re.escape(message)):
        parse_criterion({**BELOW_FLOOR, "cap": cap})


def test_settling_below_the_floor_caps_overall_but_not_professionalism() -> None:
    card, record = play_example("settlement", "settlement-caves")
    assert record.outcome == "settlement"
    assert card.scores["overall"] <= 40
    assert card.scores["professionalism"] > 20
    assert any(f.kind == "below_floor" and f.critical for f in card.flags)


# --- where flags point ------------------------------------------------------------------------


def test_a_flag_for_something_never_said_points_at_the_last_line_checked() -> None:
    never = {"id": "no_deadline", "dimension": "close", "points": 10, "label": "said the deadline",
             "tip": "t", "check": "phrase", "args": {"pattern": "deadline"},
             "flag": "no_deadline"}
    docs = {"id": "no_docs", "dimension": "preparation", "points": 10, "label": "sent the docs",
            "tip": "t", "check": "prep_action", "args": {"action": "send_documents"},
            "flag": "no_documents"}
    turns = [t for t in good_turns() if t.kind != "send_documents"]
    record = call(*turns, outcome="payment_plan", terms=PLAN)
    card = score(record, make_loaded(rubric={"criteria": [never, docs]}))
    flags = {f.kind: f.turn for f in card.flags}
    last_line = [t.n for t in record.turns if t.speaker == "trainee"][-1]
    assert flags["no_deadline"] == last_line
    start = next(t.n for t in record.turns if t.kind == "call_start")
    assert flags["no_documents"] == start
    # ...while the finding still says it never happened
    assert by_id(card, "no_deadline")[0].turn is None
    assert card.to_json()["flags"][0]["turn"] > 0


def test_naming_the_overdue_invoice_states_the_purpose() -> None:
    """Found in a playtest: "Owen, invoice HOS-5520 for $1,275 is a month overdue. Can you pay
    it today by card?" says exactly why the collector calls, and lost 39 points for "stated
    the purpose within the first two lines". Small talk in that place still loses them."""
    from collectsim.loading import load_library

    loaded = load_library().bind("already-paid")

    def purpose(*lines: str) -> int:
        session = CallSession(loaded)
        for line in lines:
            session.say(line)
        session.hang_up()
        card = score(session.record(), loaded)
        return next(f.points for f in card.findings if f.id == "purpose_early")

    facts = "Owen, invoice HOS-5520 for $1,275 is a month overdue. Can you pay it today by card?"
    assert purpose("Hi, is this Owen?", facts) > 0
    assert purpose("Hi, is this Owen?", "How's the weather over there?", "Lovely.") < 0
