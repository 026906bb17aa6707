"""Issue 9: scoring real transcripts, practice vs assessment, contact rules, proficiency."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from collectsim.briefing import briefing_json, briefing_text
from collectsim.cli import main
from collectsim.contact import contact_check, may_call
from collectsim.engine import CallSession
from collectsim.loading import load_library, resolve_scenario
from collectsim.models import Attorney, Contact
from collectsim.modes import is_assessment, policy
from collectsim.proficiency import HALF_LIFE, level_of, progress, suggest_next, weighted
from collectsim.scoring import not_assessed, score
from collectsim.script import read_script, replay
from collectsim.store import Store
from collectsim.store.records import steps_from_turns
from collectsim.transcripts import available, parse_transcript, to_record

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def lib():
    return load_library()


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _play(lib, scenario: str, script: str):
    loaded = resolve_scenario(scenario, lib)
    record, _ = replay(CallSession(loaded), read_script(EXAMPLES / script))
    return loaded, record


def _as_text(record, who=("Collector", "Debtor")) -> str:
    return "\n".join(
        f"{who[0] if t.speaker == 'trainee' else who[1]}: {t.text}"
        for t in record.turns
        if t.speaker != "system"
    )


# --- transcript formats --------------------------------------------------------------------------

VARIANTS = {
    "collector": "Collector: Hi, this is Sam. Am I speaking with Jordan?\nDebtor: Yes.\n",
    "agent": "AGENT: Hi, this is Sam. Am I speaking with Jordan?\ncustomer: Yes.\n",
    "ab": "A: Hi, this is Sam. Am I speaking with Jordan?\nB: Yes.\n",
    "timestamps": "[00:00:01] Collector: Hi, this is Sam.\n(00:00:04) Debtor: Yes.\n"
                  "00:00:07 Collector: Am I speaking with Jordan?\n",
    "continuation": "Collector: Hi, this is Sam.\n   Am I speaking with Jordan?\n\nDebtor: Yes.\n",
    "json": json.dumps([{"speaker": "Collector", "text": "Hi, this is Sam. Am I speaking with "
                        "Jordan?"}, {"speaker": "debtor", "text": "Yes."}]),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_transcript_format_reads_as_collector_and_debtor_turns(name: str) -> None:
    t = parse_transcript(VARIANTS[name], "call.txt")
    assert t.lines[0].speaker == "trainee" and t.lines[0].text.startswith("Hi, this is Sam")
    assert "debtor" in [x.speaker for x in t.lines]
    assert "Am I speaking with Jordan?" in " ".join(x.text for x in t.lines)
    assert not any("00:0" in x.text for x in t.lines)  # timestamps are dropped


def test_play_json_output_scores_as_it_is(lib, capsys, tmp_path) -> None:
    code, out, _ = _run(capsys, "play", "legitimate-excuse", "--script",
                        str(EXAMPLES / "legitimate-excuse-good.txt"), "--json", "--no-record")
    path = tmp_path / "call.json"
    path.write_text(out)
    code, out, _ = _run(capsys, "score", str(path), "--scenario", "legitimate-excuse", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["format"] == "json" and doc["debtor_tags"] == "given"
    assert doc["outcome"] == "payment_plan"


@pytest.mark.parametrize(("content", "line", "message"), [
    ("Collector: Hello\nManager: I'll take it from here\n", 2, "unknown speaker 'Manager'"),
    ("hello there\nCollector: Hi\n", 1, "expected a speaker first"),
    ("Collector: Hi\nDebtor:\n", 2, "no words"),
    ("Debtor: Hello?\nDebtor: Anyone there?\n", 0, "no collector lines"),
    ('[\n  {"speaker": "collector", "text": "Hi"},\n  {"speaker": "debtor"}\n]', 3,
     '"speaker" and "text"'),
    ('[\n  {"speaker": "collector", "text": "Hi"},\n  {"speaker": "judge", "text": "x"}\n]', 3,
     "unknown speaker 'judge'"),
    ('[\n  {"speaker": "collector", "text": "Hi"}\n  {"speaker": "debtor"}\n]', 3,
     "not valid JSON"),
])
def test_malformed_transcripts_fail_with_file_and_line(capsys, tmp_path, content, line,
                                                       message) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(content)
    code, out, err = _run(capsys, "score", str(path))
    assert code == 2 and out == ""
    where = f"{path}:{line}:" if line else f"{path}:"
    assert where in err and message in err, err
    assert "Traceback" not in err


def test_without_a_scenario_case_file_criteria_are_not_assessed_not_failed(capsys,
                                                                           tmp_path) -> None:
    path = tmp_path / "call.txt"
    path.write_text("Collector: Hi, this is Sam from Northwind. Am I speaking with Jordan?\n"
                    "Debtor: Yes, speaking.\n"
                    "Collector: I'm calling about invoice 4471 for $9,999, due October 3rd.\n"
                    "Debtor: I lost my job, money is tight.\n"
                    "Collector: I understand, that sounds hard. Thank you, goodbye.\n")
    code, out, _ = _run(capsys, "score", str(path), "--json")
    doc = json.loads(out)
    skipped = {x["id"] for x in doc["not_assessed"]}
    assert {"facts_quoted", "wrong_facts", "documents_sent", "payments_checked",
            "notes_outcome"} <= skipped
    found = {f["id"] for f in doc["findings"]}
    assert not found & skipped
    assert "right_party_first" in found and doc["scenario"] is None
    # the same call against the case file: the wrong amount is now a finding
    code, out, _ = _run(capsys, "score", str(path), "--scenario", "legitimate-excuse", "--json")
    doc = json.loads(out)
    wrong = [f for f in doc["findings"] if f["id"] == "wrong_facts"]
    assert wrong and wrong[0]["points"] < 0 and wrong[0]["line"] == 3
    code, out, _ = _run(capsys, "score", str(path))
    assert code == 0 and "NOT ASSESSED" in out and "SCORECARD" in out
    for fmt, start in (("md", "# Scorecard"), ("html", "<!DOCTYPE html>")):
        code, out, _ = _run(capsys, "score", str(path), "--format", fmt)
        assert code == 0 and out.startswith(start) and "Not assessed" in out


def _same_findings(lib, scenario: str, script: str, transcript: str | None = None) -> None:
    loaded, record = _play(lib, scenario, script)
    played = score(record, loaded)
    t = parse_transcript(transcript if transcript is not None else _as_text(record))
    rec2 = to_record(t, loaded)
    scored = score(rec2, loaded, available=available(loaded))
    skipped = {x.id for x in not_assessed(rec2, loaded, None, available(loaded))}
    # Points are each criterion's share of what is assessed, so compare what was found where.
    a = sorted((f.id, f.points > 0, f.evidence) for f in played.findings if f.id not in skipped)
    b = sorted((f.id, f.points > 0, f.evidence) for f in scored.findings)
    assert a == b


@pytest.mark.parametrize(("scenario", "script"), [
    ("legitimate-excuse", "legitimate-excuse-good.txt"),
    ("settlement", "settlement-good.txt"),
    ("already-paid", "already-paid-good.txt"),
    ("third-party", "third-party-weak.txt"),
])
def test_score_and_play_agree_on_every_criterion_both_assess(lib, scenario, script) -> None:
    _same_findings(lib, scenario, script)


@pytest.mark.parametrize(("scenario", "script"), [
    ("legitimate-excuse", "legitimate-excuse-pushy.txt"),
    ("defensive", "defensive-good.txt"),
    ("hostile", "hostile-weak.txt"),
    ("off-topic", "off-topic-good.txt"),
])
def test_a_tagged_json_transcript_agrees_with_play_exactly(lib, scenario, script) -> None:
    _, record = _play(lib, scenario, script)
    _same_findings(lib, scenario, script, json.dumps([t.to_json() for t in record.turns]))


# --- contact rules -------------------------------------------------------------------------------


def _scenario(lib, **case):
    s = resolve_scenario("contact-rules", lib).scenario
    base = dict(call_time=dt.time(12, 0), call_timezone=None, contacts=())
    return dataclasses.replace(s, case=dataclasses.replace(s.case, **{**base, **case}))


@pytest.mark.parametrize(("clock", "allowed"), [
    ("07:59", False), ("08:00", True), ("20:59", True), ("21:00", False),
])
def test_time_of_day_boundaries_at_the_debtors_location(lib, clock, allowed) -> None:
    s = _scenario(lib, call_time=dt.time.fromisoformat(clock))
    assert may_call(s) is allowed
    if not allowed:
        (f,) = contact_check(s)
        assert f.rule == "time_of_day" and f.critical and clock in f.message


def test_call_time_in_another_zone_is_converted(lib) -> None:
    s = _scenario(lib, call_time=dt.time(10, 59), call_timezone="America/New_York")
    assert [f.rule for f in contact_check(s)] == ["time_of_day"]  # 07:59 in Los Angeles
    assert may_call(_scenario(lib, call_time=dt.time(11, 0), call_timezone="America/New_York"))


def _calls(n: int, day: dt.date, **kw) -> tuple[Contact, ...]:
    return tuple(Contact(date=day - dt.timedelta(days=i % 7), channel="phone", **kw)
                 for i in range(n))


def test_the_eighth_call_in_seven_days_is_the_violation(lib) -> None:
    day = dt.date(2026, 11, 20)
    assert may_call(_scenario(lib, contacts=_calls(6, day)))  # this would be the 7th
    (f,) = contact_check(_scenario(lib, contacts=_calls(7, day)))  # the 8th
    assert f.rule == "frequency" and not f.critical
    # calls the debtor made, and calls 7 days back, do not count
    inbound = _calls(6, day) + _calls(3, day, direction="inbound")
    assert may_call(_scenario(lib, contacts=inbound))
    old = (*_calls(6, day), Contact(date=day - dt.timedelta(days=7), channel="phone"))
    assert may_call(_scenario(lib, contacts=old))


def test_no_call_within_seven_days_after_a_conversation(lib) -> None:
    day = dt.date(2026, 11, 20)
    talk6 = Contact(date=day - dt.timedelta(days=6), channel="phone", conversation=True)
    talk7 = Contact(date=day - dt.timedelta(days=7), channel="phone", conversation=True)
    assert [f.rule for f in contact_check(_scenario(lib, contacts=(talk6,)))] == [
        "after_conversation"]
    assert may_call(_scenario(lib, contacts=(talk7,)))


def test_attorney_and_cease_request_forbid_the_call(lib) -> None:
    s = _scenario(lib, attorney=Attorney(name="Dana Whitfield"),
                  cease_request=dt.date(2026, 11, 2))
    assert [(f.rule, f.critical) for f in contact_check(s)] == [
        ("attorney", True), ("cease_request", True)]
    assert may_call(_scenario(lib, cease_request=dt.date(2026, 11, 21)))  # not yet received


def test_briefing_asks_the_question_only_where_the_scenario_does(lib) -> None:
    loaded = resolve_scenario("contact-rules", lib)
    b = briefing_json(loaded)["contact_rules"]
    assert b["given_time"] == "10:45" and b["local_timezone"] == "America/Los_Angeles"
    assert b["calls_in_last_7_days"] == 2  # the inbound call does not count
    assert "May this call be made now?" in briefing_text(loaded)
    assert "contact_rules" not in briefing_json(resolve_scenario("legitimate-excuse", lib))


def test_scoring_the_contact_decision(lib, capsys) -> None:
    loaded, record = _play(lib, "contact-rules", "contact-rules-wait.txt")
    card = score(record, loaded)
    assert card.scores["overall"] == 100 and not card.flags
    assert {x.id for x in not_assessed(record, loaded)} >= {"introduced_self", "next_steps"}
    loaded, record = _play(lib, "contact-rules", "contact-rules-early.txt")
    card = score(record, loaded)
    assert [f.kind for f in card.flags if f.critical] == ["contact_barred"]
    assert card.capped and card.scores["overall"] <= 40
    assert [f.points < 0 for f in card.findings if f.id == "contact_decision"] == [True]
    # refusing a call the rules allow is a miss too
    allowed = dataclasses.replace(loaded, scenario=_scenario(lib))
    session = CallSession(allowed)
    session.act("decide", "no-call")
    session.hang_up()
    card = score(session.record(), allowed)
    assert [f.points < 0 for f in card.findings if f.id == "contact_decision"] == [True]
    assert not any(f.id == "contact_barred" for f in card.findings)


def test_decide_is_a_script_action_that_resume_reads_back(lib, capsys) -> None:
    session = CallSession(resolve_scenario("contact-rules", lib))
    session.act("decide", "no-call")
    assert [str(s) for s in steps_from_turns(session.turns)] == ["/decide no-call"]
    with pytest.raises(ValueError, match="/decide call"):
        session.act("decide", "maybe")


# --- practice and assessment ---------------------------------------------------------------------


def test_play_assess_records_an_assessment_and_only_those_feed_the_team_view(capsys,
                                                                             tmp_path) -> None:
    db = str(tmp_path / "r.db")
    script = str(EXAMPLES / "legitimate-excuse-good.txt")
    for extra in ((), ("--assess",)):
        code, _, _ = _run(capsys, "play", "legitimate-excuse", "--script", script, "--db", db,
                          "--trainee", "ana", *extra)
        assert code == 0
    with Store.open(db) as store:
        modes = [a.mode for a in store.attempts(trainee="ana")]
    assert modes == ["practice", "assessment"]
    code, out, _ = _run(capsys, "report", "--summary", "--csv", "--db", db)
    assert "trainee,ana,,1,1" in out  # the assessment only
    code, out, _ = _run(capsys, "report", "--summary", "--csv", "--mode", "practice", "--db", db)
    assert "trainee,ana,,1,1" in out
    assert is_assessment("assessment") and not is_assessment(SimpleNamespace(mode="practice"))
    assert policy("assessment").coach_view is False and policy("practice").coach_view


# --- proficiency ---------------------------------------------------------------------------------


def test_recent_attempts_weigh_more_with_a_documented_half_life() -> None:
    assert HALF_LIFE == 3
    assert weighted([100.0]) == 100
    # newest first: 1 and 0.5 ** (3/3) = 0.5 -> (100 * 1 + 40 * 0.5 ...)
    assert weighted([100.0, 40, 40, 40]) == pytest.approx(
        (100 + 40 * (0.5 ** (1 / 3) + 0.5 ** (2 / 3) + 0.5)) /
        (1 + 0.5 ** (1 / 3) + 0.5 ** (2 / 3) + 0.5))
    assert weighted([]) is None


@pytest.mark.parametrize(("scores", "level"), [
    ({"overall": 59, "preparation": 90}, None),
    ({"overall": 60, "preparation": 10}, "bronze"),
    ({"overall": 75, "preparation": 60, "empathy": 60}, "silver"),
    ({"overall": 75, "preparation": 59}, "bronze"),
    ({"overall": 90, "preparation": 75, "close": 75}, "gold"),
    ({"overall": 95, "preparation": 74}, "silver"),
])
def test_levels_at_their_thresholds(scores, level) -> None:
    assert level_of(scores) == level


def _card(**scores: int) -> dict:
    return {"scores": scores, "flags": [], "findings": []}


def test_suggest_next_from_the_weakest_skill(lib, tmp_path) -> None:
    loaded = resolve_scenario("legitimate-excuse", lib)
    record, _ = replay(CallSession(loaded), read_script(EXAMPLES / "legitimate-excuse-good.txt"))
    with Store.open(str(tmp_path / "p.db")) as store:
        first = suggest_next("bo", store, lib)
        assert first is not None and first.skill is None  # no assessment yet: path start
        for mode, empathy in (("assessment", 30), ("practice", 0), ("assessment", 40)):
            aid = store.start_attempt(trainee="bo", scenario="defensive", content_hash="",
                                      seed=0, mode=mode)
            store.finish(aid, record, _card(preparation=90, professionalism=90,
                                            empathy=empathy, close=90, overall=75))
        p = progress("bo", store, lib)
    emp = next(s for s in p.skills if s.name == "empathy")
    assert emp.attempts == 2 and 30 < emp.proficiency < 40  # practice does not count
    assert p.suggestion is not None and p.suggestion.skill == "empathy"
    assert p.suggestion.scenario == "legitimate-excuse"  # it weighs empathy x1.5
    assert "empathy" in p.suggestion.why
    assert [(x.scenario, x.level) for x in p.levels] == [("defensive", "bronze")]


def test_progress_command(capsys, tmp_path) -> None:
    code, out, _ = _run(capsys, "progress", "--trainee", "cy", "--json", "--db",
                        str(tmp_path / "c.db"))
    doc = json.loads(out)
    assert code == 0 and doc["trainee"] == "cy" and doc["suggestion"]["scenario"]
    assert [s["skill"] for s in doc["skills"]] == ["preparation", "professionalism", "empathy",
                                                  "close"]
