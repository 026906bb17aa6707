"""The call engine: rule semantics, case-file checks, preparation and determinism.

A stub analyser reads acts from a prefix ("greet,verify_identity: hello"), so these tests pin
the engine's behaviour independently of how well the act analyser reads free text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import TypeAdapter

from collectsim.analysis import Analysis, analyse
from collectsim.engine import (
    OFFER_FALLBACKS,
    CallOver,
    CallSession,
    fill,
    money,
    placeholder_values,
    spoken_date,
)
from collectsim.models import Loaded, Persona, Scenario
from collectsim.script import parse_script, replay


def stub(text: str) -> Analysis:
    """'acts: words' -> those acts; the slots come from the real analyser of the words."""
    head, sep, rest = text.partition(":")
    if not sep or " " in head.strip():
        return analyse(text)
    real = analyse(rest)
    acts = tuple(a for a in head.split(",") if a)
    return Analysis(
        text=text,
        acts=acts,
        amounts=real.amounts,
        invoice_numbers=real.invoice_numbers,
        dates=real.dates,
        instalments=real.instalments,
        shouting=real.shouting,
    )


PERSONA: dict[str, Any] = {
    "id": "tester",
    "type": "test",
    "traits": {"monthly_budget": 300, "lump_sum": 100, "right_party": 1},
    "meters": {"patience": 50, "trust": {"start": 10, "min": 0, "max": 20}},
    "stages": ["opening", "talking", "agreed"],
    "opening": ["Hello?"],
    "rules": [
        {"id": "threat-hurts", "when": {"acts": ["threaten"]}, "do": {"meters": {"patience": -60}}},
        {"id": "warm", "when": {"acts": ["empathize"]}, "do": {"meters": {"trust": 50}}},
        {
            "id": "hangs-up",
            "priority": 100,
            "when": {"meters": {"patience": "<= 0"}},
            "do": {"tag": ["hang_up"], "end": True},
            "say": ["Goodbye."],
        },
        {
            "id": "wrong",
            "priority": 80,
            "when": {"events": ["wrong_amount"]},
            "do": {"tag": ["push_back"]},
            "say": ["No, it was {invoice.amount}."],
        },
        {
            "id": "already-paid",
            "priority": 80,
            "when": {"events": ["pressed_paid_debt"]},
            "do": {"tag": ["claim_paid"], "outcome": "already_paid"},
            "say": ["I paid that, reference {last_payment.reference}."],
        },
        {
            "id": "hi",
            "when": {"acts": ["verify_identity"], "stage": "opening"},
            "do": {"stage": "talking", "tag": ["answer"]},
            "say": ["Speaking, {debtor.name}.", "Yes, that's me."],
        },
        {
            "id": "yes-plan",
            "when": {"acts": ["offer_plan"], "events": ["offer_affordable"]},
            "do": {"outcome": "payment_plan", "stage": "agreed", "tag": ["agree"]},
            "say": ["Deal."],
        },
        {
            "id": "no-plan",
            "when": {"acts": ["offer_plan"], "events": ["offer_unaffordable"]},
            "do": {"tag": ["refuse"]},
            "say": ["Too much."],
        },
        {
            "id": "story",
            "once": True,
            "when": {"acts": ["small_talk"]},
            "do": {"tag": ["drift"]},
            "say": ["Let me tell you about my cat."],
        },
        {"id": "maybe", "when": {"acts": ["ask_reason"], "chance": 0.5}, "say": ["Lucky."]},
        {
            "id": "when-exactly",
            "priority": 5,
            "when": {"acts": ["next_steps"], "mentions": ["date"]},
            "say": ["Tomorrow then."],
        },
        {"id": "vague-later", "when": {"acts": ["next_steps"]}, "say": ["Later when?"]},
    ],
    "fallback": {"default": ["Mm.", "Right.", "Go on."]},
}

CASE: dict[str, Any] = {
    "creditor": {"name": "Acme"},
    "collector": {"name": "Sam"},
    "debtor": {"name": "Chris Doe"},
    "invoices": [
        {"number": "4471", "amount": 1200, "due": dt.date(2026, 10, 3)},
    ],
    "payments": [
        {"date": dt.date(2026, 5, 1), "amount": 50, "invoice": "3000", "reference": "R-1"}
    ],
}


def make(case: dict[str, Any] | None = None, **traits: float) -> Loaded:
    persona = TypeAdapter(Persona).validate_python(PERSONA)
    scenario = TypeAdapter(Scenario).validate_python(
        {
            "id": "t",
            "title": "T",
            "persona": "tester",
            "case": case or CASE,
            "authority": {"plan": {"max_months": 6, "min_instalment": 150}},
            "success": ["payment_plan"],
        }
    )
    return Loaded(scenario=scenario, persona=persona, traits={**persona.traits, **traits})


def play(lines: list[str], seed: int = 0, loaded: Loaded | None = None) -> CallSession:
    s = CallSession(loaded or make(), seed=seed, analyser=stub)
    for line in lines:
        if s.ended:
            break
        if line.startswith("/"):
            name, _, arg = line[1:].partition(" ")
            s.act(name, arg)
        else:
            s.say(line)
    return s


def debtor_lines(s: CallSession) -> list[str]:
    return [t.text for t in s.turns if t.speaker == "debtor"]


def test_debtor_answers_first_and_placeholders_come_from_the_case_file() -> None:
    s = play(["verify_identity: is this Chris?"], seed=1)
    assert s.turns[1].speaker == "debtor" and s.turns[1].text == "Hello?"
    assert debtor_lines(s)[-1] in {"Speaking, Chris Doe.", "Yes, that's me."}
    assert s.state.stage == "talking"


def test_a_wrong_amount_makes_the_debtor_push_back_with_the_right_one() -> None:
    s = play(["state_facts: you owe $1,500 on invoice 4471"])
    trainee = next(t for t in s.turns if t.speaker == "trainee")
    assert "wrong_amount" in trainee.events and "correct_invoice" in trainee.events
    assert debtor_lines(s)[-1] == "No, it was $1,200."
    assert s.turns[-1].tags == ("push_back",)


def test_the_right_amount_raises_no_push_back() -> None:
    s = play(["state_facts: you owe $1,200 on invoice 4471"])
    trainee = next(t for t in s.turns if t.speaker == "trainee")
    assert "correct_amount" in trainee.events and "wrong_amount" not in trainee.events


def test_a_wrong_invoice_number_is_noticed() -> None:
    s = play(["state_facts: about invoice 9999"])
    assert "wrong_invoice" in next(t for t in s.turns if t.speaker == "trainee").events


def test_pressing_for_a_debt_the_ledger_shows_paid_is_a_mistake_the_debtor_catches() -> None:
    paid = {
        **CASE,
        "unposted_payments": [
            {"date": dt.date(2026, 11, 19), "amount": 1200, "invoice": "4471", "reference": "TX-9"}
        ],
    }
    s = play(["request_payment: please pay today"], loaded=make(paid))
    assert s.outcome == "already_paid"
    assert debtor_lines(s)[-1] == "I paid that, reference TX-9."


def test_checking_payments_reveals_what_the_case_file_does_not_show_yet() -> None:
    paid = {
        **CASE,
        "unposted_payments": [
            {"date": dt.date(2026, 11, 19), "amount": 1200, "invoice": "4471", "reference": "TX-9"}
        ],
    }
    s = play(["/check-payments"], loaded=make(paid))
    report = s.turns[-1]
    assert report.kind == "check_payments" and not report.in_call
    assert "TX-9" in report.text and "not yet in the case file" in report.text
    assert "Outstanding: $0" in report.text
    assert "payments_checked" in s.state.facts


def test_an_affordable_plan_is_accepted_and_recorded_as_the_agreement() -> None:
    s = play(["offer_plan: how about 6 monthly payments of $200"])
    assert s.outcome == "payment_plan"
    assert s.agreement is not None
    assert s.agreement.instalment == 200 and s.agreement.instalments == 6


def test_an_unaffordable_plan_is_refused() -> None:
    s = play(["offer_plan: how about 2 monthly payments of $600"])
    assert debtor_lines(s)[-1] == "Too much."
    assert s.outcome == "no_agreement"


def test_offers_outside_the_collectors_authority_are_noticed() -> None:
    s = play(["offer_plan: we could do $100 a month"])
    events = next(t for t in s.turns if t.speaker == "trainee").events
    assert "offer_outside_authority" in events  # below the 150 minimum instalment


def test_reactions_apply_before_the_reply_so_a_threat_can_end_the_call() -> None:
    s = play(["threaten: pay or else", "greet: hello?"])
    assert s.ended and s.outcome == "hung_up"
    assert debtor_lines(s)[-1] == "Goodbye."
    assert s.record().ended_by == "debtor"
    with pytest.raises(CallOver):
        s.say("hello?")


def test_hanging_up_voids_an_earlier_promise() -> None:
    s = play(["offer_plan: how about 6 monthly payments of $200", "threaten: or else"])
    assert s.outcome == "hung_up" and s.ended


def test_meters_stay_within_their_bounds() -> None:
    s = play(["empathize: I understand", "empathize: I see"])
    assert s.state.meters["trust"] == 20


def test_once_rules_fire_only_once() -> None:
    s = play(["small_talk: nice weather", "small_talk: lovely day"])
    assert debtor_lines(s).count("Let me tell you about my cat.") == 1


def test_replies_do_not_repeat_until_every_variant_was_used() -> None:
    s = play([": hmm", ": hmm", ": hmm"])
    assert sorted(debtor_lines(s)[1:]) == ["Go on.", "Mm.", "Right."]


@pytest.mark.parametrize("seed", [0, 1, 2, 17])
def test_same_seed_and_lines_give_the_same_call(seed: int) -> None:
    lines = ["verify_identity: hi", ": hmm", "ask_reason: why?", "ask_reason: and?", ": ok"]
    a = play(lines, seed=seed).record()
    b = play(lines, seed=seed).record()
    assert a == b


def test_different_seeds_can_pick_different_variants() -> None:
    lines = ["verify_identity: hi", ": a", ": b", "ask_reason: why", "ask_reason: why"]
    calls = {tuple(debtor_lines(play(lines, seed=s))) for s in range(10)}
    assert len(calls) > 1


def test_preparation_actions_are_system_turns_before_the_call() -> None:
    s = play(["/send-documents", "/plan dispute: send delivery notes", "/note called at 10"])
    kinds = [(t.kind, t.in_call) for t in s.turns]
    assert kinds == [("send_documents", False), ("plan", False), ("note", False)]
    assert s.plans == {"dispute": "send delivery notes"}
    assert s.notes == ["called at 10"]
    assert {"documents_sent", "plan_made"} <= s.state.facts


def test_interruptions_and_silence_are_events_the_persona_sees() -> None:
    s = CallSession(make(), analyser=stub)
    s.say("greet: hello", interrupted=True)
    s.act("wait")
    events = [t.events for t in s.turns if t.speaker == "trainee"]
    assert events[0] == ("interruption",)
    assert s.turns[-2].kind == "wait" and s.turns[-1].speaker == "debtor"


def test_hanging_up_without_agreement_is_no_agreement() -> None:
    s = play(["verify_identity: hi", "/end"])
    assert s.ended and s.outcome == "no_agreement"
    assert s.record().ended_by == "trainee" and s.record().finished


def test_unknown_actions_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        CallSession(make()).act("dance")


def test_script_errors_name_file_and_line() -> None:
    from collectsim.diagnostics import LoadError

    with pytest.raises(LoadError) as err:
        parse_script("hello\n/dance now\n/plan no colon\n", "call.txt")
    messages = [str(d) for d in err.value.diagnostics]
    assert messages[0].startswith("call.txt:2:1: error: unknown action '/dance'")
    assert messages[1].startswith("call.txt:3:1: error:")


def test_a_script_stops_when_the_debtor_hangs_up_and_reports_the_rest() -> None:
    steps = parse_script("threaten: or else\nhello\nbye\n")
    record, unsaid = replay(CallSession(make(), analyser=stub), steps)
    assert record.outcome == "hung_up"
    assert [s.line for s in unsaid] == [2, 3]


def test_fill_leaves_unknown_placeholders_visible() -> None:
    assert fill("{a} and {b.c}", {"a": "x"}) == "x and {b.c}"


def test_money_is_written_like_a_person_would() -> None:
    assert money(2350, "USD") == "$2,350"
    assert money(392.5, "EUR") == "€392.50"
    assert money(10, "CHF") == "10 CHF"


def test_other_amounts_in_the_case_file_are_not_wrong_figures() -> None:
    credit = {**CASE, "other_amounts": [150.0]}
    s = play(["state_facts: there is a credit note of $150 on invoice 4471"], loaded=make(credit))
    assert "wrong_amount" not in next(t for t in s.turns if t.speaker == "trainee").events


def test_asking_how_they_will_pay_is_not_a_demand_for_everything() -> None:
    s = play(["request_payment: how would you like to pay, card or transfer?"])
    events = next(t for t in s.turns if t.speaker == "trainee").events
    assert not {"offer_affordable", "offer_unaffordable"} & set(events)
    s = play(["request_payment: can you pay the full balance today?"])
    assert "offer_unaffordable" in next(t for t in s.turns if t.speaker == "trainee").events


def test_a_later_agreement_replaces_the_terms_of_an_earlier_one() -> None:
    s = play(
        [
            "offer_plan: how about 6 monthly payments of $200",
            "offer_plan: or 5 monthly payments of $240",
        ]
    )
    assert s.agreement is not None and s.agreement.instalment == 240


ECHO = "{offer.instalments} payments of {offer.instalment}, {offer.total} in all, by {offer.date}."


def make_echo(case: dict[str, Any] | None = None) -> Loaded:
    """The test persona, plus a rule that says the trainee's terms back on a summary."""
    loaded = make(case)
    rule = {"id": "echo", "priority": 90, "when": {"acts": ["summarize_agreement"]}, "say": [ECHO]}
    persona = TypeAdapter(Persona).validate_python({**PERSONA, "rules": [rule, *PERSONA["rules"]]})
    return Loaded(scenario=loaded.scenario, persona=persona, traits=loaded.traits)


SUMMARY = "summarize_agreement: so that's agreed"


def test_offer_placeholders_say_the_trainees_latest_terms_back() -> None:
    s = play(
        ["offer_plan: 4 monthly payments of $300 starting Friday, November 27th", SUMMARY],
        loaded=make_echo(),
    )
    assert debtor_lines(s)[-1] == "4 payments of $300, $1,200 in all, by Friday, November 27."


def test_offer_placeholders_use_the_case_currency() -> None:
    euro = {**CASE, "invoices": [{**CASE["invoices"][0], "currency": "EUR"}]}
    s = play(["offer_plan: 4 monthly payments of 300 euros", SUMMARY], loaded=make_echo(euro))
    assert debtor_lines(s)[-1].startswith("4 payments of €300, €1,200 in all")


def test_before_any_offer_the_offer_placeholders_are_neutral_words() -> None:
    s = play([SUMMARY], loaded=make_echo())
    assert (
        debtor_lines(s)[-1]
        == "a few payments of that amount, that amount in all, by the day you said."
    )
    assert "{" not in debtor_lines(s)[-1]


def test_a_dated_request_without_figures_moves_the_day_and_new_terms_without_one_clear_it() -> None:
    lines = [
        "offer_plan: 4 monthly payments of $300 starting Friday, November 27th",
        "request_payment: could you start on the 30th instead?",
        SUMMARY,
    ]
    s = play(lines, loaded=make_echo())
    assert debtor_lines(s)[-1] == "4 payments of $300, $1,200 in all, by the 30th."
    s = play([*lines[:2], "offer_plan: or 6 monthly payments of $200", SUMMARY], loaded=make_echo())
    assert debtor_lines(s)[-1] == "6 payments of $200, $1,200 in all, by the day you said."


def test_offer_placeholders_are_deterministic() -> None:
    lines = ["offer_plan: 5 monthly payments of $240 from nov 30", SUMMARY, SUMMARY]
    first = debtor_lines(play(lines, seed=3, loaded=make_echo()))
    assert first == debtor_lines(play(lines, seed=3, loaded=make_echo()))
    assert first[-1] == first[-2] == "5 payments of $240, $1,200 in all, by November 30."


def test_the_case_values_carry_the_offer_fallbacks_so_check_sees_them_filled() -> None:
    values = placeholder_values(make())
    assert {k: values[k] for k in OFFER_FALLBACKS} == OFFER_FALLBACKS


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("Could you pay the $1,260 by Thursday, November 26th?", "Thursday, November 26"),
        ("can you pay by thu nov 26", "Thursday, November 26"),
        ("pay in full by 11/27", "November 27"),
        ("pay on 27 November 2026", "November 27, 2026"),
        ("pay $1260 on the 27th", "the 27th"),
        ("pay by Friday the 22nd", "Friday the 22nd"),
        ("pay it all by next friday", "next Friday"),
        ("pay everything by the end of the month", "the end of the month"),
        ("pay the full balance tomorrow at 10 am", "tomorrow at 10:00"),
        ("pay it all now", None),
    ],
)
def test_a_day_is_said_back_one_way_whatever_the_trainee_typed(line: str, said: str | None) -> None:
    assert spoken_date(analyse(line).dates) == said


def test_rules_can_require_that_the_line_mentions_a_date() -> None:
    assert debtor_lines(play(["next_steps: I'll call you back tomorrow"]))[-1] == "Tomorrow then."
    assert debtor_lines(play(["next_steps: I'll call you back"]))[-1] == "Later when?"


def test_call_and_say_actions_let_a_script_write_anything_a_trainee_did() -> None:
    steps = parse_script("/call\n/note picked up fast\n/say #1 priority: your invoice\n/say /end\n")
    record, _ = replay(CallSession(make(), analyser=stub), steps)
    note = next(t for t in record.turns if t.kind == "note")
    assert note.in_call  # a note made after dialling, before speaking, is part of the call
    said = [t.text for t in record.turns if t.speaker == "trainee"]
    assert said == ["#1 priority: your invoice", "/end"]


def test_a_payment_reference_from_the_case_file_is_not_an_unknown_invoice_number() -> None:
    """'transfer reference PSP-1119' names the debtor's payment, not an invoice nobody knows."""
    from libplay import bind

    from collectsim.scoring import score

    loaded = bind("already-paid")
    s = CallSession(loaded, seed=0)
    s.say("Hi, is this Owen? This is Maya from Harbor Office Supply.")
    line = "You're right, I can see the 1,275 transfer reference PSP-1119 from yesterday, thanks."
    s.say(line)
    trainee = [t for t in s.turns if t.speaker == "trainee"][-1]
    assert trainee.text == line
    assert "wrong_invoice" not in trainee.events
    assert "I don't know that number" not in debtor_lines(s)[-1]
    card = score(s.record(), loaded)
    assert not [f for f in card.findings if f.id == "wrong_facts"]


def test_an_unknown_number_beside_a_known_reference_is_still_a_wrong_invoice() -> None:
    paid = {
        **CASE,
        "unposted_payments": [
            {"date": dt.date(2026, 11, 19), "amount": 1200, "invoice": "4471", "reference": "TX-9"}
        ],
    }
    s = play(["state_facts: your transfer reference PSP-1119"], loaded=make(paid))
    assert "wrong_invoice" in next(t for t in s.turns if t.speaker == "trainee").events


def test_system_lines_name_outcomes_in_words_not_ids() -> None:
    s = play(["/plan paid_in_full: confirm by email", "/plan no-agreement: send a letter"])
    plans = [t.text for t in s.turns if t.kind == "plan"]
    assert plans == [
        "Plan if paid in full: confirm by email",
        "Plan if no agreement: send a letter",
    ]
    assert s.plans == {"paid_in_full": "confirm by email", "no_agreement": "send a letter"}
    ended = play(["verify_identity: hi", "/end"])
    assert ended.turns[-1].text == "Call ended. Outcome: no agreement."
    assert ended.outcome == "no_agreement"
    slammed = play(["threaten: pay or else"])
    assert slammed.turns[-1].text == "The debtor ended the call. Outcome: hung up."
    assert slammed.record().outcome == "hung_up"


def test_a_plan_in_words_replays_to_the_same_plan() -> None:
    """The TUI exports 'Plan if paid in full: ...' as '/plan paid_in_full: ...'."""
    from collectsim.tui.attempt import script_lines

    s = play(["/plan paid_in_full: confirm by email"])
    (line,) = [x for x in script_lines(s.turns) if x.startswith("/plan")]
    assert line == "/plan paid_in_full: confirm by email", "exported as the trainee typed it"
    again = play([line])
    assert again.plans == s.plans
    assert [t.text for t in again.turns] == [t.text for t in s.turns]


def test_a_day_moved_after_the_offer_is_the_day_the_agreement_records() -> None:
    """Asked for $1,260 by Friday the 27th, Marco stalls; asked for Monday the 30th, he agrees.
    The agreement is to Monday: recording Friday would fail a summary that names the right day."""
    from collectsim.loading import load_library

    session = CallSession(load_library().bind("call-me-later"), seed=1)
    for line in (
        "Hi, this is Jamie from Coastal Linen Services. Am I speaking with Marco Bellini?",
        "I'm calling about invoice L-2207 for $1,260, which was due on October 15th.",
        "Can you pay the $1,260 by Friday November 27?",
        "Could you pay it by monday nov 30th instead?",
    ):
        session.say(line)
    agreement = session.agreement
    assert agreement is not None and agreement.total == 1260
    assert any("30" in d for d in agreement.dates)
    assert not any("27" in d or "friday" in d.lower() for d in agreement.dates)
