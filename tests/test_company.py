"""Introducing yourself from the wrong company: caught from the case file's organisations, never
from a department, a place, a pronoun, a near spelling or part of the right name."""

from __future__ import annotations

from functools import cache

import pytest

from collectsim.analysis import analyse
from collectsim.engine import CallSession
from collectsim.factcheck import line_events, speaker_names, wrong_company
from collectsim.loading import Library, load_library
from collectsim.models import Loaded
from collectsim.scoring import Scorecard, score
from collectsim.transcript import CallRecord


@cache
def _library() -> Library:
    return load_library()


def _bind(scenario: str) -> Loaded:
    return _library().bind(scenario)


def _wrong(scenario: str, line: str) -> str | None:
    loaded = _bind(scenario)
    return wrong_company(line, loaded.scenario.case, speaker_names(loaded.persona.speaker))


# --- detection ----------------------------------------------------------------------------------

# Northwind Supplies (creditor and collector), debtor Jordan Reyes of Reyes Landscaping.
NORTHWIND = "legitimate-excuse"
# Summit Recovery Partners (agency) for Hartley Home Services, debtor Margaret Lindqvist.
SUMMIT = "off-topic"


@pytest.mark.parametrize(
    ("scenario", "line", "wrong"),
    [
        (NORTHWIND, "Hi, this is Sam from Apex Recoveries.", "Apex Recoveries"),
        (NORTHWIND, "Hi, this is Sam from Apex Recoveries, am I speaking with Jordan Reyes?",
         "Apex Recoveries"),
        (NORTHWIND, "hi its sam from apex recoveries", "apex recoveries"),
        (NORTHWIND, "hi its jake from fastfreight", "fastfreight"),
        (NORTHWIND, "Hello, I\u2019m Sam from Apex Recoveries.", "Apex Recoveries"),
        (NORTHWIND, "Hi Jordan, Sam here from Brightline Signs.", "Brightline Signs"),
        (NORTHWIND, "Hiya! Sam with Meridian Collections.", "Meridian Collections"),
        (NORTHWIND, "Afternoon, Sam at Brightpack Packaging.", "Brightpack Packaging"),
        (NORTHWIND, "I'm with Apex Recoveries, a debt collection agency.", "Apex Recoveries"),
        (NORTHWIND, "I'm a debt collector with Apex Recoveries.", "Apex Recoveries"),
        (NORTHWIND, "I work in the accounts team at Apex Recoveries.", "Apex Recoveries"),
        (NORTHWIND, "Hi, this is Sam from the Apex Recoveries team.", "Apex Recoveries"),
        (NORTHWIND, "I'm calling for Apex Recoveries.", "Apex Recoveries"),
        (NORTHWIND, "Hi, Apex Recoveries here.", "Apex Recoveries"),
        (NORTHWIND, "Could you tell him Sam rang from Apex Recoveries?", "Apex Recoveries"),
        # a near neighbour of the right name is another firm
        (NORTHWIND, "Hi, it's Sam from Northgate Home Furnishings.", "Northgate Home Furnishings"),
        # the right firm, acting for a creditor that is not this one
        (NORTHWIND, "This is Sam from Northwind Supplies, calling on behalf of Apex Finance.",
         "Apex Finance"),
        # an opening copied from another agency case
        (SUMMIT, "Hi, this is Robin from Meridian Collections, calling on behalf of Northgate "
                 "Home Furnishings.", "Meridian Collections"),
        (SUMMIT, "Hi, this is Robin from Summit Recovery Partners, calling on behalf of Northgate "
                 "Home Furnishings.", "Northgate Home Furnishings"),
        # another case's firm that shares a word with this one's
        ("call-me-later", "Hi, this is Jamie from Coastal Food Service Supply.",
         "Coastal Food Service Supply"),
        ("chronic-avoider", "This is Chris from Brightline Office Supply.",
         "Brightline Office Supply"),
        ("ap-team-blamed", "Hi, this is Priya from Ridgeway Heating & Cooling.",
         "Ridgeway Heating & Cooling"),
        ("already-paid", "Hi, it's Maya from Harbourline Print & Design.",
         "Harbourline Print & Design"),
        # the caller's name is the debtor's first name: still the caller introducing themself
        ("loyal-first-late", "Hi, this is Dana from Ridgeway Heating & Cooling.",
         "Ridgeway Heating & Cooling"),
        ("third-party", "Hi Kayla, it's Sam from Harbor Office Supply.", "Harbor Office Supply"),
    ],
)
def test_a_company_that_is_no_organisation_of_the_case_file_is_wrong(
    scenario: str, line: str, wrong: str
) -> None:
    assert _wrong(scenario, line) == wrong


@pytest.mark.parametrize(
    ("scenario", "line"),
    [
        # the right company, however it is written
        (NORTHWIND, "Hi, this is Sam from Northwind Supplies. Am I speaking with Jordan Reyes?"),
        (NORTHWIND, "Hi, it's Sam from Northwind."),  # part of the name
        (NORTHWIND, "Hi, it's Sam from Northwind Supplies Ltd."),
        (NORTHWIND, "Hi, it's Sam from Nortwind Supplies."),  # a typo
        (NORTHWIND, "Hi, it's Sam from Northwind Supply."),
        (NORTHWIND, "Hi, it's Sam from NorthwindSupplies."),
        (NORTHWIND, "Hi, it's Sam from NORTHWIND SUPPLIES."),
        (NORTHWIND, "hi its sam from northwind calling about ur invoice"),
        (NORTHWIND, "Good morning Mr Reyes, Sam from Northwind's accounts team."),
        (NORTHWIND, "Hi, Northwind Supplies here, is Jordan there?"),
        (NORTHWIND, "I'm a debt collector with Northwind."),
        (NORTHWIND, "Hi, this is Sam from the team at Northwind."),
        (SUMMIT, "Hi, this is Robin from Summit Recovery Partners, calling on behalf of Hartley "
                 "Home Services. Am I speaking with Margaret Lindqvist?"),
        (SUMMIT, "Thank you. I'm a debt collector with Summit, this is an attempt to collect a "
                 "debt and any information obtained will be used for that purpose."),
        (SUMMIT, "I'm calling for Hartley about the boiler repair bill."),
        (SUMMIT, "Hi, it's Robin with Summit Collections."),  # the agency's own word, loosely
        ("hostile", "Hi, this is Dana from Ridgeway Heating and Cooling."),
        ("defensive", "Hi Tess, Alex from Brightpack here."),
        ("settlement", "I'm calling from Meridian about your Northgate account."),
        ("third-party", "Of course. It's Sam from Lakeside Dental."),
        # the company of the person called, not the caller's
        (NORTHWIND, "Hi Jordan from Reyes Landscaping, it's Sam from Northwind."),
        ("loyal-first-late", "Hi Dana from Whitfield Dental, it's Alex from Brightline."),
        ("third-party", "Hi Kayla at Brightwater, it's Sam from Lakeside Dental."),
        # no company at all
        (NORTHWIND, "Hi, this is Sam calling from home today, is this Jordan?"),
        (NORTHWIND, "hi its sam calling from work"),
        (NORTHWIND, "Hi, this is Sam from the accounts team at Northwind."),
        (NORTHWIND, "Hi, it's Sam from accounts."),
        (NORTHWIND, "Hi, it's Sam from Accounts Receivable."),
        (NORTHWIND, "It's Sam from Customer Services."),
        (NORTHWIND, "It's Sam from Collections."),
        (NORTHWIND, "It's Sam from Head Office."),
        (NORTHWIND, "I'm calling from the UK."),
        (NORTHWIND, "Hi Jordan, it's Sam from the UK office of Northwind Supplies."),
        (NORTHWIND, "It's Sam from the Austin branch of Northwind."),
        (NORTHWIND, "I'm calling with regard to invoice 4471."),
        (NORTHWIND, "Hi Jordan, I'm with you, it's Sam from Northwind."),
        (NORTHWIND, "Good, with you in a sec, it's Sam from Northwind."),
        (NORTHWIND, "I'm with a customer right now, it's Sam from Northwind."),
        (NORTHWIND, "I'm with the collections team."),
        (NORTHWIND, "Hi, it's Sam from Northwind, calling from my mobile."),
        (NORTHWIND, "Hi, this is Sam, I work from home on Fridays."),
        (NORTHWIND, "Hi it's Sam, I'm at home today."),
        (NORTHWIND, "It's Sam from Northwind on Monday morning."),
        (NORTHWIND, "Hi, it's Sam from Northwind, calling about the delivery from Apex Freight."),
        (NORTHWIND, "I'm calling for Dana, this is Sam from Northwind."),  # a person, not a firm
        (NORTHWIND, "Hi, it's the invoice from April I'm calling about."),
        (NORTHWIND, "I'll double-check with finance that nothing's come in."),
        (NORTHWIND, "Hi Jordan, Sam here, how are you?"),
        (NORTHWIND, "this is sam with good news"),
        (NORTHWIND, "hi its sam from earlier"),
        (NORTHWIND, "Hi, it's Sam from HR."),
        (NORTHWIND, "Hi, it's Sam from Sales at Northwind."),
        (NORTHWIND, "I'm calling from Texas."),
        (NORTHWIND, "Hi, it's Sam from Northwind's Austin office."),
        (NORTHWIND, "im based at head office, its sam from northwind"),
        (NORTHWIND, "Hi, this is Sam. From Northwind."),  # missed rather than guessed
    ],
)
def test_lines_that_name_no_wrong_company(scenario: str, line: str) -> None:
    assert _wrong(scenario, line) is None


def _events(scenario: str, line: str) -> set[str]:
    loaded = _bind(scenario)
    events, _ = line_events(
        analyse(line), loaded.scenario.case, verified=True, debt_paid=False,
        traits=dict(loaded.traits), authority=loaded.scenario.authority,
    )
    return events


def test_only_a_line_that_introduces_the_caller_is_judged() -> None:
    line = "Has the accounts team at Apex Bank processed it?"
    assert wrong_company(line, _bind(NORTHWIND).scenario.case) == "Apex Bank"
    assert "introduce_self" not in analyse(line).acts
    assert "wrong_company" not in _events(NORTHWIND, line)
    assert "wrong_company" in _events(NORTHWIND, "Hi, this is Sam from Apex Recoveries.")
    assert "wrong_company" in _events(NORTHWIND, "I'm with Apex Recoveries, a debt collector.")


def test_a_company_before_here_is_judged_on_a_bare_greeting() -> None:
    line = "Hi, Apex Recoveries here."
    assert "introduce_self" not in analyse(line).acts  # read as a greeting only
    assert _events(NORTHWIND, line) == {"wrong_company"}  # and not as greeting a wrong name


@pytest.mark.parametrize(
    ("line", "event"),
    [
        ("Hi, this is Sam from Northwind Supplies.", "correct_company"),
        ("hi its sam from northwind", "correct_company"),  # part of the name, no capitals
        ("Hi, Northwind Supplies here.", "correct_company"),
        ("Hi, this is Sam from Apex Recoveries.", "wrong_company"),
        # a wrong firm spoils the introduction even beside the right one
        ("Hi, this is Sam from Northwind. I'm with Apex Recoveries.", "wrong_company"),
    ],
)
def test_an_introduction_names_the_right_or_the_wrong_company(line: str, event: str) -> None:
    events = _events(NORTHWIND, line)
    assert event in events
    assert not ({"correct_company", "wrong_company"} - {event}) & events


@pytest.mark.parametrize(
    "line",
    [
        "Hi, this is Sam. Is this Jordan?",  # a name, no company
        "Hi, this is Sam from accounts.",  # a department is no company
        "Has the accounts team at Northwind processed it?",  # no introduction
        "I'm calling from home today.",
    ],
)
def test_a_line_that_names_no_company_raises_neither_event(line: str) -> None:
    assert not {"correct_company", "wrong_company"} & _events(NORTHWIND, line)


# --- the debtor and the scorecard ---------------------------------------------------------------


@pytest.mark.parametrize("scenario", sorted(_library().scenarios))
def test_every_debtor_questions_a_company_they_never_dealt_with(scenario: str) -> None:
    session = CallSession(_bind(scenario))
    turns = session.say("Hi, this is Sam from Apex Recoveries.")
    assert "wrong_company" in turns[-2].events
    assert turns[-1].rule == "wrong-company"


def test_the_right_company_gets_no_such_reply() -> None:
    session = CallSession(_bind(NORTHWIND))
    turns = session.say("Hi, this is Sam from Northwind Supplies. Am I speaking with Jordan?")
    assert "wrong_company" not in turns[-2].events
    assert turns[-1].rule == "confirms-identity"


def test_asking_for_the_debtor_with_the_wrong_company_does_not_verify_them() -> None:
    """The debtor answered "who?", not "yes": the trainee must still confirm who they have."""
    session = CallSession(_bind(NORTHWIND))
    turns = session.say("Hi, this is Sam from Apex Recoveries. Am I speaking with Jordan?")
    assert turns[-1].rule == "wrong-company"
    assert "identity_verified" not in session.state.facts
    turns = session.say("Sorry, I'm Sam from Northwind Supplies. Am I speaking with Jordan?")
    assert turns[-1].rule == "confirms-identity"
    assert "identity_verified" in session.state.facts


def _played(scenario: str, *lines: str) -> tuple[CallRecord, Scorecard]:
    loaded = _bind(scenario)
    session = CallSession(loaded, seed=0)
    for line in lines:
        session.say(line)
    session.hang_up()
    record = session.record()
    return record, score(record, loaded)


def test_the_wrong_company_is_charged_once_in_preparation_with_the_line_and_a_tip() -> None:
    wrong = "Hi, this is Sam from Apex Recoveries. Am I speaking with Jordan Reyes?"
    record, card = _played(NORTHWIND, wrong, wrong, "Thanks, goodbye.")
    (finding,) = [f for f in card.findings if f.id == "wrong_company"]
    assert (finding.dimension, finding.points) == ("preparation", -10)
    assert finding.evidence == wrong
    assert record.turns[finding.turn - 1].text == wrong
    assert "case file" in finding.tip

    right = "Hi, this is Sam from Northwind Supplies. Am I speaking with Jordan Reyes?"
    _, clean = _played(NORTHWIND, right, "Thanks, goodbye.")
    assert not [f for f in clean.findings if f.id == "wrong_company"]
    assert clean.scores["preparation"] - card.scores["preparation"] == 10


def test_a_scored_transcript_judges_companies_as_a_played_call_does() -> None:
    from collectsim.transcripts import parse_transcript, to_record

    text = (
        "Collector: Hi, this is Robin from Meridian Collections. Is this Margaret Lindqvist?\n"
        "Customer: Who?\n"
        "Collector: Sorry, Robin from Summit Recovery Partners, for Hartley Home Services.\n"
    )
    record = to_record(parse_transcript(text), _bind(SUMMIT))
    assert "wrong_company" in record.turns[0].events
    assert "wrong_company" not in record.turns[2].events
