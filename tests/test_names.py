"""Asking for or greeting the wrong person: caught from the case file's names, never from a
lower-case word, a day, a title or a near spelling."""

from __future__ import annotations

import dataclasses

import pytest

from collectsim.factcheck import wrong_name
from collectsim.loading import load_library
from collectsim.models import Loaded

KNOWN = frozenset({"jordan", "reyes", "northwind", "supplies", "sam", "gardens"})


@pytest.mark.parametrize(
    ("line", "wrong"),
    [
        ("Hi, is this Dana?", "Dana"),
        ("Hi there, is this Dana Holt?", "Dana Holt"),
        ("Could I speak to Mr. Smith, please?", "Smith"),
        ("Hello Priya, it's Sam from Northwind.", "Priya"),
        ("Is this Jordan Reyes?", None),
        ("Good morning Mr Reyes", None),
        ("Am I speaking with Jordon?", None),  # a slip of one letter is not the wrong person
        ("Hi, this is Sam from Northwind Supplies.", None),  # the caller's own name
        ("Is this a good time to talk?", None),
        ("Is it Friday you get paid?", None),
        ("hi dana", None),  # only a capitalised name is judged
        ("I'm looking for the person who pays the invoices.", None),
        ("Is this Northwind's invoice?", None),
        ("Hi, is this Dana? I'm at the café.", "Dana"),  # outside ASCII: the other path
        ("Hi Jordan — it's Sam.", None),
    ],
)
def test_only_a_name_that_is_nobody_in_the_case_file_is_wrong(line: str, wrong: str | None):
    assert wrong_name(line, KNOWN) == wrong


def test_the_receptionist_may_be_greeted_by_her_own_name() -> None:
    from collectsim.engine import CallSession

    session = CallSession(load_library().bind("third-party"))
    turns = session.say("Hi Kayla, could I speak with Priya Nair please?")
    assert "wrong_name" not in turns[-2].events
    turns = session.say("Oh, is this Dana?")
    assert "wrong_name" in turns[-2].events
    assert "nobody called that" in turns[-1].text


def test_a_workplace_the_briefing_names_may_be_asked_for() -> None:
    """The case file says Priya's number is her workplace, Brightwater Veterinary Clinic: a
    trainee checking they reached it has read the briefing, not mixed up a name."""
    from collectsim.engine import CallSession

    loaded = load_library().bind("third-party")
    turns = CallSession(loaded).say("Hi, is this Brightwater Vets?")
    assert "wrong_name" not in turns[-2].events
    assert "nobody called that" not in turns[-1].text
    turns = CallSession(loaded).say("Hi, is this Greenfield Vets?")
    assert "wrong_name" in turns[-2].events


def test_a_yes_to_the_wrong_name_verifies_no_one() -> None:
    from collectsim.engine import CallSession

    session = CallSession(load_library().bind("legitimate-excuse"))
    session.say("Hi, is this Dana?")
    assert "identity_verified" not in session.state.facts
    session.say("Sorry, is this Jordan Reyes?")
    assert "identity_verified" in session.state.facts


def test_a_scored_transcript_judges_names_as_a_played_call_does() -> None:
    from collectsim.transcripts import parse_transcript, to_record

    lib = load_library()
    text = "Collector: Hi Kayla, could I speak with Priya Nair?\nCustomer: She's busy.\n"
    record = to_record(parse_transcript(text), lib.bind("third-party"))
    assert "wrong_name" not in record.turns[0].events  # the receptionist's own name is right
    text = "Collector: Hi, is this Dana?\nCustomer: Speaking.\nCollector: The invoice is late.\n"
    record = to_record(parse_transcript(text), lib.bind("legitimate-excuse"))
    assert "wrong_name" in record.turns[0].events
    assert "disclosed_unverified" in record.turns[2].events  # the yes verified no one


def _debtor_called(name: str) -> Loaded:
    loaded = load_library().bind("legitimate-excuse")
    case = loaded.scenario.case
    case = dataclasses.replace(case, debtor=dataclasses.replace(case.debtor, name=name))
    return dataclasses.replace(loaded, scenario=dataclasses.replace(loaded.scenario, case=case))


def test_the_debtors_name_first_in_a_sentence_is_not_corrected_into_an_insult() -> None:
    """"Morton" is one letter from "moron": addressing the debtor by name must not raise a
    misconduct flag, in a played call or in a scored transcript. Another Morton, unknown to
    the case file, is still read by the typo corrector."""
    from collectsim.engine import CallSession
    from collectsim.transcripts import parse_transcript, to_record

    loaded = _debtor_called("Alex Morton")
    session = CallSession(loaded)
    turns = session.say("Morton, can you pay today?")
    assert "insult" not in turns[-2].acts
    assert "insult" not in session.state.flags
    record = to_record(parse_transcript("Collector: Morton, can you pay today?\n"), loaded)
    assert "insult" not in record.turns[0].acts
    other = CallSession(load_library().bind("legitimate-excuse"))
    assert "insult" in other.say("Morton, can you pay today?")[-2].acts
