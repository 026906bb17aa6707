"""`collectsim check`: what the loader validates, plus the mistakes that only show in play.

A file can be valid YAML of the right shape and still be wrong: a rule no line can ever reach, a
stage nothing leads to, a scenario the trainee cannot win, a reply with a placeholder the case
file cannot fill. These checks find them before a trainee does. Reachability comes from a search
over the persona's rules (`collectsim.reach`), never from guessing; a rule's ``example:`` line is
analysed and must carry the acts the rule needs, like ChatScript's ``:verify``.

Severity: an error is something a trainee would hit (an unwinnable scenario, a literal
``{last_payment.date}`` in a reply, an example that fails); a warning is dead or doubtful content.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collectsim.diagnostics import Diagnostic, LoadError, error, sort_key, warning
from collectsim.engine import placeholder_values
from collectsim.models import (
    BUILTIN_FACTS,
    Comparison,
    Condition,
    Loaded,
    Persona,
    Rule,
)
from collectsim.reach import MAX_STATES, Reach, explore
from collectsim.yamlio import Marks, load_yaml

Path_ = tuple[Any, ...]


# --- where things are -----------------------------------------------------------------------------


@dataclass
class _File:
    """Diagnostics for one library file, placed with its YAML marks."""

    name: str
    marks: Marks
    data: dict[str, Any]
    out: list[Diagnostic] = field(default_factory=list)

    def at(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        return self.marks.key(path) if key else self.marks.nearest(path)

    def error(self, path: Path_, message: str, code: str, *, key: bool = False) -> None:
        self.out.append(error(self.name, *self.at(path, key=key), message, code))

    def warn(self, path: Path_, message: str, code: str, *, key: bool = False) -> None:
        self.out.append(warning(self.name, *self.at(path, key=key), message, code))

    def rule_index(self, rule_id: str) -> int | None:
        rules = self.data.get("rules")
        for i, raw in enumerate(rules if isinstance(rules, list) else []):
            if isinstance(raw, dict) and raw.get("id") == rule_id:
                return i
        return None

    def item(self, path: Path_, value: str) -> Path_:
        """The path of ``value`` inside a name-or-list entry (``stage: x`` or ``stage: [x, y]``)."""
        cur: Any = self.data
        for part in path:
            cur = cur.get(part) if isinstance(cur, dict) else (
                cur[part] if isinstance(cur, list) and isinstance(part, int) and part < len(cur)
                else None
            )
        if isinstance(cur, list) and value in cur:
            return (*path, cur.index(value))
        return path


def display(path: Path) -> str:
    """A path as the loader prints it (relative to the working folder when inside it)."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _open(path: Path) -> _File | None:
    name = display(path)
    try:
        data, marks = load_yaml(path.read_bytes(), name)
    except (LoadError, OSError):
        return None  # the loader has reported it
    return _File(name, marks, data if isinstance(data, dict) else {})


def _names(items: Iterable[str]) -> str:
    return ", ".join(f"'{x}'" for x in items)


# --- comparisons and conditions ------------------------------------------------------------------


def comparison_implies(a: Comparison, b: Comparison) -> bool:
    """Every number passing ``a`` passes ``b``. Both are constant between their thresholds, so
    testing each threshold, points just beside them and far out on both sides is enough."""
    cuts = sorted({a.value, b.value})
    probes = {c + d for c in cuts for d in (-0.5, 0.0, 0.5)} | {cuts[0] - 1e9, cuts[-1] + 1e9}
    if len(cuts) == 2:
        probes.add((cuts[0] + cuts[1]) / 2)
    eps = min(0.5, (cuts[-1] - cuts[0]) / 4) if len(cuts) == 2 else 0.5
    probes |= {c + d for c in cuts for d in (-eps, eps)}
    return all(b.test(x) for x in probes if a.test(x))


def _sure_acts(c: Condition) -> set[str]:
    return set(c.acts) | (set(c.any_acts) if len(c.any_acts) == 1 else set())


def condition_implies(s: Condition, r: Condition, stages: Sequence[str]) -> bool:
    """Whenever ``s`` holds, ``r`` holds too (ignoring chance): ``r`` is the same or broader."""
    sure = _sure_acts(s)
    if not set(r.acts) <= sure:
        return False
    if r.any_acts and not (set(r.any_acts) & sure or (s.any_acts and set(s.any_acts) <= set(
        r.any_acts))):
        return False
    pairs = (
        (r.no_acts, s.no_acts), (r.said, s.said), (r.not_said, s.not_said),
        (r.facts, s.facts), (r.not_facts, s.not_facts), (r.events, s.events),
        (r.no_events, s.no_events), (r.told, s.told), (r.not_told, s.not_told),
        (r.flags, s.flags), (r.mentions, s.mentions),
    )
    if not all(set(need) <= set(have) for need, have in pairs):
        return False
    possible = (set(s.stage) or set(stages)) - set(s.not_stage)
    if r.stage and not possible <= set(r.stage):
        return False
    if set(r.not_stage) & possible:
        return False
    if r.turn is not None and (s.turn is None or not comparison_implies(s.turn, r.turn)):
        return False
    for kind in ("meters", "traits"):
        mine, theirs = getattr(s, kind), getattr(r, kind)
        for name, cmp in theirs.items():
            if name not in mine or not comparison_implies(mine[name], cmp):
                return False
    return True


def contradiction(c: Condition, stages: Sequence[str]) -> str | None:
    """Why a condition can never hold whatever the state, if it cannot."""
    for need, bar, what in (
        (c.acts, c.no_acts, "acts"), (c.said, c.not_said, "said"), (c.facts, c.not_facts, "facts"),
        (c.events, c.no_events, "events"), (c.told, c.not_told, "told"),
    ):
        both = [x for x in need if x in bar]
        if both:
            opposite = {"acts": "no_acts", "events": "no_events"}.get(what, f"not_{what}")
            return f"'{both[0]}' is in both '{what}' and '{opposite}'"
    if c.any_acts and all(a in c.no_acts for a in c.any_acts):
        return "every act in 'any_acts' is also in 'no_acts'"
    if (set(c.stage) or set(stages)) <= set(c.not_stage):
        return "every stage it allows is excluded by 'not_stage'"
    quiet = [e for e in c.events if e in ("silence", "hold")]
    if quiet and (c.acts or c.any_acts or c.mentions):
        return (f"'{quiet[0]}' comes only from /wait or /hold, a turn with no words, "
                "so it cannot come with acts")
    return None


# --- persona checks ------------------------------------------------------------------------------


def shadowing_rule(rule: Rule, persona: Persona) -> Rule | None:
    """A replying rule that always answers first whenever ``rule`` could (no chance, not once)."""
    if not rule.say:
        return None
    mine = persona.rules.index(rule)
    for n, other in enumerate(persona.rules):
        if n == mine or not other.say or other.once or other.when.chance is not None:
            continue
        first = other.priority > rule.priority or (other.priority == rule.priority and n < mine)
        if first and condition_implies(rule.when, other.when, persona.stages):
            return other
    return None


def _example_problem(rule: Rule) -> str | None:
    c = rule.when
    if rule.example is None or not (c.acts or c.any_acts or c.no_acts):
        return None
    from collectsim.analysis import analyse

    acts = set(analyse(rule.example).acts)
    missing = [a for a in c.acts if a not in acts]
    if missing:
        return f"lacks {_names(missing)} (when.acts)"
    if c.any_acts and not acts & set(c.any_acts):
        return f"has none of {_names(c.any_acts)} (when.any_acts)"
    banned = [a for a in c.no_acts if a in acts]
    if banned:
        return f"has {_names(banned)}, which when.no_acts excludes"
    return None


def _verify_example(f: _File, i: int, rule: Rule) -> None:
    problem = _example_problem(rule)
    if problem is None:
        return
    from collectsim.analysis import analyse

    acts = analyse(rule.example or "").acts
    got = f"[{', '.join(acts)}]" if acts else "no acts"
    f.error(
        ("rules", i, "example"),
        f"rule '{rule.id}': its example is analysed as {got}, which {problem}; "
        "reword the example or the rule's condition",
        "example-mismatch",
    )


#: How a persona is played: its traits and starting meters (one per scenario, or its defaults).
Play = tuple[dict[str, float], dict[str, float]]


def plays_of(persona: Persona, bindings: Sequence[Loaded]) -> list[Play]:
    return [(b.traits, b.meters) for b in bindings] or [
        (dict(persona.traits), {n: m.start for n, m in persona.meters.items()})
    ]


def _why_never(
    rule: Rule, persona: Persona, reach: Reach, plays: Sequence[Play]
) -> tuple[Path_, str, str]:
    """Where to point and what to say about a rule the search never fired."""
    c = rule.when
    remembered = {f for r in persona.rules for f in r.do.remember}
    for fact in c.facts:
        if fact not in remembered and fact not in BUILTIN_FACTS:
            return (("when", "facts"), f"it needs fact '{fact}', which no rule remembers",
                    fact)
    tagged = {t for r in persona.rules for t in r.do.tag}
    for tag in c.told:
        if tag not in tagged:
            return (("when", "told"), f"it needs the debtor to have done '{tag}', but no rule "
                    f"tags a reply '{tag}'", tag)
    if c.stage and not set(c.stage) & reach.stages:
        return (("when", "stage"), f"it applies only in {_names(c.stage)}, which the call "
                "never reaches", c.stage[0])
    for name, cmp in c.meters.items():
        why = _meter_never(name, cmp, persona, plays)
        if why:
            return (("when", "meters", name), why, "")
    for name, cmp in c.traits.items():
        values = sorted({traits.get(name, 0.0) for traits, _ in plays})
        if not any(cmp.test(v) for v in values):
            shown = ", ".join(f"{v:g}" for v in values)
            return (("when", "traits", name), f"it needs trait {name} {cmp}, but the trait is "
                    f"{shown} wherever this persona is played", "")
    winners = reach.replied_instead.get(rule.id)
    if winners:
        order = {r.id: (-r.priority, n) for n, r in enumerate(persona.rules)}
        names = sorted(winners, key=order.__getitem__)  # as the engine tries them
        return (("when",), f"it never replies: whenever its condition holds, "
                f"{_names(names[:3])} replies first (higher priority or earlier in the file)", "")
    return (("when",), "no sequence of trainee lines reaches a state where its condition holds",
            "")


def _meter_never(name: str, cmp: Comparison, persona: Persona, plays: Sequence[Play]) -> str:
    deltas = [r.do.meters[name] for r in persona.rules if name in r.do.meters]
    spec = persona.meters.get(name)
    lo, hi = (spec.min, spec.max) if spec else (0.0, 100.0)
    starts = sorted({meters.get(name, spec.start if spec else 0.0) for _, meters in plays})
    low = lo if any(d < 0 for d in deltas) else min(starts)
    high = hi if any(d > 0 for d in deltas) else max(starts)
    probes = [low, high, cmp.value, (low + high) / 2, math.nextafter(cmp.value, -math.inf),
              math.nextafter(cmp.value, math.inf)]
    if any(cmp.test(x) for x in probes if low <= x <= high):
        return ""
    start = ", ".join(f"{s:g}" for s in starts)
    if not deltas:
        moves = "no rule changes it"
    elif all(d < 0 for d in deltas):
        moves = "rules only lower it"
    else:
        moves = "rules only raise it"
    return f"it needs {name} {cmp}, but {name} starts at {start} and {moves}"


def check_persona(
    f: _File, persona: Persona, reach: Reach | None, bindings: Sequence[Loaded]
) -> None:
    """Dead rules, unreachable stages and failing examples of one persona."""
    reported: set[str] = set()
    for rule in persona.rules:
        i = f.rule_index(rule.id)
        if i is None:
            continue
        _verify_example(f, i, rule)
        why = contradiction(rule.when, persona.stages)
        if why:
            f.warn(("rules", i, "when"), f"rule '{rule.id}' can never fire: {why}",
                   "contradiction", key=True)
            reported.add(rule.id)
            continue
        shadow = shadowing_rule(rule, persona)
        if shadow is not None:
            j = f.rule_index(shadow.id)
            line = f.at(("rules", j, "id"))[0] if j is not None else 0
            f.warn(
                ("rules", i, "id"),
                f"rule '{rule.id}' can never reply: rule '{shadow.id}' (line {line}, priority "
                f"{shadow.priority}) matches whenever it does and is tried first; give "
                f"'{rule.id}' a higher priority or narrow '{shadow.id}'",
                "shadowed",
            )
            reported.add(rule.id)
    if reach is None or not reach.complete:
        return
    for rule in persona.rules:
        if rule.id in reach.fired or rule.id in reported:
            continue
        i = f.rule_index(rule.id)
        if i is None:
            continue
        sub, why, value = _why_never(rule, persona, reach, plays_of(persona, bindings))
        path = ("rules", i, *sub)
        if value:
            path = f.item(path, value)
        f.warn(path, f"rule '{rule.id}' can never fire: {why}", "never-fires")
    leads = {s: [r.id for r in persona.rules if r.do.stage == s] for s in persona.stages}
    for n, stage in enumerate(persona.stages):
        if n == 0 or stage in reach.stages:
            continue
        how = (f"the rules that lead to it ({_names(leads[stage])}) never fire"
               if leads[stage] else "no rule moves the call to it")
        f.warn(f.item(("stages",), stage), f"stage '{stage}' is never reached: {how}",
               "unreachable-stage")


# --- scenario checks -----------------------------------------------------------------------------


def _replies(persona: Persona) -> Iterable[tuple[Path_, str, str]]:
    """(path in the persona file, where in words, text) of every reply the debtor can say."""
    for n, text in enumerate(persona.opening):
        yield ("opening", n), "the opening", text
    for rule in persona.rules:
        for n, text in enumerate(rule.say):
            yield ("rules", rule.id, "say", n), f"rule '{rule.id}'", text
    for stage, texts in persona.fallback.items():
        for n, text in enumerate(texts):
            yield ("fallback", stage, n), f"fallback '{stage}'", text
    for n, text in enumerate(persona.hangup_line):
        yield ("hangup_line", n), "the hang-up line", text


LEDGER = ("last_payment.date", "last_payment.amount", "last_payment.reference")
_FILL_HINTS = {
    "last_payment": "add a payment to case.payments",
    "trait": "add the trait to the persona or to persona_overrides.traits",
}


def check_placeholders(
    f: _File, loaded: Loaded, persona_file: _File | None, skip: Iterable[str] = ()
) -> None:
    """Placeholders the case file leaves unfilled (those in ``skip`` are reported already)."""
    from collectsim.loading import placeholder_names

    values = placeholder_values(loaded)
    seen: set[str] = set(skip)
    for path, where, text in _replies(loaded.persona):
        for name in placeholder_names(text):
            if name in seen:
                continue
            seen.add(name)
            place = ""
            if persona_file is not None:
                p = path
                if p[0] == "rules":
                    i = persona_file.rule_index(p[1])
                    p = ("rules", i, *p[2:])
                line, _ = persona_file.at(p)
                place = f", {persona_file.name}:{line}"
            if name not in values:
                hint = _FILL_HINTS.get(name.split(".")[0], "")
                hint = f": {hint}" if hint else ""
                f.error(
                    ("case",),
                    f"the case file cannot fill '{{{name}}}', which persona "
                    f"'{loaded.persona.id}' says in {where}{place}{hint}",
                    "unfillable-placeholder",
                    key=True,
                )
            elif values[name] == "":
                f.warn(
                    ("case",),
                    f"'{{{name}}}' (persona '{loaded.persona.id}', {where}{place}) is filled "
                    "with nothing: the first invoice has no such date",
                    "empty-placeholder",
                    key=True,
                )


def check_success(f: _File, loaded: Loaded, reach: Reach) -> None:
    scenario = loaded.scenario
    success = set(scenario.success)
    got = success & reach.outcomes
    ends = ", ".join(sorted(reach.outcomes))
    if not got:
        if reach.complete:
            f.error(
                ("success",),
                f"no path to a success outcome: with persona '{loaded.persona.id}' a call "
                f"can only end in {ends}",
                "no-success-path",
            )
        else:
            f.warn(
                ("success",),
                f"no path to a success outcome found in {reach.states:,} states (the search "
                "stopped early); play the scenario to be sure it can be won",
                "search-incomplete",
            )
        return
    if not reach.complete:
        return
    for outcome in scenario.success:
        if outcome in reach.outcomes:
            continue
        set_by = [r.id for r in loaded.persona.rules if r.do.outcome == outcome]
        why = (f"the rules that set it ({_names(set_by)}) never fire" if set_by
               else f"no rule of persona '{loaded.persona.id}' sets it")
        f.warn(f.item(("success",), outcome),
               f"success outcome '{outcome}' can never happen: {why}", "unreachable-success")


def check_reward(f: _File, loaded: Loaded) -> None:
    """Each success outcome must be one the rubric's `outcome_in` criteria can reward."""
    from collectsim.rubric import RubricError
    from collectsim.scoring import applies, default_rubric

    try:
        rubric = default_rubric().with_overrides(loaded.scenario.rubric)
    except RubricError as e:
        f.error(("rubric",), str(e), "rubric", key=True)
        return
    rewarding = [
        c for c in rubric.criteria
        if c.check == "outcome_in" and c.points > 0 and applies(c, loaded)
    ]
    if not rewarding:
        f.warn(("success",), "no criterion of the rubric rewards reaching a success outcome "
               "(an 'outcome_in' criterion is disabled or does not apply here)",
               "unrewarded-success")
        return
    for outcome in loaded.scenario.success:
        setters = [r for r in loaded.persona.rules if r.do.outcome == outcome]
        if not setters:
            continue  # whether it can happen at all is check_success's business
        spoilt = []
        for c in rewarding:
            want = loaded.scenario.success if c.args.get("success") else c.args.get("outcomes", ())
            unless = set(c.args.get("unless_fact", ()))
            if outcome in want and not all(unless & set(r.do.remember) for r in setters):
                break
            spoilt.append(c)
        else:
            facts = sorted({x for r in setters for x in r.do.remember
                            for c in spoilt if x in c.args.get("unless_fact", ())})
            why = (f"every rule that sets it ({_names(r.id for r in setters)}) also remembers "
                   f"{_names(facts)}, which the rubric does not reward" if facts
                   else "no 'outcome_in' criterion of the rubric lists it")
            f.warn(f.item(("success",), outcome),
                   f"success outcome '{outcome}' cannot be rewarded: {why}",
                   "unrewarded-success")


# --- the whole run -------------------------------------------------------------------------------


def _within(path: Path, roots: Sequence[Path]) -> bool:
    p = path.resolve()
    return any(p == r or r in p.parents for r in roots)


def check(paths: Sequence[Path] | None = None, extra: Sequence[Path] = ()) -> list[Diagnostic]:
    """Every problem in the library (or in ``paths``), sorted by file and position."""
    from collectsim.loading import load_library

    lib = load_library(extra=extra, paths=paths)
    out = list(lib.diagnostics)
    reported = {(d.file, d.code) for d in out}
    roots = [Path(p).resolve() for p in paths] if paths is not None else None
    cache: dict[tuple[Any, ...], Reach] = {}

    def search(loaded: Loaded, stop_at: Iterable[str] = ()) -> Reach:
        key = (loaded.persona.id, tuple(sorted(loaded.traits.items())),
               tuple(sorted(loaded.meters.items())), loaded.scenario.case.outstanding() <= 0)
        if key in cache:
            return cache[key]
        reach = explore(loaded.persona, loaded.traits, loaded.meters, debt_paid=key[-1],
                        stop_at=stop_at)
        if not stop_at or reach.complete:
            cache[key] = reach
        return reach

    files: dict[tuple[str, str], _File | None] = {}

    def file_of(kind: str, ident: str) -> _File | None:
        if (kind, ident) not in files:
            files[(kind, ident)] = _open(lib.sources[(kind, ident)])
        return files[(kind, ident)]

    bindings: dict[str, list[Loaded]] = {}
    for sid, scenario in sorted(lib.scenarios.items()):
        if scenario.persona in lib.personas:
            try:
                bindings.setdefault(scenario.persona, []).append(lib.bind(sid))
            except LoadError:
                continue
    for pid, persona in sorted(lib.personas.items()):
        if roots is not None and not _within(lib.sources[("persona", pid)], roots):
            continue
        f = file_of("persona", pid)
        if f is None:
            continue
        # As played in its scenarios; on its own defaults only when no scenario plays it.
        reach: Reach | None = None
        for b in bindings.get(pid, []):
            run = search(b)
            reach = run if reach is None else reach.merge(run)
            if not reach.complete:
                break
        if reach is None:
            reach = explore(persona, persona.traits, None)
        if not reach.complete:
            f.warn(
                ("id",),
                f"the search over this persona's rules is too large to finish (more than "
                f"{MAX_STATES:,} states); rules and stages it did not reach are not reported",
                "search-incomplete",
            )
        check_persona(f, persona, reach, bindings.get(pid, []))
        out += f.out
    for pid, loaded_list in sorted(bindings.items()):
        for loaded in loaded_list:
            sid = loaded.scenario.id
            if roots is not None and not _within(lib.sources[("scenario", sid)], roots):
                continue
            f = file_of("scenario", sid)
            if f is None:
                continue
            check_success(f, loaded, search(loaded, stop_at=loaded.scenario.success))
            check_reward(f, loaded)
            # The loader already warns about {last_payment.*} with an empty ledger.
            skip = LEDGER if (f.name, "no-payments") in reported else ()
            check_placeholders(f, loaded, file_of("persona", pid), skip)
            out += f.out
    unique = list(dict.fromkeys(out))
    unique.sort(key=sort_key)
    return unique


__all__ = [
    "check",
    "check_persona",
    "comparison_implies",
    "condition_implies",
    "contradiction",
    "display",
    "shadowing_rule",
]
