"""Tests of the act analyser: accuracy floor on the labelled lines, slots, and robustness."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectsim.acts import ACT_SET, ACTS
from collectsim.analysis import Analyser, Analysis, DateMention, analyse, default_analyser
from collectsim.analysis.evaluate import evaluate, load_labelled

LABELLED = Path(__file__).parent / "data" / "labelled_lines.yaml"
SPLITS = load_labelled(LABELLED)


def acts(text: str) -> tuple[str, ...]:
    return analyse(text).acts


# --- accuracy -------------------------------------------------------------------------------


def test_labelled_set_is_substantial() -> None:
    lines = [x for items in SPLITS.values() for x in items]
    assert len(lines) >= 300
    assert sum(1 for _, expected in lines if not expected) >= 40
    for _, expected in lines:
        assert set(expected) <= ACT_SET
    for act in ACTS:
        assert sum(1 for _, expected in lines if act in expected) >= 12, act


#: Floors, not results: each sits ~0.02 under the split's last score, so a change that loses
#: recall or precision fails here. The honest estimates on unseen phrasing are the scores each
#: split got once before anyone tuned on it: heldout 0.881, blind 0.808, blind2 0.807, blind3
#: 0.931 (optimistic: its author wrote that pass's patterns), blind4 0.871 (0.866 without 12
#: lines that nearly duplicate other splits). blind4 was then scored once more after a recall
#: pass that never looked at it: 0.904 (0.900). Do not tune on blind4; write a new split instead.
FLOORS = {
    "dev": 0.94, "heldout": 0.97, "blind": 0.97, "blind2": 0.93, "blind3": 0.94, "blind4": 0.88,
    # probe5 was written before the fixes it probes: 0.724 then, 0.839 after (an optimistic
    # estimate: its author also wrote the fixes and had seen its errors before fixing)
    "probe5": 0.82,
    # probe6 was written before the fixes it probes (split offers, texted documents, "or we stop
    # deliveries", a plan put as a question, "<name> form <company>"): 0.757 then, 1.000 after
    # (optimistic: its author also wrote the fixes and had seen its errors before fixing)
    "probe6": 0.98,
    # probe7 was written before the fixes it probes ("can we agree now when you will pay?" read as
    # pressure; acknowledging that a payment arrived, the added act confirm_payment_received): 0.693
    # then (0.784 with three labels later aligned to the project's conventions), 1.000 after
    # (optimistic: its author also wrote the fixes and had seen its errors before fixing)
    "probe7": 0.98,
    # probe8 was written before the fixes it probes (the debt named to a third party, "it is about
    # her bill"; reduced offers without "settle"; "how about … first payment on …" and "so can you
    # pay…" read as summaries; "hey dev, chris from brightline again"; "talk friday"): 0.540 then,
    # 1.000 after (optimistic: its author also wrote the fixes and had seen its errors before
    # fixing)
    "probe8": 0.98,
}


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_macro_f1_floor(split: str) -> None:
    report = evaluate(SPLITS[split], acts)
    assert report.macro_f1 >= FLOORS.get(split, 0.9), "\n" + report.table()


def test_macro_f1_floor_combined() -> None:
    report = evaluate([x for items in SPLITS.values() for x in items], acts)
    assert report.macro_f1 >= 0.9, "\n" + report.table()


# --- acts -----------------------------------------------------------------------------------


def test_multi_act_opening() -> None:
    text = "Hi, this is Sam from Acme, am I speaking with Chris?"
    assert acts(text) == ("greet", "introduce_self", "verify_identity")


@pytest.mark.parametrize(
    "text", ["Ok.", "Could you hold on a moment?", "hmm", "right", "", "   ", "!!", "???"]
)
def test_no_act_lines(text: str) -> None:
    assert acts(text) == ()


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("cn u pay 2day", {"request_payment"}, set()),
        ("i undrstand", {"empathize"}, set()),
        ("wat happened", {"ask_reason"}, set()),
        (
            "if we can't agree, the account goes to our legal team as the next step",
            {"next_steps"},
            {"threaten"},
        ),
        ("we'll have you arrested", {"threaten"}, set()),
        ("I'll call your employer", {"threaten"}, set()),
        ("I won't call your employer", set(), {"threaten"}),
        ("I'm not threatening you", set(), {"threaten"}),
        ("I'm not hanging up until you give me a date", {"pressure"}, set()),
        ("excuses won't pay the bill", {"dismiss"}, set()),
        ("you owe us", set(), {"state_facts"}),
        ("you owe us $2,350", {"state_facts"}, set()),
        ("we could split it into 4 monthly payments", {"offer_plan"}, {"request_payment"}),
        ("I don't understand why you haven't paid", set(), {"empathize"}),
        ("Let's get back to the invoice.", {"redirect"}, set()),  # "let's" is "let us"
        ("I know it's late.", set(), {"introduce_self"}),
        ("Hi, it's Sam from Northwind.", {"introduce_self"}, set()),
        ("What about the delivery charge, is that included?", set(), {"verify_identity"}),
        ("Is that Jordan?", {"verify_identity"}, set()),
        ("My manager asked me to give you a call.", set(), {"next_steps"}),
        ("I'll give you a call on Friday.", {"next_steps"}, set()),
        # how late it is, not how it would be paid: "a month overdue" is no plan
        ("It is a month overdue. Can you pay it today by card?", {"request_payment"}, set()),
        ("Could you pay 200 a month?", {"offer_plan"}, set()),
        # asking where a payment has got to is not pressing for an answer
        ("Can you tell me where it is now?", {"check_payment_status"}, {"pressure"}),
        ("I need an answer right now.", {"pressure"}, set()),
        ("Is anything holding it up on their side?", {"ask_reason"}, set()),
        ("So 4,480 dollars by bank transfer by December 4th.", {"summarize_agreement"}, set()),
        ("Great: 6 payments of 391.67 from December 1.", {"summarize_agreement"}, set()),
        ("Sorry you got the overdue notice.", {"empathize"}, set()),  # played: empathy 0
        (
            "6 payments of 391.67 from December 1, would that work?",
            {"offer_plan"},
            {"summarize_agreement"},
        ),
        # a schedule put as a question is a proposal, not a read-back
        (
            "6 payments of 391.67 starting December 1, would that work?",
            {"offer_plan"},
            {"summarize_agreement"},
        ),
        ("we can split it", {"offer_plan"}, set()),
        ("we could split that into two", {"offer_plan"}, set()),
        ("We can't split it any further, I'm afraid.", set(), {"offer_plan"}),
        ("split the bill with your partner?", set(), {"offer_plan"}),
        ("I've texted you the invoice", {"offer_documents"}, set()),
        ("I can text you a copy", {"offer_documents"}, set()),
        ("I texted you yesterday but got no reply.", set(), {"offer_documents"}),
        # a stated consequence used as leverage is a threat (acts.md: threaten), not only pressure
        ("Pay the balance today or we stop deliveries", {"request_payment", "threaten"}, set()),
        ("Pay the balance today please.", {"request_payment"}, {"threaten"}),
        # "form" typed for "from" in "<name> from <company>", but not the noun
        ("its chris form brightline", {"introduce_self"}, set()),
        ("the form is attached", set(), {"introduce_self"}),
        ("its the form from brightline you need to sign", set(), {"introduce_self"}),
        # the debt named to whoever answers is state_purpose (a third-party disclosure there)
        ("It's Sam from Lakeside Dental, it's about her bill.", {"state_purpose"}, set()),
        ("um its just a balance on her account, nothing major", {"state_purpose"}, set()),
        ("I'm calling for Priya, it's a personal business matter", set(), {"state_purpose"}),
        ("can you ask her to call Sam at Lakeside Dental?", set(), {"state_purpose"}),
        ("can you tell her to call us back, its kind of urgent", set(), {"introduce_self"}),
        # a reduced figure without "settle" is an offer; the full balance in one go is not
        ("I can go to $4,600 if it's paid in one payment within 14 days.", {"offer_plan"}, set()),
        ("Could you do $5,000 in one payment?", {"offer_plan"}, set()),
        ("ok what if we said $4,000 and you pay it this month", {"offer_plan"}, set()),
        ("$4,500 then, one payment within 2 weeks", {"offer_plan"}, set()),
        ("Can you pay the full $5,200 in one payment?", {"request_payment"}, {"offer_plan"}),
        ("what can you offer?", {"ask_affordability"}, set()),
        (
            "You emailed us about making an offer, what did you have in mind?",
            {"ask_affordability"},
            set(),
        ),
        # a question proposing terms, or asking for payment, is no read-back
        (
            "How about $275 a month for 6 months, first payment on December 1st?",
            {"offer_plan"},
            {"summarize_agreement"},
        ),
        (
            "yes yes, thats nice. so can you pay it today?",
            {"request_payment"},
            {"summarize_agreement"},
        ),
        (
            "So that's 3 payments of 150 starting Monday, is that right?",
            {"summarize_agreement"},
            set(),
        ),
        ("Hey Dev, Chris from brightline again", {"greet", "introduce_self"}, set()),
        ("ok cool, thanks dev, talk friday", {"close_call"}, set()),
        ("can we talk friday?", set(), {"close_call"}),
    ],
)
def test_act_cases(text: str, present: set[str], absent: set[str]) -> None:
    got = set(acts(text))
    assert present <= got, got
    assert not (absent & got), got


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        # a conditional "if you can't pay..." is no request, and the offer after it no next step
        (
            "If you can't pay in full, we can look at a plan",
            {"offer_plan"},
            {"request_payment", "next_steps"},
        ),
        (
            "If you're unable to settle the full balance, we could spread it over six months.",
            {"offer_plan"},
            {"request_payment", "next_steps"},
        ),
        (
            "Should the whole amount be too much, I can set up instalments.",
            {"offer_plan"},
            {"request_payment"},
        ),
        (
            "Can you pay in full today? If not, we could look at instalments.",
            {"request_payment", "offer_plan"},
            set(),
        ),
        (
            "If you can't pay it all, what could you afford each month?",
            {"ask_affordability"},
            {"request_payment"},
        ),
        (
            "If you don't pay the balance, we'll refer the account to our legal team.",
            {"next_steps"},
            {"request_payment"},
        ),
        ("If we can't agree a plan, the account goes to our solicitors.", {"next_steps"}, set()),
        ("Please pay in full by Friday.", {"request_payment"}, set()),
        # what was sent is history; next_steps is what will happen
        ("we sent you a final notice", set(), {"next_steps"}),
        ("we emailed the invoice last week", {"offer_documents"}, {"next_steps"}),
        ("We sent a reminder and a final demand last month.", set(), {"next_steps"}),
        ("I called you back yesterday.", set(), {"next_steps"}),
        ("We followed up by email.", set(), {"next_steps"}),
        ("We'll send you a final notice.", {"next_steps"}, set()),
        (
            "We sent a reminder; if we don't hear back, a final notice goes out next.",
            {"next_steps"},
            set(),
        ),
        # reassurance about a fear is empathy, also after a negated clause
        ("I won't call your employer, don't worry", {"empathize"}, {"threaten"}),
        ("don't worry, nobody else will know", {"empathize"}, set()),
        ("there's no need to panic", {"empathize"}, set()),
        (
            "We aren't sending anyone round, there's nothing to be afraid of.",
            {"empathize"},
            {"threaten"},
        ),
        ("I won't tell your neighbours, rest assured.", {"empathize"}, {"threaten"}),
        ("Nobody is going to arrest you.", set(), {"threaten"}),
    ],
)
def test_conditionals_history_and_reassurance(
    text: str, present: set[str], absent: set[str]
) -> None:
    got = set(acts(text))
    assert present <= got, got
    assert not (absent & got), got


# --- slots ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("the balance is $2,350", (2350.0,)),
        ("2350 dollars", (2350.0,)),
        ("could you do 2.5k", (2500.0,)),
        ("€400 now", (400.0,)),
        ("how about 400 a month", (400.0,)),
        ("two hundred dollars today", (200.0,)),
        ("invoice 4471 is overdue", ()),
        ("it was due on October 3, 2026", ()),
        ("pay 6 invoices", ()),
        ("45 days late", ()),
    ],
)
def test_amounts(text: str, amounts: tuple[float, ...]) -> None:
    assert analyse(text).amounts == amounts


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("invoice 4471", ("4471",)),
        ("inv #4471 is late", ("4471",)),
        ("invoice number INV-4471", ("INV-4471",)),
        ("invoices 4471 and 4472", ("4471", "4472")),
        ("the invoice of $2,350", ()),
    ],
)
def test_invoice_numbers(text: str, numbers: tuple[str, ...]) -> None:
    assert analyse(text).invoice_numbers == numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("due 2026-10-03", {"year": 2026, "month": 10, "day": 3}),
        ("by October 3rd", {"month": 10, "day": 3}),
        ("on 3 Oct", {"month": 10, "day": 3}),
        ("paid on 10/3", {"month": 10, "day": 3}),
        ("by friday", {"weekday": "friday"}),
        ("tomorrow", {"relative": "tomorrow"}),
        ("can u pay tmrw", {"relative": "tomorrow"}),
        ("next week", {"relative": "next_week"}),
        ("by the end of the month", {"relative": "end_of_month"}),
        ("on the 15th", {"day": 15}),
        # times of day: on their own, or joined to the date next to them
        ("call me at 10 am", {"hour": 10, "minute": 0}),
        ("around 8:30", {"hour": 8, "minute": 30}),
        ("I'll ring back at half past two", {"hour": 2, "minute": 30}),
        ("3pm", {"hour": 15, "minute": 0}),
        ("quarter to four", {"hour": 3, "minute": 45}),
        ("at noon", {"hour": 12, "minute": 0}),
        ("would tomorrow at 10 am work", {"relative": "tomorrow", "hour": 10, "minute": 0}),
        ("friday, 4:15 pm", {"weekday": "friday", "hour": 16, "minute": 15}),
    ],
)
def test_dates(text: str, expected: dict[str, object]) -> None:
    dates = analyse(text).dates
    assert len(dates) == 1, dates
    got = dates[0].to_json()
    got.pop("text")
    assert got == expected


@pytest.mark.parametrize(
    "text", ["pay $8.30 today", "five to ten pounds", "we could do 10 to 12 payments", "at 10"]
)
def test_not_times(text: str) -> None:
    assert all(d.hour is None for d in analyse(text).dates)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("over 6 months", 6),
        ("6 monthly payments", 6),
        ("six instalments", 6),
        ("in 3 payments", 3),
        ("split into 4", 4),
        ("we could do twelve installments", 12),
        ("pay the full amount", None),
    ],
)
def test_instalments(text: str, count: int | None) -> None:
    assert analyse(text).instalments == count


@pytest.mark.parametrize(
    ("text", "shouting"),
    [
        ("PAY THE INVOICE TODAY", True),
        ("pay now!!!", True),
        ("I need the INV number", False),
        ("OK", False),
        ("Hello, this is Sam.", False),
    ],
)
def test_shouting(text: str, shouting: bool) -> None:
    assert analyse(text).shouting is shouting


def test_to_json_shape() -> None:
    result = analyse("Invoice 4471 for $2,350 was due on October 3rd.").to_json()
    assert json.loads(json.dumps(result)) == result
    assert set(result) == {
        "text", "acts", "amounts", "invoice_numbers", "dates", "instalments", "shouting"
    }
    assert result["invoice_numbers"] == ["4471"]
    assert result["amounts"] == [2350.0]
    assert result["dates"] == [{"text": "October 3rd", "month": 10, "day": 3}]
    assert DateMention("x").to_json() == {"text": "x"}


def test_benchmark_hooks() -> None:
    analyser = default_analyser()
    assert analyser.phrases and all(isinstance(p, str) for p in analyser.phrases)
    assert callable(analyser.scorer)
    assert 0 < analyser.score_cutoff <= 100


def test_custom_data() -> None:
    analyser = Analyser(
        {"acts": {"greet": {"patterns": [r"\bahoy\b"]}}}, {"hy": "hello"}
    )
    assert analyser.analyse("AHOY there").acts == ("greet",)
    assert analyser.analyse("hello").acts == ()
    with pytest.raises(ValueError):
        Analyser({"acts": {"not_an_act": {}}}, {})


# --- robustness -----------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_an_analysis(text: str) -> None:
    result = analyse(text)
    assert isinstance(result, Analysis)
    assert set(result.acts) <= ACT_SET
    assert result.acts == tuple(a for a in ACTS if a in result.acts)
    assert len(set(result.acts)) == len(result.acts)
    assert analyse(text) == result  # deterministic
    json.dumps(result.to_json())


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["pay", "u", "2day", "invoice", "#4471", "$2,350", "sorry", "arrested", "not",
             "!!!", "[bold]", "\u202e", "\x00", "🙂", "10/3", "friday", "over", "6", "months"]
        ),
        max_size=40,
    )
)
def test_word_soup(words: list[str]) -> None:
    result = analyse(" ".join(words))
    assert set(result.acts) <= ACT_SET


@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000,
        "pay now " * 12_500,
        "\x00\x01\x02 [bold]hi[/bold] \u202eRTL\u202c 🙂" * 2000,
        "9" * 100_000,
        "!" * 100_000,
        "$" * 50_000 + "1" * 50_000,
    ],
)
def test_huge_and_strange_input(text: str) -> None:
    import time

    start = time.perf_counter()
    result = analyse(text)
    assert time.perf_counter() - start < 1.0
    assert set(result.acts) <= ACT_SET


def test_markup_and_controls_are_ignored() -> None:
    assert acts("[bold]Hello[/bold]\x00, this is Sam from Acme") == ("greet", "introduce_self")


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Let's talk", ["let", "us", "talk"]),
        ("it's late, we're sorry", ["it", "is", "late", "we", "are", "sorry"]),
        ("I won't, can't and don't", ["i", "will", "not", "can", "not", "and", "do", "not"]),
        ("Jordan's invoice", ["jordan", "invoice"]),
    ],
)
def test_contractions_expand_to_the_words_patterns_are_written_in(text: str, tokens: list[str]):
    assert default_analyser().normalizer.tokens(text) == tokens


# --- names are not typos ----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def _case_file_names() -> list[str]:
    """Every person and company name of the built-in case files and personas."""
    import yaml

    found: set[str] = set()

    def walk(node: object, key: str | None = None) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in ("name", "company", "speaker"):
            found.add(node)

    for path in sorted([*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("personas/*.yaml")]):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return sorted(found)


CASE_FILE_NAMES = _case_file_names()


def test_case_files_have_names() -> None:
    assert len(CASE_FILE_NAMES) >= 20


@pytest.mark.parametrize("template", ["Hello, am I speaking with {}?", "Hi {}, it's Sam here."])
def test_case_file_names_survive_normalization(template: str) -> None:
    """A capitalised word inside a sentence is a name: "Ridgeway Heating & Cooling" must not turn
    into "cooking", nor "Harbourline Print & Design" into "designed"."""
    normalizer = default_analyser().normalizer
    lost = []
    for name in CASE_FILE_NAMES:
        tokens = normalizer.tokens(template.format(name))
        words = re.findall(r"[^\W\d_]+", name.replace("'s ", " ").lower())  # Bellini's -> bellini
        if not all(w in tokens for w in words):
            lost.append((name, tokens))
    assert not lost


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Is this Greta?", "greta"),  # not "great"
        ("Could I speak to Clare, please?", "clare"),  # not "care"
        ("Am I speaking with Walter Logan?", "walter"),  # not "water loan"
        ("Hi Heather, it's Sam from Northwind.", "heather"),  # not "weather"
        ("Is that Casey Grace?", "grace"),  # not "case race"
        ("I'm calling from Severn Water.", "severn"),  # a company, not "seven"
    ],
)
def test_capitalised_names_are_not_corrected(text: str, name: str) -> None:
    assert name in default_analyser().normalizer.tokens(text)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Undrstand, that must be hard.", "understand"),  # a capital at a sentence start
        ("Ok. Undrstand.", "understand"),
        ("I UNDRSTAND", "understand"),  # shouting: capitals say nothing
        ("i undrstand", "understand"),
        ("I'll call you back on Wensday.", "wednesday"),  # capitalised by convention
        ("Hi Sam, Recieved your email.", "received"),  # a listed misspelling, not a name
    ],
)
def test_typos_are_still_corrected(text: str, word: str) -> None:
    assert word in default_analyser().normalizer.tokens(text)


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("Is this Greta?", {"verify_identity"}, set()),
        ("Could I speak to Mr Crooke please?", {"verify_identity"}, {"insult"}),  # not "crook"
        ("Hello, may I speak to Heather Hardy?", {"greet", "verify_identity"}, {"small_talk"}),
    ],
)
def test_names_keep_their_acts(text: str, present: set[str], absent: set[str]) -> None:
    got = set(acts(text))
    assert present <= got, got
    assert not (absent & got), got
