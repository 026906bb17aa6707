"""Real calls as call records: parse a transcript, score it on the rubric a played call gets.

Two formats, told apart by the first character:

- **plain text**: one turn per line, ``Speaker: words``. Speakers (any case): ``Collector``,
  ``Agent``, ``Rep``, ``A`` for the collector; ``Debtor``, ``Customer``, ``Client``, ``B`` for the
  debtor. A line without a speaker continues the turn above it. A leading timestamp such as
  ``[00:01:23]`` or ``(01:23)`` is ignored (without brackets only before a speaker). Blank lines
  are skipped.
- **JSON**: a list of ``{"speaker": ..., "text": ...}`` (same speaker names, plus ``trainee``),
  or an object with such a list under ``"turns"`` -- so ``collectsim play --json`` output scores
  as it is. ``system`` turns are skipped; a debtor turn may carry ``"tags"`` (persona tags).

The collector's lines are analysed exactly as in the simulator (`analyse()`, and with a scenario
`factcheck.line_events` against its case file). The debtor's lines get persona tags from simple
cues (`DEBTOR_CUES`) unless the JSON gives tags. Anything a transcript cannot show (preparation,
notes, the simulated debtor's state; without a scenario, the case file) is *not assessed*.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collectsim.analysis import analyse
from collectsim.diagnostics import Diagnostic, LoadError
from collectsim.factcheck import (
    Offer,
    asked_dates,
    case_names,
    conduct_events,
    line_events,
    speaker_names,
    verifies,
)
from collectsim.models import (
    DEBTOR_TAGS,
    EVENTS,
    CaseFile,
    Debtor,
    Invoice,
    Loaded,
    Party,
    Persona,
    Scenario,
)
from collectsim.transcript import Agreement, CallRecord, Turn

MAX_TRANSCRIPT_BYTES = 1 << 20

#: Speaker names (lower case) and who they are.
SPEAKERS: dict[str, str] = {
    **dict.fromkeys(
        ("collector", "agent", "rep", "representative", "caller", "trainee", "a"), "trainee"
    ),
    **dict.fromkeys(("debtor", "customer", "client", "consumer", "b"), "debtor"),
}

_STAMP = r"[\[(]\s*\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\s*[\])]"
_BRACKETED = re.compile(rf"^\s*{_STAMP}\s*(?:-\s*)?")
_BARE_STAMP = re.compile(r"^\s*\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\s+(?:-\s*)?")
_LABEL = re.compile(r"^\s*([A-Za-z][A-Za-z .'_-]{0,30}?)\s*:(?:\s+|$)(.*)$")

#: Debtor tags read from a debtor line by plain cues, tried in this order (a line may get
#: several). Deliberately simple and documented: a human-labelled JSON transcript can give
#: `tags` instead.
DEBTOR_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (tag, re.compile(pattern, re.IGNORECASE))
    for tag, pattern in (
        ("wrong_person", r"\b(wrong (number|person)|not (here|home|available)|no one by that "
                         r"name|(he|she)('s| is) not (here|in)|this is (his|her) )"),
        ("claim_paid", r"\b(already paid|(it'?s|it is|that'?s) (been )?paid|paid (it|that|this) "
                       r"(already|last)|(sent|made) (the|a) payment|we paid)\b"),
        ("dispute", r"\b(dispute|don'?t owe|do not owe|never (got|received|ordered)|not my "
                    r"debt|that'?s wrong)\b"),
        ("ask_documents", r"\b(send (me |it )?(the|a|an|it) ?(invoice|statement|copy|bill|over)|"
                          r"(haven'?t|never|not sure i'?ve) (even )?(seen|got|received) (it|the|"
                          r"an|any)|see the invoice)\b"),
        ("give_reason", r"\b(because|forgot|lost (my|our) (job|work|biggest)|laid off|sick|ill|"
                        r"hospital|surgery|passed away|since (he|she) (passed|died|left)|broke "
                        r"down|packed up|wiped (me |us )?out|cash ?flow|(client|customer)s? "
                        r"(hasn'?t|haven'?t|didn'?t|won'?t) paid?|haven'?t been paid|money is "
                        r"tight|behind on|short on)\b"),
        ("angry", r"(\b(ridiculous|harass\w*|how dare|sick of|fed up|stop calling|leave me "
                  r"alone|go to hell|the hell|for god'?s sake|bloody|damn|idiots?|vultures?|"
                  r"parasites?|scam\w*)\b|!{2,})"),
        ("drift", r"\b(by the way|speaking of|did i (tell|mention)|reminds me|you sound like|"
                  r"next door|the weather|did you see|you know what happened)\b"),
        ("counter_offer", r"(meet (me|you) in the middle|\b(i|we) (can|could) (only )?(pay|do|"
                          r"manage|afford) \$?\d|\$\s?\d[\d,.]* (a|per) (month|week)\b.*\b("
                          r"most|max|more|only)\b|\bhow about \$?\d)"),
        ("refuse", r"\b(can'?t pay|cannot pay|won'?t pay|not paying|no way|not going to pay|"
                   r"can'?t (raise|do) that)\b"),
        ("promise", r"\b((i|we)('ll| will) (pay|send|transfer|find the money)|i promise to)\b"),
        ("agree", r"\b(that works|sounds good|deal\b|agreed|(i|we) can do that|i'?ll take it|"
                  r"that'?s (it|right)|yes,? of course|okay,? (fine|yes))"),
        ("hang_up", r"(\*\s*hangs up\s*\*|\[\s*(hangs up|click)\s*\]|\(\s*hangs up\s*\)|"
                    r"\bclick\b)"),
        ("goodbye", r"\b(good ?bye|bye)\b"),
        ("answer", r"^\W*(yes|yeah|speaking|this is (he|she|me)|that'?s me)\b"),
    )
)
#: A figure in a refusal is not an offer ("I can't pretend I can pay $6,400").
_NOT_AN_OFFER = re.compile(r"\b(pretend|can'?t|cannot|not able)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    """One turn as written: who, what, and the file line it starts on."""

    speaker: str  # trainee | debtor
    text: str
    line: int
    tags: tuple[str, ...] | None = None  # given in a JSON transcript


@dataclass(frozen=True)
class Transcript:
    path: str
    lines: tuple[Line, ...]
    format: str  # text | json

    @property
    def tagged(self) -> bool:
        """Debtor tags came with the file (JSON) rather than from cues."""
        return any(x.tags is not None for x in self.lines if x.speaker == "debtor")


def _err(path: str, line: int, message: str, col: int = 1) -> LoadError:
    return LoadError([Diagnostic(path, line, col, "error", message)])


# --- parsing ---------------------------------------------------------------------------------


def parse_text(text: str, path: str = "<transcript>") -> Transcript:
    out: list[list[Any]] = []  # [speaker, text parts, line]
    problems: list[Diagnostic] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = _BRACKETED.sub("", raw, count=1)
        if not line.strip():
            continue
        m = _LABEL.match(line) or _LABEL.match(_BARE_STAMP.sub("", line, count=1))
        if m:
            who = SPEAKERS.get(" ".join(m.group(1).lower().split()))
            if who is None:
                problems.append(
                    Diagnostic(path, n, 1, "error",
                               f"unknown speaker '{m.group(1).strip()}' (use Collector:/Debtor:, "
                               "Agent:/Customer: or A:/B:)")
                )
                continue
            out.append([who, [m.group(2).strip()], n])
            continue
        if not out:
            problems.append(
                Diagnostic(path, n, 1, "error",
                           "expected a speaker first, such as 'Collector:' or 'Debtor:'")
            )
            continue
        out[-1][1].append(line.strip())  # a continuation of the turn above
    lines = []
    for who, parts, n in out:
        said = " ".join(p for p in parts if p)
        if not said:
            problems.append(Diagnostic(path, n, 1, "error", "this turn has no words"))
            continue
        lines.append(Line(who, said, n))
    if problems:
        raise LoadError(problems)
    return _checked(Transcript(path, tuple(lines), "text"))


def _elements(text: str, start: int) -> Iterator[tuple[int, Any]]:
    """(offset, value) of each element of the JSON array starting at `start` (its '[')."""
    dec = json.JSONDecoder()
    i = start + 1
    ws = re.compile(r"\s*")
    i = ws.match(text, i).end()  # type: ignore[union-attr]
    if text[i : i + 1] == "]":
        return
    while True:
        value, end = dec.raw_decode(text, i)
        yield i, value
        i = ws.match(text, end).end()  # type: ignore[union-attr]
        if text[i : i + 1] == ",":
            i = ws.match(text, i + 1).end()  # type: ignore[union-attr]
            continue
        return


def parse_json(text: str, path: str = "<transcript>") -> Transcript:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _err(path, exc.lineno, f"not valid JSON: {exc.msg}", exc.colno) from None
    if isinstance(data, dict):
        if not isinstance(data.get("turns"), list):
            raise _err(path, 1, "a JSON transcript is a list of {speaker, text}, or an object "
                       "with that list under \"turns\"")
        m = re.search(r'"turns"\s*:\s*\[', text)
        start = m.end() - 1 if m else 0
    elif isinstance(data, list):
        start = text.index("[")
    else:
        raise _err(path, 1, "a JSON transcript is a list of {speaker, text}")
    lines: list[Line] = []
    problems: list[Diagnostic] = []
    for k, (offset, item) in enumerate(_elements(text, start), start=1):
        n = text.count("\n", 0, offset) + 1
        where = f"turn {k}"
        if not isinstance(item, dict):
            problems.append(Diagnostic(path, n, 1, "error", f"{where}: expected {{speaker, text}}"))
            continue
        speaker, said = item.get("speaker"), item.get("text")
        if not isinstance(speaker, str) or not isinstance(said, str):
            problems.append(Diagnostic(path, n, 1, "error",
                                       f"{where}: needs \"speaker\" and \"text\" as strings"))
            continue
        key = " ".join(speaker.lower().split())
        if key == "system":
            continue
        who = SPEAKERS.get(key)
        if who is None:
            problems.append(Diagnostic(path, n, 1, "error",
                                       f"{where}: unknown speaker '{speaker}' (collector/agent/A, "
                                       "debtor/customer/B)"))
            continue
        if not said.strip():
            problems.append(Diagnostic(path, n, 1, "error", f"{where}: the text is empty"))
            continue
        tags = item.get("tags")
        if tags is not None:
            bad = [t for t in tags if t not in DEBTOR_TAGS] if isinstance(tags, list) else [tags]
            if bad:
                problems.append(Diagnostic(path, n, 1, "error",
                                           f"{where}: unknown debtor tag {bad[0]!r}"))
                continue
            tags = tuple(tags) if who == "debtor" else None
        lines.append(Line(who, " ".join(said.split()), n, tags))
    if problems:
        raise LoadError(problems)
    return _checked(Transcript(path, tuple(lines), "json"))


def _checked(t: Transcript) -> Transcript:
    if not any(x.speaker == "trainee" for x in t.lines):
        raise _err(t.path, 0, "no collector lines to score (speakers: Collector:/Agent:/A:)")
    return t


def parse_transcript(text: str, path: str = "<transcript>") -> Transcript:
    """Either format: JSON when it starts with '[' or '{' (and not with a timestamp)."""
    body = text.lstrip()
    stamped = _BRACKETED.match(body) is not None  # "[00:01:23] Collector: ..." is text
    return parse_json(text, path) if body[:1] in ("[", "{") and not stamped else parse_text(
        text, path
    )


def read_transcript(path: Path) -> Transcript:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_TRANSCRIPT_BYTES + 1)
    except OSError as exc:
        raise _err(str(path), 0, f"cannot read transcript: {exc.strerror}") from None
    if len(data) > MAX_TRANSCRIPT_BYTES:
        raise _err(str(path), 0, "transcript is larger than 1 MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _err(str(path), data[: exc.start].count(b"\n") + 1, "not UTF-8 text") from None
    return parse_transcript(text, str(path))


# --- from transcript to call record -----------------------------------------------------------


def debtor_tags(text: str) -> tuple[str, ...]:
    """Persona tags for a debtor line, from `DEBTOR_CUES`."""
    tags = [tag for tag, cue in DEBTOR_CUES if cue.search(text)]
    if "counter_offer" in tags and _NOT_AN_OFFER.search(text) and "refuse" not in tags:
        tags.remove("counter_offer")
    return tuple(tags)


def unknown_scenario(call_type: str = "first_party") -> Loaded:
    """A stand-in scenario for a transcript scored without one: nothing in it is a fact."""
    nobody = Party(name="(not given)")
    scenario = Scenario(
        id="transcript",
        title="A recorded call (no scenario)",
        persona="unknown",
        call_type=call_type,  # type: ignore[arg-type]
        case=CaseFile(
            creditor=nobody,
            collector=nobody,
            debtor=Debtor(name="(not given)"),
            invoices=(Invoice(number="(not given)", amount=1),),
        ),
        success=("paid_in_full",),
    )
    persona = Persona(id="unknown", type="unknown", stages=("call",))
    return Loaded(scenario=scenario, persona=persona)


_OUTCOME_OF_OFFER = {"plan": "payment_plan", "settlement": "settlement", "lump": "promise_to_pay"}


def to_record(t: Transcript, loaded: Loaded | None = None) -> CallRecord:
    """The transcript as the record a played call leaves, so `scoring.score` reads it the same.

    With a scenario, every collector line is checked against its case file as the engine does;
    without, only what needs no case file (shouting, talking debt before checking who answers).
    Agreement and outcome are inferred: an offer followed by a debtor line tagged agree/promise.
    """
    case = loaded.scenario.case if loaded is not None else None
    known = (
        case_names(case) | speaker_names(loaded.persona.speaker)
        if case is not None and loaded is not None
        else frozenset()
    )
    turns: list[Turn] = []
    verified = False
    last_offer: tuple[Offer, int] | None = None  # and the line that made it
    asked: tuple[str, ...] = ()  # the days asked for, as the engine keeps them
    asked_at = 0  # the line that last changed them
    agreement: Agreement | None = None
    outcome = "no_agreement"
    ended_by = "trainee"
    for x in t.lines:
        n = len(turns) + 1
        if x.speaker == "trainee":
            a = analyse(x.text, known)
            if case is not None and loaded is not None:
                events, offer = line_events(
                    a, case, verified=verified, debt_paid=case.outstanding() <= 0,
                    traits=loaded.traits, authority=loaded.scenario.authority,
                    other_names=speaker_names(loaded.persona.speaker),
                )
                if offer is not None:
                    last_offer = (offer, n)
                dates = asked_dates(a, offer)
                if dates is not None and tuple(d.text for d in dates) != asked:
                    asked, asked_at = tuple(d.text for d in dates), n
            else:
                events = conduct_events(a, verified=verified)
            turns.append(Turn(n=n, speaker="trainee", text=x.text, acts=a.acts,
                              events=tuple(e for e in EVENTS if e in events), slots=a.slots()))
            if verifies(a.acts, events):
                verified = True
            ended_by = "trainee"
        else:
            tags = x.tags if x.tags is not None else debtor_tags(x.text)
            turns.append(Turn(n=n, speaker="debtor", text=x.text, tags=tags))
            # A yes to new terms, or to a new day for the same terms, replaces what was agreed.
            fresh = last_offer is not None and (
                agreement is None or max(last_offer[1], asked_at) > agreement.turn
            )
            if {"agree", "promise"} & set(tags) and (agreement is None or fresh):
                # Terms agreed once stay agreed; a yes to a *new* offer replaces them.
                if last_offer is not None:
                    offer, _ = last_offer
                    outcome = _OUTCOME_OF_OFFER[offer.kind]
                    agreement = Agreement(
                        outcome=outcome, turn=n, total=offer.total,
                        instalment=offer.instalment if offer.kind == "plan" else None,
                        instalments=offer.instalments if offer.kind == "plan" else None,
                        dates=asked,
                    )
                elif agreement is None and "promise" in tags:  # "okay" alone agrees to nothing
                    outcome = "promise_to_pay"
                    agreement = Agreement(outcome=outcome, turn=n, dates=asked)
            for tag, name in (("dispute", "dispute"), ("claim_paid", "already_paid"),
                              ("wrong_person", "wrong_party")):
                if tag in tags and agreement is None:
                    outcome = name
            ended_by = "debtor" if "hang_up" in tags else "trainee"
            if "hang_up" in tags and agreement is None:
                outcome = "hung_up"
    return CallRecord(
        scenario=loaded.scenario.id if loaded is not None else "transcript",
        seed=0,
        outcome=outcome,
        turns=tuple(turns),
        agreement=agreement,
        ended_by=ended_by,  # type: ignore[arg-type]
        finished=True,
    )


def available(loaded: Loaded | None) -> frozenset[str]:
    """What a transcript can show (rubric.CAPABILITIES): the call, and the case file if given."""
    return frozenset({"call", "case_file"} if loaded is not None else {"call"})


def turn_lines(t: Transcript) -> dict[int, int]:
    """Record turn number -> the file line it came from (findings cite both)."""
    return {i: x.line for i, x in enumerate(t.lines, start=1)}


__all__ = [
    "DEBTOR_CUES",
    "SPEAKERS",
    "Line",
    "Transcript",
    "available",
    "debtor_tags",
    "parse_json",
    "parse_text",
    "parse_transcript",
    "read_transcript",
    "to_record",
    "turn_lines",
    "unknown_scenario",
]
