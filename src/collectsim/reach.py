"""Which stages, rules and outcomes a persona can reach: a search over abstract call states.

`collectsim check` must not guess whether a rule can fire or a scenario can be won, so it plays
the persona's own rules from the first stage. The lines tried in every state are act/event sets
drawn from the rules' own conditions (one per rule and ``any_acts`` choice), every single act,
an empty line and silence/hold; the engine's order is followed exactly (reactions in file order,
then the highest-priority replying rule; ``chance`` branches both ways). A state holds the
stage, the facts, debtor tags, past acts and flags that conditions test, the rules that can no
longer fire, each meter as a *band* between the thresholds rules test, the line number (exact,
up to the first line past every ``turn`` threshold, where all of them test alike for good), the
outcome and whether an agreement was recorded. Two approximations are inherent: bands
over-approximate meters (a band may be entered where the exact value would not be), and a line
combines acts only as some condition does.

Two reductions make the search small. Both are exact: it finds the same rules fired, stages,
outcomes and, for rules that never fire, the same rules that replied instead, as the plain
search that keeps every state apart and expands them all (`tests/test_reach.py` compares them).
So neither changes a verdict: they cannot make a reachable rule look dead, nor an unwinnable
scenario look winnable.

- Merging (`_Search.canon`): a rule is switched off for good once a part of its condition
  has become false for good: it is a spent once-rule; a ``not_facts`` fact no rule forgets is
  remembered; a needed fact nothing can remember is missing; a ``not_said`` act was said or a
  ``not_told`` tag given (both only grow); the line number is past its ``turn`` test (it only
  grows); or its stage test fails for every stage the call can still be in (this one and those
  that live rules lead to). What only switched-off rules read is then dropped: the facts, tags,
  past acts, flags and meters no live rule tests, the line number once no live ``turn`` test
  can change, whether an agreement was recorded once no live rule tests the fact. Exact because
  a switched-off rule fails in every state that can follow, and a dropped part is read by no
  rule that can still fire nor by the engine (the facts deciding which lines can be said are
  kept): merged states have the same successors, line for line, up to the same merging.
- Pruning (`_Search.distance`): a state is expanded only if a rule still live in it has not
  fired yet, or leads to a stage or outcome not reached yet. Rules never come back on, stages
  and outcomes change only when a rule fires, and a rule that never fires stays a target
  throughout, so a state left unexpanded could not have added anything. When every rule has
  fired and every stage and outcome a rule can set was reached, the search stops.

The order states are expanded in only decides how soon that happens. A search that hits
`MAX_STATES` first (or is told to stop at an outcome) says it is incomplete, and callers must
not report anything as unreachable from it. Example paths are real but not always the shortest.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from collectsim.acts import ACTS, DISCLOSING
from collectsim.factcheck import UNCONFIRMING, verifies
from collectsim.models import AGREEMENTS, Comparison, Condition, Persona, Rule

#: States one search may visit. A count, not a time limit, so `check` says the same everywhere.
MAX_STATES = 3_000
#: Facts the engine sets from preparation actions, at any time before or during the call.
PREP_FACTS: tuple[str, ...] = ("documents_sent", "payments_checked", "plan_made")
_CONDUCT = ("threaten", "insult", "pressure", "dismiss")
_QUIET = frozenset({"silence", "hold"})  # only /wait and /hold raise these, with no acts
_ENGINE_FACTS = ("agreement", "identity_verified")  # facts the engine adds itself in a call
# What a line leaves behind besides the rules it wakes: flags, said acts, verification, and
# the events that decide whether it can be said at all.
_TRACE_ACTS = frozenset({*_CONDUCT, *DISCLOSING, "verify_identity"})
_TRACE_EVENTS = frozenset({"shouting", "pressed_paid_debt", "disclosed_unverified", *UNCONFIRMING})


class Line(NamedTuple):
    """One abstract trainee line: the acts it does, the events it raises, what it mentions."""

    acts: frozenset[str]
    events: frozenset[str]
    mentions: frozenset[str] = frozenset()

    def __str__(self) -> str:
        parts = [
            *sorted(self.acts),
            *(f"event:{e}" for e in sorted(self.events)),
            *(f"mentions:{m}" for m in sorted(self.mentions)),
        ]
        return "{" + ", ".join(parts) + "}" if parts else "(silence)"


class State(NamedTuple):
    """An abstract call state; the search keeps only canonical ones (see `_Search.canon`)."""

    stage: str
    meters: tuple[int, ...]  # band index per tracked meter
    facts: frozenset[str]
    told: frozenset[str]
    said: frozenset[str]
    flags: frozenset[str]
    off: frozenset[str]  # rules that can never fire again: spent once-rules, dead conditions
    turn: int  # the trainee's line number, up to `turn_cap` (or there once turns stop mattering)
    outcome: str | None
    agreed: bool


def _state(*fields: object) -> State:
    """`State` without NamedTuple's keyword handling: the search builds a great many."""
    return tuple.__new__(State, fields)  # type: ignore[arg-type]


class _Watch(NamedTuple):
    """The parts of a rule's condition that, once false, stay false for the rest of the call."""

    rule: str
    gone_facts: frozenset[str]  # not_facts no rule forgets: once remembered, always remembered
    stuck_facts: frozenset[str]  # facts nothing can remember: while missing, always missing
    not_said: frozenset[str]  # the trainee's past acts only grow
    not_told: frozenset[str]  # so do the debtor's tags
    last_turn: int  # the last line number where its `turn` test holds (-1: none); lines only grow
    stage: frozenset[str]
    not_stage: frozenset[str]
    target: str | None  # the stage it moves the call to

    def gone(self, s: State) -> bool:
        return (
            s.turn > self.last_turn
            or not self.gone_facts.isdisjoint(s.facts)
            or not self.stuck_facts <= s.facts
            or not self.not_said.isdisjoint(s.said)
            or not self.not_told.isdisjoint(s.told)
        )

    def stranded(self, stages: set[str]) -> bool:
        """No stage the call can still be in satisfies its stage test."""
        return bool(self.stage and self.stage.isdisjoint(stages)) or stages <= self.not_stage


class _Need(NamedTuple):
    """The state parts of a rule's condition, to tell how far a state is from meeting it."""

    facts: frozenset[str]
    not_facts: frozenset[str]
    told: frozenset[str]
    not_told: frozenset[str]
    said: frozenset[str]
    not_said: frozenset[str]
    flags: frozenset[str]
    stage: frozenset[str]
    not_stage: frozenset[str]
    turns: tuple[int, ...] | None  # line numbers (up to the cap) where its `turn` test holds
    meters: tuple[tuple[int, frozenset[int]], ...]  # (meter, bands where its test holds)

    def missing(self, s: State) -> int:
        d = (
            len(self.facts - s.facts) + len(self.not_facts & s.facts)
            + len(self.told - s.told) + len(self.not_told & s.told)
            + len(self.said - s.said) + len(self.not_said & s.said)
            + len(self.flags - s.flags)
            + (bool(self.stage) and s.stage not in self.stage) + (s.stage in self.not_stage)
            + sum(s.meters[i] not in ok for i, ok in self.meters)
        )
        if self.turns is not None:
            d += next((t - s.turn for t in self.turns if t >= s.turn), 0)
        return d


class _Relevant(NamedTuple):
    """What the rules that can still fire read: the rest of a state cannot matter any more."""

    facts: frozenset[str]
    tags: frozenset[str]
    said: frozenset[str]
    flags: frozenset[str]
    meters: tuple[bool, ...]
    turn_from: int  # from this line number on no live rule's `turn` test changes


@dataclass(frozen=True)
class Bands:
    """A meter's range cut at every threshold: even index = a point, odd = the gap after it."""

    points: tuple[float, ...]

    @classmethod
    def build(cls, lo: float, hi: float, cuts: Iterable[float]) -> Bands:
        return cls(tuple(sorted({lo, hi, *(c for c in cuts if lo <= c <= hi)})))

    @property
    def lo(self) -> float:
        return self.points[0]

    @property
    def hi(self) -> float:
        return self.points[-1]

    def of(self, value: float) -> int:
        value = min(self.hi, max(self.lo, value))
        i = bisect.bisect_left(self.points, value)
        if i < len(self.points) and self.points[i] == value:
            return 2 * i
        return 2 * (i - 1) + 1

    def sample(self, band: int) -> float:
        """A value inside the band: every threshold is a cut, so all its values test alike."""
        i, gap = divmod(band, 2)
        return self.points[i] if not gap else (self.points[i] + self.points[i + 1]) / 2

    def shift(self, band: int, delta: float) -> frozenset[int]:
        """Bands a value in ``band`` can land in after adding ``delta`` (clamped to the range)."""
        i, gap = divmod(band, 2)
        if not gap:
            return frozenset({self.of(self.points[i] + delta)})
        low, high = self.points[i] + delta, self.points[i + 1] + delta
        if high <= self.lo:
            return frozenset({0})
        if low >= self.hi:
            return frozenset({2 * (len(self.points) - 1)})
        out: set[int] = set()
        if low < self.lo:
            out.add(0)
        if high > self.hi:
            out.add(2 * (len(self.points) - 1))
        a, b = max(low, self.lo), min(high, self.hi)
        for j, p in enumerate(self.points):
            if a < p < b:
                out.add(2 * j)
            if j + 1 < len(self.points) and p < b and self.points[j + 1] > a:
                out.add(2 * j + 1)
        return frozenset(out)


@dataclass(frozen=True)
class Reach:
    """What the search found; `complete` is False when it stopped at `MAX_STATES` (or at an
    outcome it was told to stop at) before it could tell that nothing more can be found."""

    stages: frozenset[str]
    fired: frozenset[str]
    replied_instead: Mapping[str, frozenset[str]]  # reply rule -> rules that won when it matched
    outcomes: frozenset[str]  # outcomes a call can end with
    states: int  # distinct (merged) states found
    complete: bool
    examples: Mapping[str, tuple[Line, ...]] = field(default_factory=dict)  # outcome -> lines

    def merge(self, other: Reach) -> Reach:
        beaten = {k: self.replied_instead.get(k, frozenset()) | other.replied_instead.get(
            k, frozenset()) for k in {*self.replied_instead, *other.replied_instead}}
        return Reach(
            stages=self.stages | other.stages,
            fired=self.fired | other.fired,
            replied_instead=beaten,
            outcomes=self.outcomes | other.outcomes,
            states=self.states + other.states,
            complete=self.complete and other.complete,
            examples={**other.examples, **self.examples},
        )


def _conditions(persona: Persona) -> list[Condition]:
    return [r.when for r in persona.rules]


def lines_to_try(persona: Persona) -> list[Line]:
    """Silence, hold, an empty line, every single act, and one line per rule and any_acts choice."""
    out: dict[Line, None] = {}
    out[Line(frozenset(), frozenset())] = None
    for quiet in sorted(_QUIET):
        out[Line(frozenset(), frozenset({quiet}))] = None
    for act in ACTS:
        out[Line(frozenset({act}), frozenset())] = None
    for c in _conditions(persona):
        for choice in c.any_acts or (None,):
            acts = frozenset(c.acts) | ({choice} if choice else frozenset())
            events = frozenset(c.events)
            if events & _QUIET and acts:
                continue
            out[Line(acts, events, frozenset(c.mentions))] = None
    return list(out)


def turn_cap(persona: Persona) -> int:
    """The first line number past every `turn` threshold: from there on they all test alike, so
    the search stops counting lines there (line numbers are whole, so past ``v`` is
    ``floor(v) + 1`` or more)."""
    cap = 0
    for c in _conditions(persona):
        if c.turn is not None:
            cap = max(cap, math.floor(c.turn.value) + 1)
    return cap


class _Try(NamedTuple):
    """A line worth trying, with the live rules it wakes and the conduct flags it raises."""

    line: Line
    reactions: tuple[Rule, ...]
    replies: tuple[Rule, ...]
    flags: frozenset[str]
    woken: tuple[str, ...]  # the reactions' ids: lines with the same ones share their work


class _Frontier:
    """The states still to expand, taken alternately nearest first to something not found yet
    (see `_Search.distance`) and from the longest calls first (what only long calls reach, such
    as a ``turn >= 16`` rule), oldest first among equals. Every state pushed is taken in the
    end, so only how soon the search can stop depends on this order, never what it finds."""

    ORDER: tuple[str, ...] = ("near", "deep")  # "fifo": oldest first

    def __init__(self, distance: Callable[[State], int | None], cap: int) -> None:
        self.distance = distance
        self.fifo: deque[State] = deque()
        self.heap: list[tuple[int, int, State]] = []
        self.by_turn: list[deque[State]] = [deque() for _ in range(cap + 1)]
        self.taken: set[State] = set()
        self.count = 0  # states pushed: breaks distance ties, oldest first
        self.pops = 0
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def push(self, s: State) -> None:
        self.fifo.append(s)
        self.by_turn[s.turn].append(s)
        d = self.distance(s)
        if d is not None:
            heapq.heappush(self.heap, (d, self.count, s))
        self.count += 1
        self.size += 1

    def pop(self) -> State:
        way = self.ORDER[self.pops % len(self.ORDER)] if self.heap else "fifo"
        self.pops += 1
        s: State | None = None
        if way == "near":
            while self.heap:
                d, n, t = heapq.heappop(self.heap)
                if t in self.taken:
                    continue
                now = self.distance(t)
                if now is not None and now > d:  # what it was near has been found since
                    heapq.heappush(self.heap, (now, n, t))
                    continue
                s = t
                break
        elif way == "deep":
            for q in reversed(self.by_turn):
                while q and q[0] in self.taken:
                    q.popleft()
                if q:
                    s = q.popleft()
                    break
        if s is None:
            s = self.fifo.popleft()
            while s in self.taken:
                s = self.fifo.popleft()
        self.taken.add(s)
        self.size -= 1
        return s


class _Search:
    def __init__(
        self,
        persona: Persona,
        traits: Mapping[str, float],
        meter_starts: Mapping[str, float],
        *,
        merge: bool = True,
    ) -> None:
        self.p = persona
        self.traits = dict(traits)
        self.merge = merge  # False keeps every state apart: only for tests of `canon`
        conds = _conditions(persona)
        events = {e for c in conds for e in (*c.events, *c.no_events)}
        engine_reads = {
            "pressed_paid_debt": "debt_paid",
            "disclosed_unverified": "identity_verified",
        }
        # Facts the engine reads itself to tell which lines can be said: always kept.
        self.engine_facts = frozenset(
            fact for event, fact in engine_reads.items() if event in events
        )
        self.facts = frozenset(
            {f for c in conds for f in (*c.facts, *c.not_facts)} | self.engine_facts
        )
        self.tags = frozenset(t for c in conds for t in (*c.told, *c.not_told))
        self.said = frozenset(a for c in conds for a in (*c.said, *c.not_said))
        self.flag_names = frozenset(f for c in conds for f in c.flags)
        # A meter no condition tests cannot change what happens: it is not tracked at all.
        self.meter_names = tuple(dict.fromkeys(m for c in conds for m in c.meters))
        self.bands: list[Bands] = []
        self.starts: list[int] = []
        for name in self.meter_names:
            spec = persona.meters.get(name)
            lo, hi = (spec.min, spec.max) if spec else (0.0, 100.0)
            start = float(meter_starts.get(name, spec.start if spec else 0.0))
            cuts = [c.meters[name].value for c in conds if name in c.meters] + [start]
            b = Bands.build(lo, hi, cuts)
            self.bands.append(b)
            self.starts.append(b.of(start))
        self.index = {n: i for i, n in enumerate(self.meter_names)}
        self.cap = turn_cap(persona)
        self.reactions = [r for r in persona.rules if not r.say]
        self.replies = sorted((r for r in persona.rules if r.say), key=lambda r: -r.priority)
        self.tests = {r.id: self.compile(r.when) for r in persona.rules}
        self._effects = {
            r.id: (
                r.do.stage,
                tuple((self.index[m], d) for m, d in r.do.meters.items() if m in self.index),
                frozenset(r.do.remember) & self.facts,
                frozenset(r.do.forget),
                frozenset(r.do.tag) & self.tags,
                r.do.outcome,
            )
            for r in persona.rules
        }
        self.third_party = self.traits.get("right_party", 1) < 1
        self._holding: dict[State, frozenset[str]] = {}
        self._shifts: dict[tuple[int, int, float], tuple[int, ...]] = {}
        self.by_line: dict[Line, tuple[list[Rule], list[Rule]]] = {}
        seen: set[tuple[object, ...]] = set()
        for line in lines_to_try(persona):
            reactions = [r for r in self.reactions if self.line_holds(r.when, line)]
            replies = [r for r in self.replies if self.line_holds(r.when, line)]
            # Lines that wake the same rules and leave the same traces behave identically.
            key = (
                tuple(r.id for r in reactions),
                tuple(r.id for r in replies),
                line.acts & (self.said | _TRACE_ACTS),
                line.events & _TRACE_EVENTS,
            )
            if key not in seen:
                seen.add(key)
                self.by_line[line] = (reactions, replies)
        self._watch(persona)
        self.fired: set[str] = set()
        self.stages: set[str] = set()
        self.beaten: dict[str, set[str]] = {}
        self.outcomes: set[str] = set()
        self.examples: dict[str, tuple[Line, ...]] = {}

    def _watch(self, persona: Persona) -> None:
        """What `canon` needs: how each rule can die, and what can never fire from the start."""
        rules = persona.rules
        forgettable = {f for r in rules for f in r.do.forget}
        addable = {f for r in rules for f in r.do.remember} | {*PREP_FACTS, *_ENGINE_FACTS}
        tagged = {t for r in rules for t in r.do.tag}
        woken = {r.id for reactions, replies in self.by_line.values() for r in (*reactions,
                                                                                 *replies)}
        # Never: a trait test that fails, a line part no line satisfies, a tag nothing gives.
        self.static_off = frozenset(
            r.id for r in rules
            if r.id not in woken or not set(r.when.told) <= tagged
            or not all(cmp.test(self.traits.get(t, 0.0)) for t, cmp in r.when.traits.items())
        )
        self.watches: list[_Watch] = []
        self.turn_settles: dict[str, int] = {}
        for r in rules:
            c = r.when
            ok = [n for n in range(self.cap + 1) if c.turn is None or c.turn.test(n)]
            if c.turn is not None:
                truth = [c.turn.test(n) for n in range(self.cap + 1)]
                settle = self.cap
                while settle > 0 and truth[settle - 1] == truth[self.cap]:
                    settle -= 1
                self.turn_settles[r.id] = settle
            self.watches.append(_Watch(
                rule=r.id,
                gone_facts=frozenset(f for f in c.not_facts if f not in forgettable),
                stuck_facts=frozenset(f for f in c.facts if f not in addable),
                not_said=frozenset(c.not_said),
                not_told=frozenset(c.not_told),
                last_turn=max(ok, default=-1),
                stage=frozenset(c.stage),
                not_stage=frozenset(c.not_stage),
                target=r.do.stage,
            ))
        self.reads = {
            r.id: (
                frozenset((*r.when.facts, *r.when.not_facts)),
                frozenset((*r.when.told, *r.when.not_told)),
                frozenset((*r.when.said, *r.when.not_said)),
                frozenset(r.when.flags),
                frozenset(self.index[m] for m in r.when.meters),
            )
            for r in rules
        }
        self.needs = {r.id: self._need(r.when) for r in rules}
        # The replies tried before a reply on a line that wakes it, one group per such line.
        groups: dict[str, set[tuple[str, ...]]] = {}
        for _, replies in self.by_line.values():
            for i, r in enumerate(replies):
                groups.setdefault(r.id, set()).add(tuple(x.id for x in replies[:i]))
        self.rivals = {rid: sorted(g) for rid, g in groups.items() if all(g)}
        self.possible_rules = frozenset(r.id for r in rules) - self.static_off
        self.leads = {
            r.id: (r.do.stage, frozenset(
                {r.do.outcome} if r.do.outcome
                else {"hung_up"} if r.do.end or "hang_up" in r.do.tag else ()
            ))
            for r in rules
        }
        live = [r for r in rules if r.id in self.possible_rules]
        ending = any(r.do.end or "hang_up" in r.do.tag for r in live)
        self.possible_outcomes = frozenset(
            {"no_agreement", *(r.do.outcome for r in live if r.do.outcome)}
            | ({"hung_up"} if ending else set())
        )
        self._canon: dict[State, State] = {}
        self._relevant: dict[frozenset[str], _Relevant] = {}
        self._lines_for: dict[frozenset[str], list[_Try]] = {}

    def _need(self, c: Condition) -> _Need:
        return _Need(
            facts=frozenset(c.facts),
            not_facts=frozenset(c.not_facts),
            told=frozenset(c.told),
            not_told=frozenset(c.not_told),
            said=frozenset(c.said),
            not_said=frozenset(c.not_said),
            flags=frozenset(c.flags),
            stage=frozenset(c.stage),
            not_stage=frozenset(c.not_stage),
            turns=None if c.turn is None else tuple(
                n for n in range(self.cap + 1) if c.turn.test(n)
            ),
            meters=tuple((self.index[m], self.meter_ok(m, cmp)) for m, cmp in c.meters.items()),
        )

    def meter_ok(self, name: str, cmp: Comparison) -> frozenset[int]:
        """The bands of a meter where a test holds: every value in a band tests alike."""
        bands = self.bands[self.index[name]]
        return frozenset(b for b in range(2 * len(bands.points) - 1) if cmp.test(bands.sample(b)))

    # --- merging states no rule can tell apart ----------------------------------------------

    def canon(self, s: State) -> State:
        """``s`` with every rule that can never fire again switched off, and with what only
        switched-off rules read forgotten (see the module docstring for why this is exact)."""
        if not self.merge:
            return s
        hit = self._canon.get(s)
        if hit is not None:
            return hit
        off = set(s.off)
        live: list[_Watch] = []
        for w in self.watches:
            if w.rule not in off:
                if w.gone(s):
                    off.add(w.rule)
                else:
                    live.append(w)
        while True:  # a stage only live rules lead to; each round can strand more rules
            stages = {s.stage, *(w.target for w in live if w.target)}
            stranded = [w for w in live if w.stranded(stages)]
            if not stranded:
                break
            off.update(w.rule for w in stranded)
            live = [w for w in live if w.rule not in off]
        offs = frozenset(off)
        rel = self.relevant(offs)
        out = State(
            s.stage,
            tuple(b if keep else 0 for b, keep in zip(s.meters, rel.meters, strict=True)),
            s.facts & rel.facts,
            s.told & rel.tags,
            s.said & rel.said,
            s.flags & rel.flags,
            offs,
            s.turn if s.turn < rel.turn_from else self.cap,
            s.outcome,
            s.agreed and "agreement" in rel.facts,
        )
        self._canon[s] = out
        return out

    def relevant(self, off: frozenset[str]) -> _Relevant:
        hit = self._relevant.get(off)
        if hit is None:
            hit = self._relevant[off] = self._relevance(off)
        return hit

    def _relevance(self, off: frozenset[str]) -> _Relevant:
        live = [rid for rid in self.reads if rid not in off]
        facts, tags, said, flags, meters = (
            frozenset().union(*(self.reads[rid][k] for rid in live)) for k in range(5)
        )
        return _Relevant(
            facts=facts | self.engine_facts,
            tags=tags,
            said=said,
            flags=flags,
            meters=tuple(i in meters for i in range(len(self.meter_names))),
            turn_from=max((self.turn_settles[r] for r in live if r in self.turn_settles),
                          default=0),
        )

    def distance(self, s: State) -> int | None:
        """How far ``s`` looks from anything not found yet, or None if nothing not found yet
        can happen after it: no rule still live in ``s`` has not fired, or leads to a stage or
        an outcome not reached. The distance is a guess (the parts of such a rule's condition
        that ``s`` fails, and the lines until its ``turn`` test holds); None is certain."""
        rules = self.possible_rules - self.fired
        stages = set(self.p.stages) - self.stages
        outcomes = self.possible_outcomes - self.outcomes
        best: int | None = None
        for rid, (target, gives) in self.leads.items():
            if rid not in s.off and (
                rid in rules or target in stages or not gives.isdisjoint(outcomes)
            ):
                d = self.needs[rid].missing(s)
                rivals = self.rivals.get(rid)
                if rivals and (best is None or d < best):
                    hold = self.holding(s)
                    d += min(sum(r in hold for r in group) for group in rivals)
                if best is None or d < best:
                    best = d
                    if d == 0:
                        break
        return best

    def saturated(self) -> bool:
        """Every rule has fired, every stage and every outcome a rule can set was reached:
        searching on cannot find anything more."""
        return (
            len(self.fired) >= len(self.possible_rules)
            and len(self.stages) >= len(self.p.stages)
            and self.outcomes >= self.possible_outcomes
        )

    # --- conditions and effects, as engine.CallSession does them ---------------------------

    @staticmethod
    def line_holds(c: Condition, line: Line) -> bool:
        """The part of a condition that reads only the line: the same in every state."""
        acts, events, mentions = line
        return (
            all(x in mentions for x in c.mentions)
            and all(x in acts for x in c.acts)
            and (not c.any_acts or any(x in acts for x in c.any_acts))
            and not any(x in acts for x in c.no_acts)
            and all(x in events for x in c.events)
            and not any(x in events for x in c.no_events)
        )

    def compile(self, c: Condition) -> Callable[[State], bool]:
        """The part of a condition that reads the call state, as one fast test.

        Only the parts a rule sets are tested; traits are constant during a search, and each
        meter threshold becomes the set of bands where it holds.
        """
        if not all(cmp.test(self.traits.get(t, 0.0)) for t, cmp in c.traits.items()):
            return lambda s: False
        tests: list[Callable[[State], bool]] = []

        def subset(attr: str, names: tuple[str, ...]) -> None:
            need = frozenset(names)
            if need:
                tests.append(lambda s: need <= getattr(s, attr))

        def disjoint(attr: str, names: tuple[str, ...]) -> None:
            bad = frozenset(names)
            if bad:
                tests.append(lambda s: bad.isdisjoint(getattr(s, attr)))

        subset("said", c.said)
        disjoint("said", c.not_said)
        subset("facts", c.facts)
        disjoint("facts", c.not_facts)
        subset("told", c.told)
        disjoint("told", c.not_told)
        subset("flags", c.flags)
        if c.stage:
            stages = frozenset(c.stage)
            tests.append(lambda s: s.stage in stages)
        if c.not_stage:
            not_stages = frozenset(c.not_stage)
            tests.append(lambda s: s.stage not in not_stages)
        if c.turn is not None:
            turn = c.turn
            ok_turns = frozenset(n for n in range(self.cap + 1) if turn.test(n))
            tests.append(lambda s: s.turn in ok_turns)
        for name, cmp in c.meters.items():
            i, ok = self.index[name], self.meter_ok(name, cmp)
            tests.append(lambda s, i=i, ok=ok: s.meters[i] in ok)
        if not tests:
            return lambda s: True
        if len(tests) == 1:
            return tests[0]
        return lambda s: all(t(s) for t in tests)

    def holding(self, s: State) -> frozenset[str]:
        """The live rules whose condition holds in ``s`` as far as the state goes (their line
        part is settled by `lines_for`). Memoised: many lines reach the same states."""
        hit = self._holding.get(s)
        if hit is None:
            off = s.off
            hit = self._holding[s] = frozenset(
                rid for rid, test in self.tests.items() if rid not in off and test(s)
            )
        return hit

    def apply(self, s: State, rule: Rule) -> list[State]:
        """The states a rule's effect leads to (several when a meter band is left ambiguously)."""
        stage, shifts, remember, forget, tags, outcome = self._effects[rule.id]
        self.fired.add(rule.id)
        rest = (
            (s.facts | remember) - forget if remember or forget else s.facts,
            s.told | tags if tags else s.told,
            s.said,
            s.flags,
            (s.off | {rule.id}) if rule.once else s.off,
            s.turn,
            outcome or s.outcome,
            s.agreed,
        )
        stage = stage or s.stage
        if not shifts:
            return [_state(stage, s.meters, *rest)]
        options: list[tuple[int, ...]] = [(b,) for b in s.meters]
        for i, delta in shifts:
            options[i] = self.shift(i, s.meters[i], delta)
        return [_state(stage, m, *rest) for m in itertools.product(*options)]

    def shift(self, meter: int, band: int, delta: float) -> tuple[int, ...]:
        key = (meter, band, delta)
        hit = self._shifts.get(key)
        if hit is None:
            hit = self._shifts[key] = tuple(sorted(self.bands[meter].shift(band, delta)))
        return hit

    # --- one trainee line ----------------------------------------------------------------------

    def valid(self, s: State, line: Line) -> bool:
        if "pressed_paid_debt" in line.events and "debt_paid" not in s.facts:
            return False
        return not ("disclosed_unverified" in line.events and "identity_verified" in s.facts)

    def lines_for(self, off: frozenset[str]) -> list[_Try]:
        """The lines worth trying once the rules in ``off`` are dead: lines that wake the same
        live rules and leave the same traces lead to the same states, so one of them is enough."""
        hit = self._lines_for.get(off)
        if hit is not None:
            return hit
        said = self.relevant(off).said if self.merge else self.said
        acts_mask = said | _TRACE_ACTS
        out: list[_Try] = []
        seen: set[tuple[object, ...]] = set()
        for line, (reactions, replies) in self.by_line.items():
            live_reactions = tuple(r for r in reactions if r.id not in off)
            live_replies = tuple(r for r in replies if r.id not in off)
            key = (
                tuple(r.id for r in live_reactions),
                tuple(r.id for r in live_replies),
                line.acts & acts_mask,
                line.events & _TRACE_EVENTS,
            )
            if key not in seen:
                seen.add(key)
                flags = {a for a in _CONDUCT if a in line.acts}
                if "shouting" in line.events:
                    flags.add("shouting")
                if self.third_party and line.acts & DISCLOSING:
                    flags.add("third_party_disclosure")
                out.append(_Try(line, live_reactions, live_replies,
                                frozenset(flags) & self.flag_names, key[0]))
        self._lines_for[off] = out
        return out

    def expand(self, s: State) -> Iterator[tuple[State, Line, bool]]:
        """Every (state after the reply, line, call ended) one trainee line can lead to."""
        turn = min(s.turn + 1, self.cap)
        reacted: dict[tuple[frozenset[str], tuple[str, ...]], list[State]] = {}
        for line, reactions, replies, raised, woken in self.lines_for(s.off):
            if not self.valid(s, line):
                continue
            flags = s.flags | raised if raised else s.flags
            branches = reacted.get((flags, woken))
            if branches is None:  # lines that wake the same reactions share this part
                branches = [s._replace(turn=turn, flags=flags)]
                for rule in reactions:
                    nxt: list[State] = []
                    for b in branches:
                        if rule.id in self.holding(b):
                            if rule.when.chance is not None:
                                nxt.append(b)
                            nxt.extend(self.apply(b, rule))
                        else:
                            nxt.append(b)
                    branches = nxt
                reacted[(flags, woken)] = branches
            for b in branches:
                for t, end in self._reply(b, line, replies, 0):
                    yield t, line, end

    def _reply(
        self, s: State, line: Line, replies: Sequence[Rule], start: int
    ) -> Iterator[tuple[State, bool]]:
        hold = self.holding(s)
        for i in range(start, len(replies)):
            rule = replies[i]
            if rule.id not in hold:
                continue
            for lower in replies[i + 1 :]:
                if lower.id in hold and lower.id not in self.fired:
                    self.beaten.setdefault(lower.id, set()).add(rule.id)
            if rule.when.chance is not None:
                yield from self._reply(s, line, replies, i + 1)
            end = rule.do.end or "hang_up" in rule.do.tag
            for t in self.apply(s, rule):
                yield self._after(t, line, rule), end
            return
        yield self._after(s, line, None), False

    def _after(self, s: State, line: Line, chosen: Rule | None) -> State:
        facts = s.facts
        agreed = s.agreed
        outcome = s.outcome
        agreed_now = chosen is not None and chosen.do.outcome in AGREEMENTS
        if outcome in AGREEMENTS and (not agreed or agreed_now):
            agreed = True
            facts = facts | ({"agreement"} & self.facts)
        if chosen is not None and "hang_up" in chosen.do.tag and chosen.do.outcome is None:
            outcome = "hung_up"  # hanging up voids what was agreed before, as in the engine
        if verifies(line.acts, line.events) and "identity_verified" in self.facts:
            facts = facts | {"identity_verified"}
        return s._replace(
            facts=facts, agreed=agreed, outcome=outcome, said=s.said | (line.acts & self.said)
        )

    # --- the search ----------------------------------------------------------------------------

    def initial(self, debt_paid: bool) -> State:
        return State(
            stage=self.p.stages[0],
            meters=tuple(self.starts),
            facts=frozenset({"debt_paid"} & self.facts if debt_paid else ()),
            told=frozenset(),
            said=frozenset(),
            flags=frozenset(),
            off=self.static_off,
            turn=0,
            outcome=None,
            agreed=False,
        )

    def run(
        self, starts: Sequence[State], limit: int, stop_at: frozenset[str], *, prune: bool = True
    ) -> Reach:
        """Expand canonical states until none is left that could lead to anything not found
        yet; ``prune=False`` expands every reachable state (for tests)."""
        starts = list(dict.fromkeys(self.canon(s) for s in starts))
        parent: dict[State, tuple[State | None, Line | None]] = {s: (None, None) for s in starts}
        queue = _Frontier(self.distance if prune else lambda s: 0, self.cap)
        for s in starts:
            self.stages.add(s.stage)
            self._outcome(s.outcome or "no_agreement", s, None, parent)
            queue.push(s)
        complete = True
        while queue:
            if self.outcomes & stop_at:
                complete = False
                break
            if prune and self.saturated():
                complete = True  # whatever was left out could not have added anything
                break
            s = queue.pop()
            if prune and self.distance(s) is None:
                continue
            nexts: list[tuple[State, Line | None, bool]] = [
                (s._replace(facts=s.facts | {f}), None, False)
                for f in PREP_FACTS
                if f in self.facts and f not in s.facts
            ]
            nexts.extend(self.expand(s))
            for t, line, end in nexts:
                if end:
                    self.stages.add(t.stage)
                    self._outcome(t.outcome or "hung_up", s, line, parent)
                    continue
                t = self.canon(t)
                if t in parent:
                    continue
                if len(parent) >= limit:
                    complete = False
                    continue
                parent[t] = (s, line)
                self.stages.add(t.stage)
                self._outcome(t.outcome or "no_agreement", t, None, parent)
                queue.push(t)
        return Reach(
            stages=frozenset(self.stages),
            fired=frozenset(self.fired),
            replied_instead={k: frozenset(v) for k, v in self.beaten.items()},
            outcomes=frozenset(self.outcomes),
            states=len(parent),
            complete=complete,
            examples=dict(self.examples),
        )

    def _outcome(
        self,
        outcome: str,
        s: State,
        last: Line | None,
        parent: Mapping[State, tuple[State | None, Line | None]],
    ) -> None:
        if outcome in self.outcomes:
            return
        self.outcomes.add(outcome)
        path: list[Line] = [last] if last is not None else []
        cur: State | None = s
        while cur is not None:
            prev, line = parent[cur]
            if line is not None:
                path.append(line)
            cur = prev
        self.examples[outcome] = tuple(reversed(path))


def explore(
    persona: Persona,
    traits: Mapping[str, float] | None = None,
    meters: Mapping[str, float] | None = None,
    *,
    debt_paid: bool | None = None,
    limit: int = MAX_STATES,
    stop_at: Iterable[str] = (),
) -> Reach:
    """Search the persona's reachable states. ``debt_paid`` None tries both (no scenario known);
    ``stop_at`` ends the search (incomplete) as soon as one of those outcomes is reached."""
    search = _Search(persona, persona.traits if traits is None else traits, meters or {})
    paid = (False, True) if debt_paid is None else (debt_paid,)
    return search.run([search.initial(p) for p in paid], limit, frozenset(stop_at))


__all__ = [
    "MAX_STATES",
    "Bands",
    "Line",
    "Reach",
    "explore",
    "lines_to_try",
    "turn_cap",
]
