"""The scorer: a call record, its scenario and a rubric in; a scorecard with evidence out.

`score()` is a pure function of (record, loaded, rubric). It reads only what the call left behind
(turns with their acts, events and debtor tags, notes, plans, the agreement), so the same
transcript always gets the same card, and a card can be computed after every turn for a live
coach view. What to reward lives in ``data/rubric.yaml``; this module is the library of named
checks the rubric refers to, plus the arithmetic that turns their results into 0-100 scores.

How a dimension is scored (see docs/rubric.md): criteria with positive points are things to do;
the points of those that apply to this call are rescaled to add up to 100, so each finding shows
its real weight. A missed one shows as minus what it would have given. Criteria with negative
points are deductions, charged per failure (up to their limit). A dimension is 100 minus every
negative finding (up to rounding), kept within 0-100; a critical flag caps professionalism and
overall.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from rapidfuzz import fuzz, utils

from collectsim.acts import DISCLOSING
from collectsim.models import Loaded
from collectsim.rubric import CHECKS, DIMENSIONS, Criterion, Rubric, load_rubric
from collectsim.transcript import CallRecord, Turn

# --- the scorecard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One point gained (+) or lost (-), tied to the line that earned it."""

    dimension: str
    criterion: str  # the human label
    id: str
    points: int
    turn: int | None
    evidence: str | None
    tip: str

    def to_json(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "criterion": self.criterion,
            "points": self.points,
            "turn": self.turn,
            "evidence": self.evidence,
            "tip": self.tip,
            "id": self.id,
        }


@dataclass(frozen=True)
class Flag:
    """Conduct a QA reviewer would mark; critical ones cap the score."""

    kind: str
    turn: int  # 0 when it concerns the call as a whole
    text: str
    critical: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "turn": self.turn, "text": self.text, "critical": self.critical}


@dataclass(frozen=True)
class Scorecard:
    scores: dict[str, int]
    flags: tuple[Flag, ...]
    findings: tuple[Finding, ...]
    capped: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "scores": dict(self.scores),
            "flags": [f.to_json() for f in self.flags],
            "findings": [f.to_json() for f in self.findings],
        }

    def strongest(self, n: int = 3) -> list[Finding]:
        """The biggest points gained, earliest first among equals."""
        good = [f for f in self.findings if f.points > 0]
        return sorted(good, key=lambda f: (-f.points, _turn_key(f)))[:n]

    def weakest(self, n: int = 3) -> list[Finding]:
        """The biggest points lost, earliest first among equals."""
        bad = [f for f in self.findings if f.points < 0]
        return sorted(bad, key=lambda f: (f.points, _turn_key(f)))[:n]


def _turn_key(f: Finding) -> int:
    return f.turn if f.turn is not None else 1 << 30


# --- what checks return --------------------------------------------------------------------------

Status = Literal["met", "missed", "partial", "na", "pending"]


@dataclass(frozen=True)
class Hit:
    """Where something happened: a turn and the line quoted (both None: it never happened)."""

    turn: int | None = None
    evidence: str | None = None


NOWHERE = Hit()


@dataclass(frozen=True)
class Verdict:
    """How a to-do criterion went. ``pending``: cannot be judged yet (the call goes on)."""

    status: Status
    met: Hit = NOWHERE
    missed: Hit = NOWHERE
    earned: float = 0.0  # share of the points earned: 1 met, 0 missed, between for partial


def met(t: Turn | None) -> Verdict:
    return Verdict("met", met=_hit(t), earned=1.0)


def missed(t: Turn | None) -> Verdict:
    return Verdict("missed", missed=_hit(t))


NA = Verdict("na")
PENDING = Verdict("pending")


def _hit(t: Turn | None) -> Hit:
    return Hit(t.n, t.text) if t is not None else NOWHERE


# --- the call, as checks read it ----------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """A record plus its scenario, with the lookups every check needs."""

    record: CallRecord
    loaded: Loaded

    @property
    def finished(self) -> bool:
        return self.record.finished

    @cached_property
    def lines(self) -> tuple[Turn, ...]:
        """The trainee's lines, in order."""
        return tuple(t for t in self.record.turns if t.speaker == "trainee")

    @cached_property
    def debtor(self) -> tuple[Turn, ...]:
        return tuple(t for t in self.record.turns if t.speaker == "debtor")

    @cached_property
    def connected(self) -> bool:
        """The call has started: later preparation is no longer preparation."""
        return any(
            t.speaker != "system" or t.in_call or t.kind in ("call_start", "call_end")
            for t in self.record.turns
        )

    def first(self, acts: Sequence[str], after: int = 0) -> Turn | None:
        return next((t for t in self.lines if t.n > after and _has(t, acts)), None)

    def lines_after(self, n: int) -> list[Turn]:
        return [t for t in self.lines if t.n > n]

    def system(self, kind: str) -> list[Turn]:
        return [t for t in self.record.turns if t.speaker == "system" and t.kind == kind]

    def slot(self, t: Turn, name: str) -> list[Any]:
        value = dict(t.slots).get(name) or []
        return list(value) if isinstance(value, list | tuple) else [value]

    def open_or(self, missing: Verdict) -> Verdict:
        """Not there yet: pending while the call goes on, `missing` once it has finished."""
        return missing if self.finished else PENDING


def _has(t: Turn, acts: Sequence[str]) -> bool:
    return any(a in t.acts for a in acts)


# --- the check library (names and arguments are declared in rubric.CHECKS) ---------------------

VerdictCheck = Callable[[Call, Mapping[str, Any]], Verdict]
OccurrenceCheck = Callable[[Call, Mapping[str, Any]], list[Turn]]


def _prep_action(call: Call, args: Mapping[str, Any]) -> Verdict:
    done = call.system(args["action"])
    before = [t for t in done if not t.in_call]
    if len(before) >= args["min"]:
        return met(before[args["min"] - 1])
    if not call.connected:
        return PENDING
    return missed(done[0] if done else None)  # done during the call is shown as the evidence


def _act_before(call: Call, args: Mapping[str, Any]) -> Verdict:
    acts, action = args.get("act", ()), args.get("action")
    cutoff = call.first(args["before"])
    candidates = [t for t in call.lines if _has(t, acts)]
    if action:
        candidates += call.system(action)
    done = min(candidates, key=lambda t: t.n, default=None)
    if done is not None and (cutoff is None or done.n < cutoff.n):
        return met(done)
    if cutoff is not None:
        excused = args.get("unless_tag")
        if excused and any(_has_tag(d, excused) for d in call.debtor if d.n < cutoff.n):
            return NA
        return missed(cutoff)
    return call.open_or(NA if args.get("if_never") == "na" else missed(None))


def _act_within(call: Call, args: Mapping[str, Any]) -> Verdict:
    n = max(1, args["lines"])
    extend = args.get("extend_for") or ()
    for i, t in enumerate(call.lines):
        if i >= n:
            break
        if _has(t, args["act"]):
            return met(t)
        if extend and _has(t, extend) and not _has(t, ("small_talk",)):
            n += 1  # a required opening line (e.g. the disclosure) is not a delay
    if len(call.lines) >= n:
        return missed(call.lines[n - 1])
    return call.open_or(missed(call.lines[-1] if call.lines else None))


def _act_present(call: Call, args: Mapping[str, Any]) -> Verdict:
    t = call.first(args["act"])
    return met(t) if t else call.open_or(missed(None))


def _has_tag(t: Turn, tags: Sequence[str]) -> bool:
    return any(x in t.tags for x in tags)


def _answered_tag(call: Call, args: Mapping[str, Any]) -> Verdict:
    within = max(1, args["within"])
    answered: list[Turn] = []
    unanswered: list[Turn | None] = []
    for d in call.debtor:
        if not _has_tag(d, args["tag"]):
            continue
        window = call.lines_after(d.n)[:within]
        answer = next((t for t in window if _has(t, args["act"])), None)
        if answer is not None:
            answered.append(answer)
        elif len(window) == within or (call.finished and window):
            unanswered.append(window[0])
        # else: the trainee may still answer (or the call ended before they could)
    if not answered and not unanswered:
        return call.open_or(NA)
    if not args["every"]:
        if answered:
            return met(answered[0])
        return missed(unanswered[0]) if call.finished or not _open_tag(call, args) else PENDING
    share = len(answered) / (len(answered) + len(unanswered))
    status: Status = "met" if share == 1 else "missed" if share == 0 else "partial"
    return Verdict(
        status,
        met=_hit(answered[0]) if answered else NOWHERE,
        missed=_hit(unanswered[0]) if unanswered else NOWHERE,
        earned=share,
    )


def _open_tag(call: Call, args: Mapping[str, Any]) -> bool:
    """A tagged debtor turn whose answer window is still open."""
    within = max(1, args["within"])
    return any(
        _has_tag(d, args["tag"]) and len(call.lines_after(d.n)) < within for d in call.debtor
    )


def _event_present(call: Call, args: Mapping[str, Any]) -> Verdict:
    t = next((t for t in call.lines if any(e in t.events for e in args["event"])), None)
    return met(t) if t else call.open_or(missed(None))


def _phrase(call: Call, args: Mapping[str, Any]) -> Verdict:
    pattern: re.Pattern[str] = args["pattern"]
    acts = args.get("act")
    for t in call.lines:
        if pattern.search(t.text) and (not acts or _has(t, acts)):
            return met(t)
    return call.open_or(missed(None))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.5, 0.005 * abs(b))


_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}


def _date_key(text: str) -> tuple[int | None, int | None, str]:
    """(month, day, rest) from a date as typed; enough to tell 'Nov 1st' from 'the 15th'."""
    low = text.lower()
    month = next((i for m, i in _MONTHS.items() if re.search(rf"\b{m}", low)), None)
    nums = [int(x) for x in re.findall(r"\d+", low)]
    if month is None and len(nums) >= 2 and "/" in low:
        month, nums = nums[0], nums[1:]  # 11/1
    day = next((x for x in nums if 1 <= x <= 31), None)
    return month, day, re.sub(r"[^a-z]", "", low)


def _dates_match(said: str, agreed: str) -> bool:
    a, b = _date_key(said), _date_key(agreed)
    if a[1] is not None and b[1] is not None:
        return a[1] == b[1] and (a[0] is None or b[0] is None or a[0] == b[0])
    return fuzz.ratio(a[2], b[2]) >= 80


def _summary_ok(call: Call, t: Turn) -> bool:
    """The summary names the agreed money, no wrong figure, and (if it names one) the date."""
    ag = call.record.agreement
    assert ag is not None
    case = call.loaded.scenario.case
    agreed = [x for x in (ag.total, ag.instalment) if x]
    if not agreed:  # the terms were not read from an offer: the balance is what was agreed
        agreed = [case.outstanding(), case.total]
    plausible = [*agreed, case.outstanding(), case.total]
    amounts = [float(x) for x in call.slot(t, "amounts") if isinstance(x, int | float)]
    if not any(_close(a, g) for a in amounts for g in agreed):
        return False
    if any(not any(_close(a, p) for p in plausible) for a in amounts):
        return False
    dates = [str(d) for d in call.slot(t, "dates")]
    if ag.dates and dates:
        return any(_dates_match(d, g) for d in dates for g in ag.dates)
    return True


def _summary_matches_agreement(call: Call, args: Mapping[str, Any]) -> Verdict:
    ag = call.record.agreement
    if ag is None:
        return call.open_or(NA)
    tries = [t for t in call.lines_after(ag.turn) if "summarize_agreement" in t.acts]
    good = next((t for t in tries if _summary_ok(call, t)), None)
    if good is not None:
        return met(good)
    return call.open_or(missed(tries[0] if tries else None))


def _next_steps_stated(call: Call, args: Mapping[str, Any]) -> Verdict:
    ag = call.record.agreement
    after = ag.turn if ag is not None else 0
    said = [t for t in call.lines_after(after) if "next_steps" in t.acts]
    calm = next((t for t in said if not _has(t, args["not_with"])), None)
    if calm is not None:
        return met(calm)
    return call.open_or(missed(said[0] if said else None))


#: Words a note may use for each outcome; matched fuzzily, so "instalments" finds "instalment".
OUTCOME_WORDS: dict[str, tuple[str, ...]] = {
    "paid_in_full": ("paid in full", "pay in full", "full payment", "full balance", "pay the full"),
    "payment_plan": ("payment plan", "instalment", "installment", "per month", "a month",
                     "monthly"),
    "settlement": ("settlement", "settle", "settled"),
    "promise_to_pay": ("promise to pay", "promised", "will pay", "agreed to pay", "ptp"),
    "callback": ("call back", "callback", "call again", "follow up"),
    "dispute": ("dispute", "disputed", "disputes"),
    "already_paid": ("already paid", "paid already", "payment received", "has paid"),
    "wrong_party": ("wrong person", "wrong party", "third party", "not the debtor"),
    "no_agreement": ("no agreement", "refused", "won't pay", "will not pay", "declined",
                     "no commitment", "no promise"),
    "hung_up": ("hung up", "hang up", "ended the call", "disconnected"),
}
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def _note_records(call: Call, text: str, cutoff: int) -> bool:
    low = utils.default_process(text)
    words = OUTCOME_WORDS.get(call.record.outcome, (call.record.outcome.replace("_", " "),))
    if any(fuzz.partial_ratio(utils.default_process(w), low) >= cutoff for w in words):
        return True
    ag = call.record.agreement
    figures = [x for x in ((ag.total, ag.instalment) if ag else ()) if x]
    said = [float(x.replace(",", "")) for x in _NUMBER.findall(text)]
    return any(_close(s, f) for s in said for f in figures)


def _notes_record_outcome(call: Call, args: Mapping[str, Any]) -> Verdict:
    notes = call.system("note")
    if not notes and call.record.notes:  # a record built without note turns
        notes = [Turn(n=0, speaker="system", text=x, kind="note") for x in call.record.notes]
    good = next((t for t in notes if _note_records(call, t.text, args["cutoff"])), None)
    if good is not None:
        return Verdict("met", met=Hit(good.n or None, good.text), earned=1.0)
    if not call.finished:
        return PENDING
    return Verdict("missed", missed=Hit(notes[0].n or None, notes[0].text) if notes else NOWHERE)


def _polite_end(call: Call, args: Mapping[str, Any]) -> Verdict:
    if not call.finished:
        return PENDING
    if not call.lines:
        return missed(None)
    closing = next((t for t in call.lines[-args["lines"]:] if _has(t, args["act"])), None)
    if closing is not None:
        return met(closing)
    return missed(call.lines[-1])


def _no_act(call: Call, args: Mapping[str, Any]) -> list[Turn]:
    events = args.get("event", ())
    return [t for t in call.lines if _has(t, args["act"]) or any(e in t.events for e in events)]


def _no_event(call: Call, args: Mapping[str, Any]) -> list[Turn]:
    return [t for t in call.lines if any(e in t.events for e in args["event"])]


def _act_repeated(call: Call, args: Mapping[str, Any]) -> list[Turn]:
    return _no_act(call, args)[args["allowed"]:]


def _after_tag(call: Call, args: Mapping[str, Any]) -> list[Turn]:
    start = next((d for d in call.debtor if _has_tag(d, args["tag"])), None)
    if start is None:
        return []
    acts, events = args.get("act", ()), args.get("event", ())
    return [
        t for t in call.lines_after(start.n)
        if _has(t, acts) or any(e in t.events for e in events)
    ]


def _third_party(call: Call, args: Mapping[str, Any]) -> list[Turn]:
    after: int | None = 0 if call.loaded.traits.get("right_party", 1) < 1 else None
    if after is None:
        wrong = next((d for d in call.debtor if "wrong_person" in d.tags), None)
        if wrong is None:
            return []
        after = wrong.n
    return [t for t in call.lines_after(after) if _has(t, tuple(DISCLOSING))]


VERDICTS: dict[str, VerdictCheck] = {
    "prep_action": _prep_action,
    "act_before": _act_before,
    "act_within": _act_within,
    "act_present": _act_present,
    "answered_tag": _answered_tag,
    "event_present": _event_present,
    "phrase": _phrase,
    "summary_matches_agreement": _summary_matches_agreement,
    "next_steps_stated": _next_steps_stated,
    "notes_record_outcome": _notes_record_outcome,
    "polite_end": _polite_end,
}
OCCURRENCES: dict[str, OccurrenceCheck] = {
    "no_act": _no_act,
    "no_event": _no_event,
    "act_repeated": _act_repeated,
    "after_tag": _after_tag,
    "third_party": _third_party,
}


# --- contact rules (collectsim.contact) and what can be assessed --------------------------------


def _call_made(call: Call) -> bool:
    return any(t.kind == "call_start" or t.speaker != "system" for t in call.record.turns)


def _decision(call: Call) -> tuple[str | None, Turn | None]:
    """The trainee's last /decide before the call; a call made without one decided 'call'."""
    decided = [t for t in call.system("decide") if not t.in_call]
    if decided:
        return decided[-1].text.removeprefix("Decision: ").strip(), decided[-1]
    if _call_made(call):
        return "call", call.lines[0] if call.lines else None
    return ("no-call", None) if call.finished else (None, None)


def _contact_decision(call: Call, args: Mapping[str, Any]) -> Verdict:
    from collectsim.contact import asks_contact_question, contact_check

    scenario = call.loaded.scenario
    if not asks_contact_question(scenario):
        return NA
    choice, turn = _decision(call)
    if choice is None:
        return PENDING
    right = "no-call" if contact_check(scenario) else "call"
    if choice == right:
        return met(turn) if turn is not None else Verdict("met", earned=1.0)
    return missed(turn)


def _contact_rules(call: Call, args: Mapping[str, Any]) -> list[Turn]:
    from collectsim.contact import contact_check

    if not _call_made(call):
        return []
    start = next((t for t in call.record.turns if t.kind == "call_start"), None)
    n = start.n if start is not None else (call.lines[0].n if call.lines else 0)
    return [
        Turn(n=n, speaker="trainee", text=f"{f.message} ({f.citation})")
        for f in contact_check(call.loaded.scenario)
        if f.critical == args["critical"]
    ]


#: What a record can show (rubric.CAPABILITIES), e.g. {"call", "case_file"} for a transcript.
Capabilities = Sequence[str] | frozenset[str] | set[str]

VERDICTS["contact_decision"] = _contact_decision
OCCURRENCES["contact_rules"] = _contact_rules


@dataclass(frozen=True)
class NotAssessed:
    """A criterion left out of the score because the record cannot show it (not a miss)."""

    dimension: str
    criterion: str  # the human label
    id: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"dimension": self.dimension, "criterion": self.criterion, "id": self.id,
                "reason": self.reason}


def rightly_not_called(record: CallRecord, loaded: Loaded) -> bool:
    """The trainee did not make a call the contact rules forbid: in-call criteria don't apply."""
    from collectsim.contact import asks_contact_question, contact_check

    call = Call(record, loaded)
    return (
        record.finished
        and not _call_made(call)
        and asks_contact_question(loaded.scenario)
        and bool(contact_check(loaded.scenario))
    )


def not_assessed(
    record: CallRecord,
    loaded: Loaded,
    rubric: Rubric | None = None,
    available: Capabilities | None = None,
) -> tuple[NotAssessed, ...]:
    """The criteria `score()` leaves out for this record, with the reason for each.

    `available`: what the record holds (rubric.CAPABILITIES; None = everything, a played call).
    A call rightly not made (contact rules) has no `call` whatever was given.
    """
    base = rubric if rubric is not None else default_rubric()
    return _skipped(base.with_overrides(loaded.scenario.rubric), record, loaded, available)


def _skipped(
    rules: Rubric, record: CallRecord, loaded: Loaded, available: Capabilities | None
) -> tuple[NotAssessed, ...]:
    from collectsim.rubric import CAPABILITIES, NEEDS_REASONS, needs

    have = set(CAPABILITIES if available is None else available)
    if rightly_not_called(record, loaded):
        have.discard("call")
    out = []
    for c in rules.criteria:
        missing = needs(c) - have
        unknown_persona = "traits" in c.only_if and "case_file" in missing
        if not missing or not (applies(c, loaded) or unknown_persona):
            continue
        reason = NEEDS_REASONS[sorted(missing, key=CAPABILITIES.index)[0]]
        if "call" in missing:
            reason = "no call was made, rightly: the contact rules forbid it"
        out.append(NotAssessed(c.dimension, c.label, c.id, reason))
    return tuple(out)


def _assessable(
    rules: Rubric, record: CallRecord, loaded: Loaded, available: Capabilities | None
) -> Rubric:
    """`rules` without the criteria this record cannot show (see `not_assessed`)."""
    import dataclasses

    if available is None and not rightly_not_called(record, loaded):
        return rules
    skip = {x.id for x in _skipped(rules, record, loaded, available)}
    kept = tuple(c for c in rules.criteria if c.id not in skip)
    return dataclasses.replace(rules, criteria=kept)
# The declared library and its implementation must not drift apart.
assert set(VERDICTS) == {n for n, s in CHECKS.items() if s.kind == "verdict"}
assert set(OCCURRENCES) == {n for n, s in CHECKS.items() if s.kind == "occurrences"}


# --- from checks to a scorecard -----------------------------------------------------------------


def applies(c: Criterion, loaded: Loaded) -> bool:
    """Whether the criterion's `only_if` conditions hold for this scenario and persona."""
    sc = loaded.scenario
    for key, want in c.only_if.items():
        if key == "traits":
            if not all(cmp.test(loaded.traits.get(k, 0.0)) for k, cmp in want.items()):
                return False
        elif getattr(sc, key) != want:
            return False
    return True


def judge(c: Criterion, call: Call) -> tuple[Verdict, list[Turn]]:
    """A criterion's verdict (for points to earn) and its failures (for deductions and flags)."""
    if c.check in OCCURRENCES:
        hits = OCCURRENCES[c.check](call, c.args)
        if hits:
            return missed(hits[0]), hits
        return (met(None) if call.finished else PENDING), []
    v = VERDICTS[c.check](call, c.args)
    failures: list[Turn] = []
    if v.status in ("missed", "partial"):
        failures = [Turn(n=v.missed.turn or 0, speaker="trainee", text=v.missed.evidence or "")]
    return v, failures


def _shares(points: list[int]) -> list[int]:
    """Rescale positive points to add up to exactly 100 (largest remainder, ties by order)."""
    total = sum(points)
    raw = [p * 100 / total for p in points]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: 100 - sum(out)]:
        out[i] += 1
    return out


def _round(x: float) -> int:
    return int(x + 0.5)


def score(
    record: CallRecord,
    loaded: Loaded,
    rubric: Rubric | None = None,
    *,
    available: Capabilities | None = None,
) -> Scorecard:
    """Score a call (finished or not) against the rubric adjusted by the scenario."""
    base = rubric if rubric is not None else default_rubric()
    rules = base.with_overrides(loaded.scenario.rubric)
    rules = _assessable(rules, record, loaded, available)  # transcripts, calls rightly not made
    call = Call(record, loaded)
    findings: list[Finding] = []
    flags: list[Flag] = []
    scores: dict[str, int] = {}
    for dim in DIMENSIONS:
        earnable: list[tuple[Criterion, Verdict]] = []
        dim_findings: list[tuple[int, Finding]] = []
        deducted = 0
        for idx, c in enumerate(rules.criteria):
            if c.dimension != dim or not applies(c, loaded):
                continue
            verdict, failures = judge(c, call)
            if c.flag:
                flags += [
                    Flag(c.flag, t.n, t.text or c.label, c.critical) for t in failures
                ]
            if c.deduction:
                for t in failures[: c.limit]:
                    f = _finding(c, c.points, Hit(t.n or None, t.text or None))
                    dim_findings.append((idx, f))
                    deducted -= c.points
            elif verdict.status not in ("na", "pending"):
                earnable.append((c, verdict))
        earned = 100.0
        if earnable:
            # The score uses exact fractions (so it can only fall when something is missed);
            # the findings show whole-point shares, which may differ from it by rounding.
            possible = sum(c.points for c, _ in earnable)
            earned = 100.0 * sum(c.points * v.earned for c, v in earnable) / possible
            shares = _shares([c.points for c, _ in earnable])
            index = {c.id: i for i, c in enumerate(rules.criteria)}
            for (c, v), share in zip(earnable, shares, strict=True):
                gained = _round(share * v.earned)
                if gained:
                    dim_findings.append((index[c.id], _finding(c, gained, v.met)))
                if share - gained:
                    dim_findings.append((index[c.id], _finding(c, gained - share, v.missed)))
        scores[dim] = max(0, min(100, _round(earned) - deducted))
        dim_findings.sort(key=lambda x: (x[0], _turn_key(x[1]), -x[1].points))
        findings += [f for _, f in dim_findings]
    flags.sort(key=lambda f: (f.turn, f.kind))
    critical = any(f.critical for f in flags)
    if critical:
        for dim in DIMENSIONS:
            if dim in rules.caps:
                scores[dim] = min(scores[dim], rules.caps[dim])
    weights = {d: rules.weights.get(d, 1.0) for d in DIMENSIONS}
    overall = _round(sum(weights[d] * scores[d] for d in DIMENSIONS) / sum(weights.values()))
    if critical and "overall" in rules.caps:
        overall = min(overall, rules.caps["overall"])
    scores["overall"] = max(0, min(100, overall))
    return Scorecard(scores=scores, flags=tuple(flags), findings=tuple(findings),
                     capped=critical and bool(rules.caps))


def _finding(c: Criterion, points: int, hit: Hit) -> Finding:
    return Finding(
        dimension=c.dimension,
        criterion=c.label,
        id=c.id,
        points=points,
        turn=hit.turn,
        evidence=hit.evidence,
        tip=c.tip,
    )


_DEFAULT: list[Rubric] = []


def default_rubric() -> Rubric:
    """The packaged rubric, read once."""
    if not _DEFAULT:
        _DEFAULT.append(load_rubric())
    return _DEFAULT[0]


# --- the plain-text card -----------------------------------------------------------------------

WIDTH = 100


def _bar(value: int, width: int = 30) -> str:
    full = _round(value * width / 100)
    return "#" * full + "." * (width - full)


def _clip(text: str, width: int) -> str:
    indent = text[: len(text) - len(text.lstrip())]
    text = indent + " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _finding_lines(f: Finding) -> list[str]:
    where = f"turn {f.turn}" if f.turn is not None else "never"
    head = f"  {f.points:+4d}  {f.criterion} ({f.dimension}, {where})"
    out = [_clip(head, WIDTH)]
    pad = " " * 8
    if f.evidence:
        quote = textwrap.wrap(f'"{f.evidence}"', WIDTH - len(pad), max_lines=2, placeholder='..."')
        out += [pad + line for line in quote]
    if f.tip:
        out += textwrap.wrap(f"tip: {f.tip}", WIDTH, initial_indent=pad, subsequent_indent=pad)
    return out


def render_scorecard(card: Scorecard, n: int = 3) -> str:
    """The card a trainee reads in ten seconds: bars, flags, then best and worst points."""
    out = ["SCORECARD"]
    for dim in (*DIMENSIONS, "overall"):
        value = card.scores.get(dim, 0)
        out.append(f"  {dim:<16} {_bar(value)} {value:>3}")
    if card.capped:
        out.append("  (capped: critical conduct flagged)")
    if card.flags:
        out.append("")
        out.append("FLAGS")
        for fl in card.flags:
            mark = "CRITICAL" if fl.critical else "warning "
            where = f"turn {fl.turn}" if fl.turn else "call"
            out.append(_clip(f"  ! {mark} {fl.kind:<24} {where:<8} {fl.text}", WIDTH))
    best, worst = card.strongest(n), card.weakest(n)
    if best:
        out += ["", "STRONGEST"]
        for f in best:
            out += _finding_lines(f)
    if worst:
        out += ["", "WEAKEST"]
        for f in worst:
            out += _finding_lines(f)
    rest = len(card.findings) - len(best) - len(worst)
    if rest > 0:
        out += ["", f"  ...and {rest} more finding{'s' * (rest > 1)} (--json lists them all)"]
    return "\n".join(out)


__all__ = [
    "Finding",
    "Flag",
    "NotAssessed",
    "Scorecard",
    "default_rubric",
    "load_rubric",
    "not_assessed",
    "render_scorecard",
    "rightly_not_called",
    "score",
]
