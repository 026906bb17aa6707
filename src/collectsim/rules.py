"""Persona rules compiled to bit masks, so a turn tests every rule at once.

Bit i of every mask stands for rule i in evaluation order: the reactions (rules without `say`) in
file order, then the replies, highest priority first with file order breaking ties. The rules
that can match this turn are then a few big-int operations per true fact of the call, whatever
the number of rules:

- all-of conditions (acts, events, mentions, facts, said, told, flags) are a unary counter per
  rule: each true atom moves the rules requiring it up one level, and a rule requiring k atoms
  holds once it reaches level k (the work follows the true atoms, not the rules);
- none-of conditions (no_acts, no_events, not_facts, not_said, not_told, not_stage) are the OR
  of the masks of the true atoms; one-of conditions (any_acts, stage) likewise;
- thresholds (meters, turn, traits) are grouped by quantity and operator and sorted by value, so
  the rules a value fails are one bisection and a stored prefix or suffix mask.

Only `chance` is left to test rule by rule, in order, for the rules that pass every mask: the
dice are rolled for exactly the rules, in the order, that a one-by-one evaluation would roll
them. Reactions change the state as they fire; after each, only what its effect changed is
redone. State atoms mostly accumulate during a call, so their counter is kept from line to line
and only counts what is new; what it cannot follow (a tested fact forgotten) recounts it.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from collectsim.models import Comparison, Condition, Effect, Rule

#: Families of atoms that conditions require all of. The line's are fixed for a turn; the
#: state's change as reactions fire.
LINE_FAMILIES = ("act", "event", "mention")
STATE_FAMILIES = ("fact", "said", "told", "flag")
#: Threshold groups with more distinct values than this store every isqrt(n)-th prefix only.
_DENSE_CUT = 64


class State(Protocol):
    """What rules read from a call (`engine.CallState`)."""

    stage: str
    meters: dict[str, float]
    facts: set[str]
    said: set[str]
    told: set[str]
    flags: set[str]
    fired: set[str]
    trainee_turns: int


def _mask(indices: Iterable[int], n: int) -> int:
    """The int with the bits `indices` set, built in one pass rather than one OR per bit."""
    buf = bytearray((n + 7) // 8)
    for i in indices:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def requirements(c: Condition) -> dict[str, tuple[str, ...]]:
    """A condition's all-of atoms by family, without repeats (`acts: [x, x]` needs x once)."""
    found = {
        "act": c.acts,
        "event": c.events,
        "mention": c.mentions,
        "fact": c.facts,
        "said": c.said,
        "told": c.told,
        "flag": c.flags,
    }
    return {k: tuple(dict.fromkeys(v)) for k, v in found.items() if v}


def exclusions(c: Condition) -> dict[str, tuple[str, ...]]:
    """A condition's none-of atoms by family."""
    found = {
        "act": c.no_acts,
        "event": c.no_events,
        "fact": c.not_facts,
        "said": c.not_said,
        "told": c.not_told,
    }
    return {k: v for k, v in found.items() if v}


@dataclass(frozen=True)
class AllOf:
    """All-of conditions over some families of atoms, as a unary counter per rule.

    `levels[j]` holds the rules with more than j of their required atoms true; counting an atom
    costs two operations per level up to the largest requirement among the rules needing it.
    """

    table: Mapping[str, Mapping[str, tuple[int, int]]]  # family -> atom -> (rules, top level)
    need: tuple[int, ...]  # need[j]: the rules requiring exactly j + 1 atoms
    free: int  # the rules requiring none

    @classmethod
    def build(cls, n: int, required: Sequence[Collection[tuple[str, str]]]) -> AllOf:
        by: dict[tuple[str, str], list[int]] = {}
        sizes = [len(atoms) for atoms in required]
        for i, atoms in enumerate(required):
            for atom in atoms:
                by.setdefault(atom, []).append(i)
        table: dict[str, dict[str, tuple[int, int]]] = {}
        for (family, name), rules in by.items():
            top = max(sizes[i] for i in rules) - 1
            table.setdefault(family, {})[name] = (_mask(rules, n), top)
        need = tuple(
            _mask((i for i, k in enumerate(sizes) if k == j + 1), n)
            for j in range(max(sizes, default=0))
        )
        return cls(table, need, _mask((i for i, k in enumerate(sizes) if k == 0), n))

    def start(self) -> list[int]:
        return [0] * len(self.need)

    def count(self, levels: list[int], family: str, names: Iterable[str]) -> bool:
        """Count true atoms (each once per start); returns whether any was required."""
        table = self.table.get(family)
        if not table:
            return False
        moved = False
        for name in names:
            hit = table.get(name)
            if hit is None:
                continue
            m, top = hit
            while top:
                levels[top] |= levels[top - 1] & m
                top -= 1
            levels[0] |= m
            moved = True
        return moved

    def holding(self, levels: Sequence[int]) -> int:
        out = self.free
        for need, level in zip(self.need, levels, strict=True):
            out |= need & level
        return out


_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "=": "==", "!=": "!="}


@dataclass(frozen=True)
class Cut:
    """The rules testing one quantity with one operator, sorted by threshold.

    The rules a value fails are one bisection: a prefix of the thresholds for `<` and `<=`, a
    suffix for `>` and `>=`. Prefix (suffix) ORs are stored every `step` values and the few
    values in between ORed on the spot, so memory stays near-linear with many distinct values.
    """

    op: str
    values: tuple[float, ...]  # distinct thresholds, ascending
    each: tuple[int, ...]  # each[i]: the rules with threshold values[i]
    stored: tuple[int, ...]  # OR of each[:k*step] (prefix ops) or each[k*step:] (suffix ops)
    step: int
    everyone: int
    equal: Mapping[float, int]  # threshold -> rules, for == and !=

    @classmethod
    def build(cls, op: str, by_value: Mapping[float, list[int]], n: int) -> Cut:
        values = tuple(sorted(by_value))
        each = tuple(_mask(by_value[v], n) for v in values)
        everyone = _mask((i for rules in by_value.values() for i in rules), n)
        step = 1 if len(values) <= _DENSE_CUT else math.isqrt(len(values))
        stored: list[int] = []
        if op in ("<", "<="):
            acc = 0
            for i, m in enumerate(each):
                if i % step == 0:
                    stored.append(acc)
                acc |= m
            if len(each) % step == 0:
                stored.append(acc)
        elif op in (">", ">="):
            acc = 0
            for i in range(len(each) - 1, -1, -1):
                acc |= each[i]
                if i % step == 0:
                    stored.append(acc)
            stored.reverse()
            stored.append(0)
        equal = dict(zip(values, each, strict=True)) if op in ("==", "!=") else {}
        return cls(op, values, each, tuple(stored), step, everyone, equal)

    def failing(self, x: float) -> int:
        op = self.op
        if op == "==":
            return self.everyone & ~self.equal.get(x, 0)
        if op == "!=":
            return self.equal.get(x, 0)
        if x != x:  # NaN: every ordered comparison is false
            return self.everyone
        if op == "<":  # fails where threshold <= x
            return self._prefix(bisect_right(self.values, x))
        if op == "<=":  # fails where threshold < x
            return self._prefix(bisect_left(self.values, x))
        if op == ">":  # fails where threshold >= x
            return self._suffix(bisect_left(self.values, x))
        return self._suffix(bisect_right(self.values, x))  # >=: fails where threshold > x

    def _prefix(self, i: int) -> int:
        k = i // self.step
        out = self.stored[k]
        for j in range(k * self.step, i):
            out |= self.each[j]
        return out

    def _suffix(self, i: int) -> int:
        k = -(-i // self.step)
        out = self.stored[k]
        for j in range(i, min(k * self.step, len(self.each))):
            out |= self.each[j]
        return out


def _cuts(
    n: int, tests: Iterable[tuple[int, str, Comparison]]
) -> tuple[dict[str, tuple[Cut, ...]], int]:
    """Threshold groups by quantity name; also the rules no value can satisfy (a NaN threshold)."""
    groups: dict[str, dict[str, dict[float, list[int]]]] = {}
    never: list[int] = []
    for i, name, cmp in tests:
        op = _OPS.get(cmp.op)
        if op is None:
            raise ValueError(f"unknown comparison operator {cmp.op!r}")
        value = float(cmp.value)
        if value != value:
            if op != "!=":  # x != NaN always holds; anything else never does
                never.append(i)
            continue
        groups.setdefault(name, {}).setdefault(op, {}).setdefault(value, []).append(i)
    cuts = {
        name: tuple(Cut.build(op, by_value, n) for op, by_value in ops.items())
        for name, ops in groups.items()
    }
    return cuts, _mask(never, n)


def _failing(cuts: Iterable[Cut], x: float) -> int:
    out = 0
    for cut in cuts:
        out |= cut.failing(x)
    return out


@dataclass(frozen=True, slots=True)
class Watch:
    """What firing a rule can change that some rule tests, so only that is brought up to date."""

    remember: tuple[str, ...]
    forget: tuple[str, ...]
    tags: tuple[str, ...]
    meters: tuple[str, ...]  # only those some rule tests
    stage: bool  # sets a stage, and some rule tests the stage
    slow: bool  # forgets a fact or sets a stage: beyond the quick checks in Matcher.choose


@dataclass(frozen=True)
class RuleSet:
    """A persona's rules compiled once: reactions in file order, then replies by priority."""

    rules: tuple[Rule, ...]
    reactions: int  # rules[:reactions] are the reactions
    # The line's atoms, one lookup each: family -> atom -> (rules requiring it, their top
    # counter level, rules listing it in any_acts, rules forbidding it).
    line_atoms: Mapping[str, Mapping[str, tuple[int, int, int, int]]]
    line_need: tuple[int, ...]  # as AllOf.need, for the line's all-of conditions
    line_free: int
    no_any_acts: int  # rules without any_acts
    state_all: AllOf
    state_none: Mapping[str, Mapping[str, int]]  # family -> atom -> rules forbidding it
    stage_in: Mapping[str, int]
    no_stage: int  # rules without a stage condition
    not_stage: Mapping[str, int]
    meters: Mapping[str, tuple[Cut, ...]]
    traits: Mapping[str, tuple[Cut, ...]]
    turn: tuple[Cut, ...]
    never: int
    once: Mapping[str, tuple[int, ...]]  # rule id -> the once-rules with that id
    shared_once: frozenset[int]  # once-rules whose id another once-rule also has
    watch: tuple[Watch | None, ...]
    # Per rule, what firing it takes, in one tuple for the loop in Matcher.choose: its chance,
    # its effect, its Watch (None: changes nothing tested) and its id if it is a once-rule.
    plans: tuple[tuple[float | None, Effect, Watch | None, str | None], ...]

    @classmethod
    def of(cls, rules: Iterable[Rule]) -> RuleSet:
        rules = tuple(rules)
        reactions = [r for r in rules if not r.say]
        # sorted() is stable, so file order breaks ties between equal priorities.
        ordered = (*reactions, *sorted((r for r in rules if r.say), key=lambda r: -r.priority))
        n = len(ordered)
        conds = [r.when for r in ordered]
        reqs = [requirements(c) for c in conds]

        def all_of(families: tuple[str, ...]) -> AllOf:
            return AllOf.build(
                n, [[(f, a) for f in families if f in req for a in req[f]] for req in reqs]
            )

        def index(pairs: Iterable[tuple[int, str, str]]) -> dict[str, dict[str, int]]:
            by: dict[str, dict[str, list[int]]] = {}
            for i, family, name in pairs:
                by.setdefault(family, {}).setdefault(name, []).append(i)
            return {f: {a: _mask(ix, n) for a, ix in names.items()} for f, names in by.items()}

        excl = [exclusions(c) for c in conds]
        none = [(i, f, a) for i, ex in enumerate(excl) for f, names in ex.items() for a in names]
        stage_in = index((i, "", s) for i, c in enumerate(conds) for s in c.stage).get("", {})
        not_stage = index((i, "", s) for i, c in enumerate(conds) for s in c.not_stage).get("", {})
        any_acts = index((i, "", a) for i, c in enumerate(conds) for a in c.any_acts).get("", {})
        meters, never_m = _cuts(
            n, ((i, m, t) for i, c in enumerate(conds) for m, t in c.meters.items())
        )
        traits, never_t = _cuts(
            n, ((i, m, t) for i, c in enumerate(conds) for m, t in c.traits.items())
        )
        turns, never_n = _cuts(n, ((i, "", c.turn) for i, c in enumerate(conds) if c.turn))
        state_all = all_of(STATE_FAMILIES)
        line_all = all_of(LINE_FAMILIES)
        line_none = index(t for t in none if t[1] in LINE_FAMILIES)
        line_atoms: dict[str, dict[str, tuple[int, int, int, int]]] = {}
        for family in LINE_FAMILIES:
            needed = line_all.table.get(family, {})
            anyof = any_acts if family == "act" else {}
            banned = line_none.get(family, {})
            line_atoms[family] = {
                a: (*needed.get(a, (0, 0)), anyof.get(a, 0), banned.get(a, 0))
                for a in {*needed, *anyof, *banned}
            }
        state_none = index(t for t in none if t[1] in STATE_FAMILIES)
        tested_stage = bool(stage_in or not_stage)
        once: dict[str, list[int]] = {}
        for i, r in enumerate(ordered):
            if r.once:
                once.setdefault(r.id, []).append(i)
        watch: list[Watch | None] = []
        for r in ordered:
            e = r.do
            w = Watch(
                remember=tuple(dict.fromkeys(e.remember)),
                forget=tuple(dict.fromkeys(e.forget)),
                tags=tuple(dict.fromkeys(e.tag)),
                meters=tuple(m for m in e.meters if m in meters),
                stage=bool(e.stage) and tested_stage,
                slow=bool(e.forget) or (bool(e.stage) and tested_stage),
            )
            changes = w.remember or w.forget or w.tags or w.meters or w.stage
            watch.append(w if changes else None)
        return cls(
            rules=ordered,
            reactions=len(reactions),
            line_atoms=line_atoms,
            line_need=line_all.need,
            line_free=line_all.free,
            state_all=state_all,
            state_none=state_none,
            no_any_acts=_mask((i for i, c in enumerate(conds) if not c.any_acts), n),
            stage_in=stage_in,
            no_stage=_mask((i for i, c in enumerate(conds) if not c.stage), n),
            not_stage=not_stage,
            meters=meters,
            traits=traits,
            turn=turns.get("", ()),
            never=never_m | never_t | never_n,
            once={k: tuple(v) for k, v in once.items()},
            shared_once=frozenset(i for ix in once.values() if len(ix) > 1 for i in ix),
            watch=tuple(watch),
            plans=tuple(
                (r.when.chance, r.do, w, r.id if r.once else None)
                for r, w in zip(ordered, watch, strict=True)
            ),
        )

    def line(
        self, acts: Collection[str], events: Collection[str], mentions: Collection[str]
    ) -> int:
        """The rules whose conditions on the line itself hold (acts, events, mentions)."""
        levels = [0] * len(self.line_need)
        any_ok = self.no_any_acts
        fail = 0
        for family, names in (("act", acts), ("event", events), ("mention", mentions)):
            if not names:
                continue
            table = self.line_atoms[family]
            for name in names:
                hit = table.get(name)
                if hit is None:
                    continue
                m, top, any_m, no_m = hit
                if m:
                    while top:
                        levels[top] |= levels[top - 1] & m
                        top -= 1
                    levels[0] |= m
                any_ok |= any_m
                fail |= no_m
        held = self.line_free
        for need, level in zip(self.line_need, levels, strict=True):
            held |= need & level
        return held & any_ok & ~fail


class Matcher:
    """One call's view of a RuleSet: the rules that pass every mask, kept up to date.

    Each line recomputes what the line decides and brings the state's masks up to date with
    what changed since; while reactions fire, only what the fired effect changed is redone.
    Caches are checked against the state rather than trusted, so a state changed from outside
    (a test, a script action) is picked up at the next line. The once-fired set is assumed to
    only grow, and is recounted whenever its size is not what the matcher last saw.
    """

    def __init__(self, rs: RuleSet, state: State, traits: Mapping[str, float]) -> None:
        self.rs = rs
        self._st = state
        fixed = rs.never
        for name, cuts in rs.traits.items():  # traits are constant for a call
            fixed |= _failing(cuts, traits.get(name, 0.0))
        self._fixed = fixed
        self._tested_facts = {*rs.state_all.table.get("fact", {}), *rs.state_none.get("fact", {})}
        self._line = 0
        self._turn_fail = 0
        self._levels = rs.state_all.start()
        self._seen: dict[str, set[str]] = {f: set() for f in STATE_FAMILIES}  # atoms counted
        self._forbidden = 0  # rules a true state atom rules out
        self._held: int | None = None  # rules whose state all-of conditions hold
        self._stage: str | None = None
        self._stage_ok = 0
        self._meter_fail: dict[str, tuple[float, int]] = {}  # meter -> (value, rules it fails)
        self._meters_failing = 0
        self._blocked = 0  # once-rules already fired
        self._fired_late: list[int] = []  # fired this line, not yet in _blocked
        self._fired_seen = 0
        self._live = 0
        self._dirty = True
        #: Rules looked at one by one (those that passed every mask), for benchmarks.
        self.examined = 0

    def choose(
        self,
        acts: Collection[str],
        events: Collection[str],
        mentions: Collection[str],
        dice: Callable[[], float],
        apply: Callable[[Effect], None],
    ) -> Rule | None:
        """Fire the matching reactions in order, then the first matching reply; return it.

        Each reaction sees the state the ones before it left. A rule that passes every mask
        is the only one looked at on its own: its `chance` is rolled with `dice`, then its
        effect goes to `apply` and a once-rule is recorded in the state's `fired`.
        """
        self.begin(acts, events, mentions)
        rs = self.rs
        reactions = rs.reactions
        plans = rs.plans
        shared = rs.shared_once
        st = self._st
        fired = st.fired
        meters = st.meters
        meter_fail = self._meter_fail
        seen_facts = self._seen["fact"]
        seen_told = self._seen["told"]
        # While reactions fire, only their bits are turned into text: the replies' are needed
        # once, after the last reaction.
        replying = reactions == 0
        mask = -1 if replying else (1 << reactions) - 1
        text, top, base, i, examined, rebuild = "", 0, 0, -1, 0, True
        try:
            while True:
                if self._dirty or rebuild:
                    # The live rules after i as a bit string, highest first: rfind walks up
                    # from rule i at C speed, where peeling bits off a big int would cost a
                    # pass over all the rules for each one.
                    base = i + 1
                    text = bin((self.live() & mask) >> base)
                    top = len(text) - 1 + base
                    rebuild = False
                at = text.rfind("1", 2, top - i)
                if at < 0:
                    if replying:
                        return None
                    replying, mask, rebuild = True, -1, True
                    continue
                i = top - at
                examined += 1
                chance, effect, w, rule_id = plans[i]
                if chance is not None and not dice() < chance:
                    continue
                apply(effect)
                if w is not None:
                    if (
                        w.slow
                        or not seen_facts.issuperset(w.remember)
                        or not seen_told.issuperset(w.tags)
                    ):
                        self._changed(w)
                    else:  # the common case: only meters can have moved
                        for m in w.meters:
                            if meters.get(m, 0.0) != meter_fail[m][0]:
                                self._sync_meters({m: rs.meters[m] for m in w.meters})
                                break
                if rule_id is not None:
                    fired.add(rule_id)
                    if i in shared:  # the other once-rules with its id are out now
                        self._blocked |= _mask(rs.once[rule_id], len(rs.rules))
                        self._dirty = True
                    else:  # nothing after it shares its id: blocked from the next line on
                        self._fired_late.append(i)
                if i >= reactions:
                    return rs.rules[i]
        finally:
            self._fired_seen = len(fired)
            self.examined += examined

    def begin(
        self, acts: Collection[str], events: Collection[str], mentions: Collection[str]
    ) -> None:
        """Masks for a new trainee line (or a silence) against the call's current state."""
        rs = self.rs
        st = self._st
        self._line = rs.line(acts, events, mentions)
        self._turn_fail = _failing(rs.turn, st.trainee_turns) if rs.turn else 0
        self._sync_state()
        if st.stage != self._stage:
            self._sync_stage()
        self._sync_meters(rs.meters)
        if self._fired_late:
            self._blocked |= _mask(self._fired_late, len(rs.rules))
            self._fired_late.clear()
        if len(st.fired) != self._fired_seen:
            self._blocked = _mask((i for f in st.fired for i in rs.once.get(f, ())), len(rs.rules))
            self._fired_seen = len(st.fired)
        self._dirty = True

    def live(self) -> int:
        """The rules that pass every condition but `chance` now (bit i: rules[i])."""
        if self._dirty:
            if self._held is None:
                self._held = self.rs.state_all.holding(self._levels)
            self._live = (
                self._line
                & self._held
                & self._stage_ok
                & ~(
                    self._fixed
                    | self._turn_fail
                    | self._meters_failing
                    | self._forbidden
                    | self._blocked
                )
            )
            self._dirty = False
        return self._live

    # --- internals ---

    def _changed(self, w: Watch) -> None:
        """Bring the masks up to date after a rule with effect `w` fired."""
        st = self._st
        seen = self._seen["fact"]
        if w.forget and not seen.isdisjoint(w.forget):
            lost = [f for f in w.forget if f in seen and f not in st.facts]
            if any(f in self._tested_facts for f in lost):
                self._recount()  # the counter cannot take an atom back
            else:
                seen.difference_update(lost)
        if not seen.issuperset(w.remember):
            self._add("fact", [f for f in w.remember if f not in seen and f in st.facts])
        told = self._seen["told"]
        if not told.issuperset(w.tags):
            self._add("told", [t for t in w.tags if t not in told and t in st.told])
        if w.stage and st.stage != self._stage:
            self._sync_stage()
        if w.meters:
            meters = st.meters
            cache = self._meter_fail
            for m in w.meters:
                if meters.get(m, 0.0) != cache[m][0]:
                    self._sync_meters({m: self.rs.meters[m] for m in w.meters})
                    break

    def _add(self, family: str, names: list[str]) -> None:
        self._seen[family].update(names)
        if self.rs.state_all.count(self._levels, family, names):
            self._held = None
            self._dirty = True
        table = self.rs.state_none.get(family)
        if table:
            for name in names:
                m = table.get(name)
                if m:
                    self._forbidden |= m
                    self._dirty = True

    def _sync_state(self) -> None:
        st = self._st
        facts, said, told, flags = st.facts, st.said, st.told, st.flags
        seen = self._seen
        f, s, t, g = seen["fact"], seen["said"], seen["told"], seen["flag"]
        if not (f <= facts and s <= said and t <= told and g <= flags):
            self._recount()
            return
        # seen is a subset of the state: a size difference means a new atom.
        if len(facts) != len(f):
            self._add("fact", list(facts - f))
        if len(said) != len(s):
            self._add("said", list(said - s))
        if len(told) != len(t):
            self._add("told", list(told - t))
        if len(flags) != len(g):
            self._add("flag", list(flags - g))

    def _recount(self) -> None:
        """Count the state's atoms from scratch (one became false)."""
        self._levels = self.rs.state_all.start()
        for seen in self._seen.values():  # in place: choose() holds on to these sets
            seen.clear()
        self._forbidden = 0
        self._held = None
        self._dirty = True
        self._sync_state()

    def _sync_stage(self) -> None:
        rs = self.rs
        stage = self._st.stage
        self._stage = stage
        self._stage_ok = (rs.stage_in.get(stage, 0) | rs.no_stage) & ~rs.not_stage.get(stage, 0)
        self._dirty = True

    def _sync_meters(self, which: Mapping[str, tuple[Cut, ...]]) -> None:
        meters = self._st.meters
        cache = self._meter_fail
        changed = False
        for name, cuts in which.items():
            x = meters.get(name, 0.0)
            hit = cache.get(name)
            if hit is None or hit[0] != x:  # (a NaN meter is recomputed every time)
                cache[name] = (x, _failing(cuts, x))
                changed = True
        if changed:
            failing = 0
            for _, fail in cache.values():
                failing |= fail
            self._meters_failing = failing
            self._dirty = True
