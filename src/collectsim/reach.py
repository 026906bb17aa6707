"""Which stages, rules and outcomes a persona can reach: a search over abstract call states.

`collectsim check` must not guess whether a rule can fire or a scenario can be won, so it plays
the persona's own rules, breadth first, from the first stage. A state keeps only what conditions
read: the stage, the facts, debtor tags and past acts that some rule tests, the once-rules fired,
each meter as a *band* between the thresholds rules test, and the line number up to the highest
``turn`` threshold band. The lines tried in every state are act/event sets drawn from the rules' own
conditions (one per rule and ``any_acts`` choice), every single act, and silence/hold.

The engine's order is followed exactly (reactions in file order, then the highest-priority
replying rule; ``chance`` branches both ways). Bands over-approximate meters: a band may be
entered where the exact value would not be. So "never reached" is trustworthy (it is the sound
direction), while "reachable" can be optimistic. A search that hits `MAX_STATES` (or is told
to stop at an outcome) says it is incomplete, and callers must not report anything as
unreachable from it.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from collectsim.acts import ACTS, DISCLOSING
from collectsim.models import AGREEMENTS, Condition, Effect, Persona, Rule

#: States one search may visit. A count, not a time limit, so `check` says the same everywhere.
MAX_STATES = 3_000
#: Facts the engine sets from preparation actions, at any time before or during the call.
PREP_FACTS: tuple[str, ...] = ("documents_sent", "payments_checked", "plan_made")
_CONDUCT = ("threaten", "insult", "pressure", "dismiss")
_QUIET = frozenset({"silence", "hold"})  # only /wait and /hold raise these, with no acts


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
    stage: str
    meters: tuple[int, ...]  # band index per tracked meter
    facts: frozenset[str]
    told: frozenset[str]
    said: frozenset[str]
    flags: frozenset[str]
    once: frozenset[str]
    turn: int
    outcome: str | None
    agreed: bool


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
    """What the search found; `complete` is False when it stopped at `MAX_STATES`."""

    stages: frozenset[str]
    fired: frozenset[str]
    replied_instead: Mapping[str, frozenset[str]]  # reply rule -> rules that won when it matched
    outcomes: frozenset[str]  # outcomes a call can end with
    states: int
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


def turn_bands(persona: Persona) -> tuple[int, ...]:
    """Where line-number bands start: every `turn` threshold tests alike inside a band."""
    cuts = {0}
    for c in _conditions(persona):
        if c.turn is not None:
            cuts.update({math.ceil(c.turn.value), math.floor(c.turn.value) + 1})
    return tuple(sorted(x for x in cuts if x >= 0))


class _Search:
    def __init__(
        self,
        persona: Persona,
        traits: Mapping[str, float],
        meter_starts: Mapping[str, float],
    ) -> None:
        self.p = persona
        self.traits = dict(traits)
        conds = _conditions(persona)
        events = {e for c in conds for e in (*c.events, *c.no_events)}
        engine_reads = {
            "pressed_paid_debt": "debt_paid",
            "disclosed_unverified": "identity_verified",
        }
        self.facts = frozenset(
            {f for c in conds for f in (*c.facts, *c.not_facts)}
            | {fact for event, fact in engine_reads.items() if event in events}
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
        # Line numbers as bands: a step moves within a band or to the next one (both are tried).
        starts = turn_bands(persona)
        self.turn_lo = starts
        self.turn_next = tuple(
            (i,) if i == len(starts) - 1
            else (i + 1,) if starts[i + 1] == starts[i] + 1
            else (i, i + 1)
            for i in range(len(starts))
        )
        self.reactions = [r for r in persona.rules if not r.say]
        self.replies = sorted((r for r in persona.rules if r.say), key=lambda r: -r.priority)
        self.tests = {r.id: self.compile(r.when) for r in persona.rules}
        self._effects = {
            r.id: (
                frozenset(r.do.remember) & self.facts,
                frozenset(r.do.forget),
                frozenset(r.do.tag) & self.tags,
            )
            for r in persona.rules
        }
        self._applied: dict[tuple[State, str], list[State]] = {}
        self.by_line: dict[Line, tuple[list[Rule], list[Rule]]] = {}
        seen: set[tuple[object, ...]] = set()
        for line in lines_to_try(persona):
            reactions = [r for r in self.reactions if self.line_holds(r.when, line)]
            replies = [r for r in self.replies if self.line_holds(r.when, line)]
            # Lines that wake the same rules and leave the same traces behave identically.
            key = (
                tuple(r.id for r in reactions),
                tuple(r.id for r in replies),
                line.acts & (self.said | set(_CONDUCT) | DISCLOSING | {"verify_identity"}),
                line.events & {"shouting", "pressed_paid_debt", "disclosed_unverified"},
            )
            if key not in seen:
                seen.add(key)
                self.by_line[line] = (reactions, replies)
        self.lines = list(self.by_line)
        self.fired: set[str] = set()
        self.stages: set[str] = set()
        self.beaten: dict[str, set[str]] = {}
        self.outcomes: set[str] = set()
        self.examples: dict[str, tuple[Line, ...]] = {}

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
            ok_turns = frozenset(i for i, lo in enumerate(self.turn_lo) if turn.test(lo))
            tests.append(lambda s: s.turn in ok_turns)
        for name, cmp in c.meters.items():
            i = self.index[name]
            bands = self.bands[i]
            ok = frozenset(b for b in range(2 * len(bands.points) - 1) if cmp.test(bands.sample(b)))
            tests.append(lambda s, i=i, ok=ok: s.meters[i] in ok)
        if not tests:
            return lambda s: True
        if len(tests) == 1:
            return tests[0]
        return lambda s: all(t(s) for t in tests)

    def matches(self, s: State, rule: Rule) -> bool:
        """For rules whose line part already holds (see `by_line`)."""
        return rule.id not in s.once and self.tests[rule.id](s)

    def apply(self, s: State, rule: Rule) -> list[State]:
        """The states a rule's effect leads to (several when a meter band is left ambiguously)."""
        key = (s, rule.id)
        done = self._applied.get(key)
        if done is not None:
            return done
        e: Effect = rule.do
        options: list[Iterable[int]] = [(b,) for b in s.meters]
        for name, delta in e.meters.items():
            i = self.index.get(name)
            if i is not None:
                options[i] = self.bands[i].shift(s.meters[i], delta)
        remember, forget, tags = self._effects[rule.id]
        base = State(
            e.stage or s.stage,
            s.meters,
            (s.facts | remember) - forget if remember or forget else s.facts,
            s.told | tags if tags else s.told,
            s.said,
            s.flags,
            (s.once | {rule.id}) if rule.once else s.once,
            s.turn,
            e.outcome or s.outcome,
            s.agreed,
        )
        self.fired.add(rule.id)
        if len(options) == 0 or all(len(o) == 1 for o in options):
            out = [base._replace(meters=tuple(next(iter(o)) for o in options))]
        else:
            out = [base._replace(meters=m) for m in itertools.product(*options)]
        if len(self._applied) < 4 * MAX_STATES:
            self._applied[key] = out
        return out

    # --- one trainee line ----------------------------------------------------------------------

    def valid(self, s: State, line: Line) -> bool:
        if "pressed_paid_debt" in line.events and "debt_paid" not in s.facts:
            return False
        return not ("disclosed_unverified" in line.events and "identity_verified" in s.facts)

    def say(self, s: State, line: Line) -> Iterator[tuple[State, bool]]:
        """Every (state after the reply, call ended) the line can lead to."""
        acts = line.acts
        flags = set(s.flags)
        flags.update(a for a in _CONDUCT if a in acts)
        if "shouting" in line.events:
            flags.add("shouting")
        if self.traits.get("right_party", 1) < 1 and acts & DISCLOSING:
            flags.add("third_party_disclosure")
        tracked = frozenset(flags & self.flag_names)
        reactions, replies = self.by_line[line]
        branches = [s._replace(turn=t, flags=tracked) for t in self.turn_next[s.turn]]
        for rule in reactions:
            nxt: list[State] = []
            for b in branches:
                if self.matches(b, rule):
                    if rule.when.chance is not None:
                        nxt.append(b)
                    nxt.extend(self.apply(b, rule))
                else:
                    nxt.append(b)
            branches = nxt
        for b in branches:
            yield from self._reply(b, line, replies, 0)

    def _reply(
        self, s: State, line: Line, replies: list[Rule], start: int
    ) -> Iterator[tuple[State, bool]]:
        for i in range(start, len(replies)):
            rule = replies[i]
            if not self.matches(s, rule):
                continue
            for lower in replies[i + 1 :]:
                if lower.id not in self.fired and self.matches(s, lower):
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
        if "verify_identity" in line.acts and "identity_verified" in self.facts:
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
            once=frozenset(),
            turn=0,
            outcome=None,
            agreed=False,
        )

    def run(self, starts: Sequence[State], limit: int, stop_at: frozenset[str]) -> Reach:
        parent: dict[State, tuple[State | None, Line | None]] = {s: (None, None) for s in starts}
        queue = deque(starts)
        complete = True
        while queue:
            if self.outcomes & stop_at:
                complete = False
                break
            s = queue.popleft()
            self.stages.add(s.stage)
            self._outcome(s.outcome or "no_agreement", s, None, parent)
            nexts: list[tuple[State, Line | None, bool]] = [
                (s._replace(facts=s.facts | {f}), None, False)
                for f in PREP_FACTS
                if f in self.facts and f not in s.facts
            ]
            for line in self.lines:
                if self.valid(s, line):
                    nexts.extend((t, line, end) for t, end in self.say(s, line))
            for t, line, end in nexts:
                if end:
                    self.stages.add(t.stage)
                    self._outcome(t.outcome or "hung_up", s, line, parent)
                    continue
                if t in parent:
                    continue
                if len(parent) >= limit:
                    complete = False
                    continue
                parent[t] = (s, line)
                queue.append(t)
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
    "turn_bands",
]
