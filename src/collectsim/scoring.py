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

import calendar
import datetime as dt
import difflib
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from rapidfuzz import fuzz, utils

from collectsim.acts import DISCLOSING
from collectsim.analysis import analyse
from collectsim.analysis.result import DateMention
from collectsim.contact import ContactFinding, asks_contact_question, contact_check
from collectsim.models import AGREEMENTS, Loaded, Persona, Rule
from collectsim.rubric import CHECKS, DIMENSIONS, Criterion, Rubric, RubricError, load_rubric
from collectsim.transcript import CallRecord, Turn

# --- the scorecard -------------------------------------------------------------------------------


@dataclass(frozen=True, init=False)
class Finding:
    """One point gained (+) or lost (-), tied to the line that earned it."""

    dimension: str
    criterion: str  # the human label
    id: str
    points: int
    turn: int | None
    evidence: str | None
    tip: str

    def __init__(
        self,
        dimension: str,
        criterion: str,
        id: str,
        points: int,
        turn: int | None,
        evidence: str | None,
        tip: str,
    ) -> None:
        # As transcript.Turn: a card holds some 16 findings, and filling the instance dict at
        # once costs half of what the generated frozen __init__ does, field by field.
        self.__dict__.update(
            dimension=dimension, criterion=criterion, id=id, points=points, turn=turn,
            evidence=evidence, tip=tip,
        )

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
    # The line to jump to. For something that never happened (a missing disclosure), the last
    # trainee line the check looked at; 0 only when there was no trainee line at all.
    turn: int
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
    #: Why scores were capped, e.g. "overall <= 70: reached an outcome that counts as success".
    cap_reasons: tuple[str, ...] = ()

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


class Call:
    """A record plus its scenario, with the lookups every check needs.

    Some thirty checks read the same few turns, so they are split once, by speaker, system kind,
    act, event and debtor tag, instead of each check rescanning the whole call.
    """

    __slots__ = (
        "_by_act",
        "_by_event",
        "_by_tag",
        "_contact",
        "_kinds",
        "debtor",
        "finished",
        "lines",
        "loaded",
        "record",
    )

    def __init__(self, record: CallRecord, loaded: Loaded) -> None:
        self.record = record
        self.loaded = loaded
        self.finished = record.finished
        lines: list[Turn] = []
        debtor: list[Turn] = []
        kinds: dict[str | None, list[Turn]] = {}
        by_act: dict[str, list[int]] = {}
        by_event: dict[str, list[int]] = {}
        by_tag: dict[str, list[int]] = {}
        for t in record.turns:
            if t.speaker == "trainee":
                _file(by_act, t.acts, len(lines))
                _file(by_event, t.events, len(lines))
                lines.append(t)
            elif t.speaker == "debtor":
                _file(by_tag, t.tags, len(debtor))
                debtor.append(t)
            elif t.speaker == "system":
                kinds.setdefault(t.kind, []).append(t)
        self.lines: tuple[Turn, ...] = tuple(lines)  # the trainee's lines, in order
        self.debtor: tuple[Turn, ...] = tuple(debtor)
        self._kinds = kinds
        self._by_act = by_act
        self._by_event = by_event
        self._by_tag = by_tag
        self._contact: list[ContactFinding] | None = None

    @property
    def connected(self) -> bool:
        """The call has started: later preparation is no longer preparation."""
        return any(
            t.speaker != "system" or t.in_call or t.kind in ("call_start", "call_end")
            for t in self.record.turns
        )

    @property
    def made(self) -> bool:
        """A call was placed (whether or not the contact rules allowed it)."""
        return any(t.kind == "call_start" or t.speaker != "system" for t in self.record.turns)

    def doing(self, acts: Iterable[str] = (), events: Iterable[str] = ()) -> list[Turn]:
        """The lines doing any of `acts` or raising any of `events`, in order."""
        by_act, by_event = self._by_act, self._by_event
        found = [by_act[a] for a in acts if a in by_act]
        found += [by_event[e] for e in events if e in by_event]
        return _pick(self.lines, found)

    def tagged(self, tags: Iterable[str]) -> list[Turn]:
        """The debtor turns with any of `tags`, in order."""
        by_tag = self._by_tag
        return _pick(self.debtor, [by_tag[x] for x in tags if x in by_tag])

    def first(self, acts: Sequence[str], after: int = 0) -> Turn | None:
        """The first line after turn `after` doing any of `acts`."""
        lines, by_act = self.lines, self._by_act
        best = len(lines)
        for a in acts:
            for i in by_act.get(a, ()):
                if i >= best:
                    break
                if lines[i].n > after:
                    best = i
                    break
        return lines[best] if best < len(lines) else None

    def lines_after(self, n: int) -> list[Turn]:
        return [t for t in self.lines if t.n > n]

    def system(self, kind: str) -> Sequence[Turn]:
        """System turns of one kind, in order (read-only: the index itself)."""
        return self._kinds.get(kind, ())

    def slot(self, t: Turn, name: str) -> list[Any]:
        value = dict(t.slots).get(name) or []
        return list(value) if isinstance(value, list | tuple) else [value]

    def open_or(self, missing: Verdict) -> Verdict:
        """Not there yet: pending while the call goes on, `missing` once it has finished."""
        return missing if self.finished else PENDING

    @property
    def contact_findings(self) -> list[ContactFinding]:
        """`contact.contact_check` of the scenario, worked out once per card (three checks ask)."""
        if self._contact is None:
            self._contact = contact_check(self.loaded.scenario)
        return self._contact


def _file(index: dict[str, list[int]], keys: tuple[str, ...], at: int) -> None:
    """File position `at` under each key (once, even if a key is listed twice)."""
    for k in keys:
        where = index.get(k)
        if where is None:
            index[k] = [at]
        elif where[-1] != at:
            where.append(at)


def _pick(turns: tuple[Turn, ...], found: list[list[int]]) -> list[Turn]:
    """The turns at the positions in any of `found`, in order."""
    if not found:
        return []
    if len(found) == 1:
        return [turns[i] for i in found[0]]
    return [turns[i] for i in sorted({i for at in found for i in at})]


def _has(t: Turn, acts: Sequence[str]) -> bool:
    return not set(acts).isdisjoint(t.acts) if len(acts) > 1 else bool(acts) and acts[0] in t.acts


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
    candidates = call.doing(acts)
    if args.get("not_with_event"):  # e.g. an identity check that asked for the wrong name
        spoilt = set(args["not_with_event"])
        candidates = [t for t in candidates if spoilt.isdisjoint(t.events)]
    if action:
        candidates += call.system(action)
    done = min(candidates, key=lambda t: t.n, default=None)
    if done is not None and (cutoff is None or done.n < cutoff.n):
        return met(done)
    if cutoff is not None:
        excused = args.get("unless_tag")
        if excused and any(d.n < cutoff.n for d in call.tagged(excused)):
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
        return missed(_miss_at(call, args) or call.lines[n - 1])
    return call.open_or(missed(_miss_at(call, args) or (call.lines[-1] if call.lines else None)))


def _miss_at(call: Call, args: Mapping[str, Any]) -> Turn | None:
    """The first line doing a `miss_at` act before ACT was done (e.g. the debt raised without
    the collector disclosure): the line a missed `act_within` is about, if there is one."""
    miss_at = args.get("miss_at") or ()
    if not miss_at:
        return None
    for t in call.lines:
        if _has(t, args["act"]):
            return None  # done before the first such line: only the window was missed
        if _has(t, miss_at):
            return t
    return None


def _act_present(call: Call, args: Mapping[str, Any]) -> Verdict:
    t = call.first(args["act"])
    return met(t) if t else call.open_or(missed(None))


def _answered_tag(call: Call, args: Mapping[str, Any]) -> Verdict:
    within = max(1, args["within"])
    answered: list[Turn] = []
    unanswered: list[Turn | None] = []
    acts = args["act"]
    for d in call.tagged(args["tag"]):
        window = call.lines_after(d.n)[:within]
        answer = next((t for t in window if _has(t, acts)), None)
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
    return any(len(call.lines_after(d.n)) < within for d in call.tagged(args["tag"]))


def _event_present(call: Call, args: Mapping[str, Any]) -> Verdict:
    t = next(iter(call.doing(events=args["event"])), None)
    return met(t) if t else call.open_or(missed(None))


def _phrase(call: Call, args: Mapping[str, Any]) -> Verdict:
    pattern: re.Pattern[str] = args["pattern"]
    acts = args.get("act")
    for t in call.doing(acts) if acts else call.lines:
        if pattern.search(t.text):
            return met(t)
    return call.open_or(missed(None))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.5, 0.005 * abs(b))


@lru_cache(maxsize=4096)
def _parse_dates(text: str) -> tuple[DateMention, ...]:
    """The dates in a recorded date phrase, read by the analyser (cached: summaries repeat)."""
    found = analyse(text).dates
    return found or (DateMention(text=text),)


def _mentions(texts: Iterable[str]) -> list[DateMention]:
    return [m for t in texts for m in _parse_dates(str(t))]


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _days(start: dt.date, n: int) -> frozenset[dt.date]:
    return frozenset(start + dt.timedelta(days=i) for i in range(n))


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _next_month(d: dt.date) -> dt.date:
    return (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _on_calendar(m: DateMention, today: dt.date) -> frozenset[dt.date] | None:
    """The days a mention can mean, seen from the day of the call; None if it names none.

    Ambiguity is kept, not guessed away: "Friday" said on a Friday is today or a week today,
    "next week" is any of its seven days. Two mentions agree when their sets meet.
    """
    monday = today - dt.timedelta(days=today.weekday())
    if m.day is not None:
        if m.month is None:  # "the 15th": this month's if still to come, else next month's
            first = today.replace(day=1) if m.day >= today.day else _next_month(today)
        else:  # "January 5th" said in November is next January
            year = m.year or today.year + ((m.month, m.day) < (today.month, today.day))
            first = dt.date(year, m.month, 1)
        if m.day > calendar.monthrange(first.year, first.month)[1]:
            return frozenset()
        return frozenset({first.replace(day=m.day)})
    if m.weekday is not None:
        wd = _WEEKDAYS.index(m.weekday)
        ahead = (wd - today.weekday()) % 7
        coming = {today + dt.timedelta(days=ahead)}
        if ahead == 0:
            coming.add(today + dt.timedelta(days=7))
        if m.relative == "next_week":  # "next Friday": the coming one or next week's
            coming.add(monday + dt.timedelta(days=7 + wd))
        return frozenset(coming)
    if m.month is not None:  # "by December": any day of it
        year = m.year or (today.year + (m.month < today.month))
        first = dt.date(year, m.month, 1)
        return _days(first, calendar.monthrange(year, m.month)[1])
    rel = m.relative
    if rel is None:
        return None
    fixed = {"today": 0, "tomorrow": 1, "day_after_tomorrow": 2, "yesterday": -1,
             "in_1_week": 7, "in_2_weeks": 14}
    if rel in fixed:
        return frozenset({today + dt.timedelta(days=fixed[rel])})
    if rel == "this_week":
        return _days(today, 7 - today.weekday())
    if rel == "next_week":
        return _days(monday + dt.timedelta(days=7), 7)
    if rel == "end_of_week":  # Friday to Sunday, still to come this week
        return frozenset(d for d in _days(monday + dt.timedelta(days=4), 3) if d >= today)
    if rel == "end_of_month":
        return frozenset({_month_end(today)})
    if rel == "this_month":
        return _days(today, (_month_end(today) - today).days + 1)
    if rel == "next_month":
        first = _next_month(today)
        return _days(first, (_month_end(first) - first).days + 1)
    return None


def _fields_agree(a: DateMention, b: DateMention) -> bool:
    """Without a calendar: the same kind of date with the same parts ("by Friday", "on Friday")."""
    if a.day is not None or b.day is not None:
        return (a.day == b.day and (a.month is None or b.month is None or a.month == b.month)
                and (a.year is None or b.year is None or a.year == b.year))
    if a.weekday is not None or b.weekday is not None:
        return a.weekday == b.weekday and (
            a.relative is None or b.relative is None or a.relative == b.relative)
    if a.month is not None or b.month is not None:
        return a.month == b.month
    if a.relative is not None or b.relative is not None:
        return a.relative == b.relative
    return _plain(a.text) == _plain(b.text)


def _plain(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _same_date(a: DateMention, b: DateMention, today: dt.date | None) -> bool:
    if today is not None:
        da, db = _on_calendar(a, today), _on_calendar(b, today)
        if da is not None and db is not None:
            return bool(da & db)
    return _fields_agree(a, b)


def _summary_ok(call: Call, t: Turn) -> bool:
    """The summary names the agreed money, no wrong figure, and (if it names one) the date."""
    ag = call.record.agreement
    assert ag is not None
    case = call.loaded.scenario.case
    balance, total = case.outstanding(), case.total
    agreed = [x for x in (ag.total, ag.instalment) if x]
    if not agreed:  # the terms were not read from an offer: the balance is what was agreed
        agreed = [balance, total]
    plausible = [*agreed, balance, total]
    amounts = [float(x) for x in call.slot(t, "amounts") if isinstance(x, int | float)]
    if not any(_close(a, g) for a in amounts for g in agreed):
        return False
    if any(not any(_close(a, p) for p in plausible) for a in amounts):
        return False
    said = _mentions(call.slot(t, "dates"))
    if ag.dates and said:
        today = case.call_date
        return any(_same_date(d, g, today) for d in said for g in _mentions(ag.dates))
    return True


def _summary_matches_agreement(call: Call, args: Mapping[str, Any]) -> Verdict:
    ag = call.record.agreement
    if ag is None:
        return call.open_or(NA)
    tries = [t for t in call.doing(("summarize_agreement",)) if t.n > ag.turn]
    good = next((t for t in tries if _summary_ok(call, t)), None)
    if good is not None:
        return met(good)
    return call.open_or(missed(tries[0] if tries else None))


def _next_steps_stated(call: Call, args: Mapping[str, Any]) -> Verdict:
    ag = call.record.agreement
    after = ag.turn if ag is not None else 0
    said = [t for t in call.doing(("next_steps",)) if t.n > after]
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
    # who answered instead, that the debtor was not reached, and the next attempt
    "wrong_party": ("wrong person", "wrong party", "third party", "not the debtor",
                    "receptionist", "reception", "colleague", "roommate", "assistant",
                    "unavailable", "not available", "not reached", "left a message",
                    "message left", "left name", "left my name", "no account details",
                    "nothing disclosed", "try again", "retry"),
    "no_agreement": ("no agreement", "refused", "won't pay", "will not pay", "declined",
                     "no commitment", "no promise"),
    "hung_up": ("hung up", "hang up", "ended the call", "disconnected"),
}
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


@lru_cache(maxsize=64)
def _processed(words: tuple[str, ...]) -> tuple[str, ...]:
    """An outcome's words as rapidfuzz compares them (the vocabulary, not the note: cached)."""
    return tuple(utils.default_process(w) for w in words)


def _note_records(call: Call, text: str, cutoff: int) -> bool:
    low = utils.default_process(text)
    words = OUTCOME_WORDS.get(call.record.outcome, (call.record.outcome.replace("_", " "),))
    # partial_ratio aligns the shorter string inside the longer: a note shorter than the
    # phrase ("no", "note") would match it, so a phrase only counts if it fits in the note.
    if any(len(w) <= len(low) and fuzz.partial_ratio(w, low) >= cutoff
           for w in _processed(words)):
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
    closing = next((t for t in call.lines[-args["lines"]:] if _has(t, args["act"])), None)
    if closing is not None:
        return met(closing)
    if call.record.ended_by == "debtor":
        return NA  # the debtor put the phone down: the trainee had no chance to close
    if not call.lines:
        return missed(None)
    return missed(call.lines[-1])


def _outcome_in(call: Call, args: Mapping[str, Any]) -> Verdict:
    """The result of the call: judged when it has ended, since an outcome can still change."""
    if not call.finished:
        return PENDING
    want = call.loaded.scenario.success if args.get("success") else args["outcomes"]
    outcome = call.record.outcome
    end = next(iter(call.system("call_end")), None)
    if outcome not in want:
        return missed(end)  # "Call ended. Outcome: no agreement." is what the trainee sees
    spoilt = [f for f in args.get("unless_fact", ()) if f in call.record.facts]
    if spoilt:  # e.g. a promise forced out of the debtor: the outcome, but not a success
        return Verdict("missed", missed=_fact_hit(call, spoilt))
    return Verdict("met", met=_outcome_hit(call), earned=1.0)


def _outcome_hit(call: Call) -> Hit:
    """Where the outcome was reached: the debtor's yes, or the reply whose rule set it."""
    outcome = call.record.outcome
    ag = call.record.agreement
    if ag is not None and outcome in AGREEMENTS:
        # the last turn with that number, as a {n: turn} map of the record would give
        yes = next((t for t in reversed(call.record.turns) if t.n == ag.turn), None)
        if yes is not None:
            return _hit(yes)
    rules = _rules(call.loaded.persona)
    setting = [d for d in call.debtor
               if d.rule in rules and rules[d.rule].do.outcome == outcome]
    if setting:
        return _hit(setting[-1])
    return _hit(next(iter(call.system("call_end")), None))


_RULES: dict[int, tuple[Persona, dict[str, Rule]]] = {}


def _rules(persona: Persona) -> dict[str, Rule]:
    """A persona's rules by id, built once per loaded persona (personas are frozen)."""
    hit = _RULES.get(id(persona))
    if hit is None or hit[0] is not persona:
        if len(_RULES) >= 64:  # a long TUI session reloading edited files: keep it bounded
            _RULES.clear()
        hit = _RULES[id(persona)] = (persona, {r.id: r for r in persona.rules})
    return hit[1]


#: Facts the engine keeps itself, and the turn kinds (or acts) that set them.
ENGINE_FACTS: dict[str, str | None] = {
    "documents_sent": "send_documents",
    "payments_checked": "check_payments",
    "plan_made": "plan",
    "identity_verified": "verify_identity",
    "agreement": None,
    "debt_paid": None,
}


def known_facts(persona: Persona) -> set[str]:
    """Every fact a call with this persona can hold: the engine's and those its rules use."""
    out = set(ENGINE_FACTS)
    for r in persona.rules:
        out.update(r.do.remember, r.do.forget, r.when.facts, r.when.not_facts)
    return out


def _fact_hit(call: Call, facts: Sequence[str]) -> Hit:
    """The trainee line that led to one of the facts, where the transcript can tell.

    A replying rule that remembers it names its debtor turn (the line before it is the cause);
    a rule that only reacts (no reply of its own) is matched on the acts, events and stage it
    needs. Engine facts point at their preparation action or act. Otherwise: nowhere.
    """
    rules = _rules(call.loaded.persona)
    reacting = [r for r in call.loaded.persona.rules
                if not r.say and any(f in r.do.remember for f in facts)]
    stage = call.loaded.persona.stages[0] if call.loaded.persona.stages else None
    previous: Turn | None = None
    for t in call.record.turns:
        if t.speaker == "debtor":
            rule = rules.get(t.rule or "")
            if previous is not None and rule is not None and any(
                f in rule.do.remember for f in facts
            ):
                return _hit(previous)
            stage = t.stage or stage
        elif t.speaker == "trainee":
            if any(_could_fire(r, t, stage) for r in reacting):
                return _hit(t)
            previous = t
    for f in facts:
        kind = ENGINE_FACTS.get(f)
        if kind is None:
            continue
        done = call.system(kind) or [t for t in call.lines if kind in t.acts]
        if done:
            return _hit(done[0])
    if "agreement" in facts and call.record.agreement is not None:
        return _hit(next((t for t in call.record.turns if t.n == call.record.agreement.turn),
                         None))
    return NOWHERE


def _could_fire(rule: Rule, t: Turn, stage: str | None) -> bool:
    """What a reaction rule needs of the line itself (meters, facts, chance are not recorded)."""
    w = rule.when
    return (all(a in t.acts for a in w.acts)
            and (not w.any_acts or _has(t, w.any_acts))
            and not _has(t, w.no_acts)
            and all(e in t.events for e in w.events)
            and not any(e in t.events for e in w.no_events)
            and (not w.stage or stage in w.stage)
            and not (w.not_stage and stage in w.not_stage))


def _fact_present(call: Call, args: Mapping[str, Any]) -> Verdict:
    facts = args["fact"]
    if any(f in call.record.facts for f in facts):
        hit = _fact_hit(call, [f for f in facts if f in call.record.facts])
        return Verdict("met", met=hit, earned=1.0)
    return call.open_or(missed(None))


def _fact_absent(call: Call, args: Mapping[str, Any]) -> Verdict:
    held = [f for f in args["fact"] if f in call.record.facts]
    if held:
        return Verdict("missed", missed=_fact_hit(call, held))
    return Verdict("met", earned=1.0) if call.finished else PENDING


def _no_act(call: Call, args: Mapping[str, Any]) -> list[Turn]:
    return call.doing(args["act"], args.get("event", ()))


def _no_event(call: Call, args: Mapping[str, Any]) -> list[Turn]:
    return call.doing(events=args["event"])


def _act_repeated(call: Call, args: Mapping[str, Any]) -> list[Turn]:
    return _no_act(call, args)[args["allowed"]:]


def _after_tag(call: Call, args: Mapping[str, Any]) -> list[Turn]:
    start = next(iter(call.tagged(args["tag"])), None)
    if start is None:
        return []
    return [t for t in call.doing(args.get("act", ()), args.get("event", ())) if t.n > start.n]


def _third_party(call: Call, args: Mapping[str, Any]) -> list[Turn]:
    after: int | None = 0 if call.loaded.traits.get("right_party", 1) < 1 else None
    if after is None:
        wrong = next(iter(call.tagged(("wrong_person",))), None)
        if wrong is None:
            return []
        after = wrong.n
    return [t for t in call.doing(DISCLOSING) if t.n > after]


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
    "outcome_in": _outcome_in,
    "fact_present": _fact_present,
    "fact_absent": _fact_absent,
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
    return call.made


def _decision(call: Call) -> tuple[str | None, Turn | None]:
    """The trainee's last /decide before the call; a call made without one decided 'call'."""
    decided = [t for t in call.system("decide") if not t.in_call]
    if decided:
        return decided[-1].text.removeprefix("Decision: ").strip(), decided[-1]
    if _call_made(call):
        return "call", call.lines[0] if call.lines else None
    return ("no-call", None) if call.finished else (None, None)


def _contact_decision(call: Call, args: Mapping[str, Any]) -> Verdict:
    scenario = call.loaded.scenario
    if not asks_contact_question(scenario):
        return NA
    choice, turn = _decision(call)
    if choice is None:
        return PENDING
    right = "no-call" if call.contact_findings else "call"
    if choice == right:
        return met(turn) if turn is not None else Verdict("met", earned=1.0)
    return missed(turn)


def _contact_rules(call: Call, args: Mapping[str, Any]) -> list[Turn]:
    if not _call_made(call):
        return []
    start = next((t for t in call.record.turns if t.kind == "call_start"), None)
    n = start.n if start is not None else (call.lines[0].n if call.lines else 0)
    return [
        Turn(n=n, speaker="trainee", text=f"{f.message} ({f.citation})")
        for f in call.contact_findings
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
    return _rightly_not_called(Call(record, loaded))


def _rightly_not_called(call: Call) -> bool:
    return (
        call.finished
        and not _call_made(call)
        and asks_contact_question(call.loaded.scenario)
        and bool(call.contact_findings)
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
    rules: Rubric, record: CallRecord, loaded: Loaded, available: Capabilities | None,
    call: Call | None = None,
) -> tuple[NotAssessed, ...]:
    from collectsim.rubric import CAPABILITIES, NEEDS_REASONS, needs

    have = set(CAPABILITIES if available is None else available)
    if _rightly_not_called(call if call is not None else Call(record, loaded)):
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


def _assessable(rules: Rubric, call: Call, available: Capabilities | None) -> Rubric:
    """`rules` without the criteria this record cannot show (see `not_assessed`)."""
    import dataclasses

    if available is None and not _rightly_not_called(call):
        return rules
    skip = {x.id for x in _skipped(rules, call.record, call.loaded, available, call)}
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


#: A failure: the turn and the line quoted (0 and "" for something that never happened).
Failure = tuple[int, str]
_MET_NOWHERE = Verdict("met", earned=1.0)


def judge(c: Criterion, call: Call) -> tuple[Verdict, list[Failure]]:
    """A criterion's verdict (for points to earn) and its failures (for deductions and flags)."""
    occurrences = OCCURRENCES.get(c.check)
    if occurrences is not None:
        hits = occurrences(call, c.args)
        if hits:
            return missed(hits[0]), [(t.n, t.text) for t in hits]
        return (_MET_NOWHERE if call.finished else PENDING), []
    v = VERDICTS[c.check](call, c.args)
    if v.status == "missed" or v.status == "partial":
        return v, [(v.missed.turn or 0, v.missed.evidence or "")]
    return v, []


def _shares(points: list[int]) -> list[int]:
    """Rescale positive points to add up to exactly 100 (largest remainder, ties by order)."""
    total = sum(points)
    raw = [p * 100 / total for p in points]
    out = [int(x) for x in raw]
    short = 100 - sum(out)
    if short:
        # Largest remainder first; the sort is stable, so equal remainders go by order.
        behind = [o - r for o, r in zip(out, raw, strict=True)]
        for i in sorted(range(len(raw)), key=behind.__getitem__)[:short]:
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
    _check_facts(rules, loaded.persona)
    call = Call(record, loaded)
    rules = _assessable(rules, call, available)  # transcripts, calls rightly not made
    findings: list[Finding] = []
    flags: list[Flag] = []
    failed: list[Criterion] = []  # failed criteria that cap the score
    scores: dict[str, int] = {}
    # One pass sorts the criteria that apply by dimension; each dimension is then judged in
    # rubric order, as if the rubric were walked once per dimension.
    by_dim: dict[str, list[tuple[int, Criterion]]] = {dim: [] for dim in DIMENSIONS}
    for idx, c in enumerate(rules.criteria):
        todo = by_dim.get(c.dimension)
        if todo is not None and (not c.only_if or applies(c, loaded)):
            todo.append((idx, c))
    for dim in DIMENSIONS:
        earnable: list[tuple[Criterion, Verdict]] = []
        dim_findings: list[tuple[int, Finding]] = []
        deducted = 0
        for idx, c in by_dim[dim]:
            verdict, failures = judge(c, call)
            if not failures:
                if c.points >= 0 and verdict.status != "na" and verdict.status != "pending":
                    earnable.append((c, verdict))
                continue
            if c.flag:
                flags += [
                    Flag(c.flag, n or _window_end(c, call), text or c.label, c.critical)
                    for n, text in failures
                ]
            if c.cap or (c.critical and rules.caps):
                failed.append(c)
            if c.deduction:
                for n, text in failures[: c.limit]:
                    f = _finding(c, c.points, Hit(n or None, text or None))
                    dim_findings.append((idx, f))
                    deducted -= c.points
            elif verdict.status != "na" and verdict.status != "pending":
                earnable.append((c, verdict))
        earned = 100.0
        if earnable:
            # The score uses exact fractions (so it can only fall when something is missed);
            # the findings show whole-point shares, which may differ from it by rounding.
            possible = sum(c.points for c, _ in earnable)
            earned = 100.0 * sum(c.points * v.earned for c, v in earnable) / possible
            shares = _shares([c.points for c, _ in earnable])
            index = rules.positions
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
    caps, reasons = _caps(failed, rules)
    for dim in DIMENSIONS:
        if dim in caps:
            scores[dim] = min(scores[dim], caps[dim])
    weights = {d: rules.weights.get(d, 1.0) for d in DIMENSIONS}
    overall = _round(sum(weights[d] * scores[d] for d in DIMENSIONS) / sum(weights.values()))
    if "overall" in caps:
        overall = min(overall, caps["overall"])
    scores["overall"] = max(0, min(100, overall))
    return Scorecard(scores=scores, flags=tuple(flags), findings=tuple(findings),
                     capped=bool(caps), cap_reasons=reasons)


def _check_facts(rules: Rubric, persona: Persona) -> None:
    """A fact the persona never holds is a typo that would silently never (or always) score."""
    known: set[str] | None = None
    for c in rules.criteria:
        if c.check not in ("fact_present", "fact_absent"):
            continue
        known = known if known is not None else known_facts(persona)
        for f in c.args["fact"]:
            if f not in known:
                close = difflib.get_close_matches(f, sorted(known), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise RubricError(
                    f"rubric.criteria: criterion {c.id!r}: persona {persona.id!r} never holds "
                    f"fact {f!r}{hint}"
                )


def _caps(failed: Sequence[Criterion], rules: Rubric) -> tuple[dict[str, int], tuple[str, ...]]:
    """The lowest cap on each score over the failed criteria, and why, for the card.

    A criterion's own `cap` wins; a critical one without it takes the rubric's `caps` (the QA
    auto-fail), so an authority breach can cap overall without calling the call abusive.
    """
    caps: dict[str, int] = {}
    reasons: dict[str, None] = {}
    for c in failed:
        cap = c.cap or rules.caps
        for key, value in cap.items():
            caps[key] = min(caps.get(key, 100), value)
        limits = ", ".join(f"{k} {v}" for k, v in cap.items())
        # a deduction's label says what went wrong; an earned criterion's says what was missed
        why = c.label if c.deduction else f'missed "{c.label}"'
        reasons[f"{limits}: {why}"] = None
    return caps, tuple(reasons)


def _window_end(c: Criterion, call: Call) -> int:
    """Where a flag for something that never happened points: the end of what was checked."""
    if c.check == "prep_action":  # before the call: the moment it connected
        start = next((t for t in call.record.turns if t.in_call), None)
        return start.n if start is not None else 0
    return call.lines[-1].n if call.lines else 0


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
    for reason in card.cap_reasons:
        out.append(_clip(f"  (capped at {reason})", WIDTH))
    if card.capped and not card.cap_reasons:
        out.append("  (capped)")
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
