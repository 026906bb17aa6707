"""Replay throughput over the built-in library, and per-turn time as personas grow to 100, 1,000
and 10,000 generated rules.

Throughput: every example script replayed in a fresh ``CallSession`` (new seed each time) until
the time budget is spent, pinned to one core, with and without ``scoring.score``.

Scaling: each example's persona gets N generated rules appended (varied acts, stages, meter,
turn, fact and event conditions, small effects, a quarter of them with no act condition, as in the
built-in personas), then the example lines are replayed. Two figures per N: the whole turn with
the real analyser, and the engine alone with the analysis of each line precomputed (so the
analyser's constant cost does not hide how rule evaluation grows). Rules are selected with bit
masks over all of a persona's rules at once (``collectsim.rules``); the rules then looked at one by
one per turn -- those that passed every mask, whose chance is rolled and which fire or reply --
are counted from ``Matcher.examined``.
"""

from __future__ import annotations

import dataclasses
import gc
import math
import random
import time
from collections.abc import Callable
from typing import Any

from bench_common import Section, Stats, example_scripts, one_core, profile_table

THROUGHPUT_SECONDS = 4.0
WINDOWS = 4
TARGET_CALLS = 500.0
RULE_COUNTS = (0, 100, 1_000, 10_000)
SCALING_ROUNDS = {0: 60, 100: 60, 1_000: 30, 10_000: 10}
SCALING_SCENARIO = "legitimate-excuse"
ACTLESS_SHARE = 0.25


def _scripts() -> list[tuple[Any, list[Any]]]:
    from collectsim.loading import load_library
    from collectsim.script import read_script

    lib = load_library()
    return [(lib.bind(sid), read_script(path)) for sid, path in example_scripts()]


def throughput(sec: Section) -> None:
    from collectsim.engine import CallSession
    from collectsim.scoring import score
    from collectsim.script import replay

    scripts = _scripts()
    for loaded, steps in scripts:  # warm the analyser's caches
        replay(CallSession(loaded), steps)

    def measure(with_score: bool, seconds: float) -> tuple[float, float]:
        calls = turns = 0
        gc.collect()
        start = time.perf_counter()
        deadline = start + seconds
        seed = 0
        while time.perf_counter() < deadline:
            for loaded, steps in scripts:
                record, _ = replay(CallSession(loaded, seed=seed), steps)
                if with_score:
                    score(record, loaded)
                calls += 1
                turns += len(record.turns)
            seed += 1
        elapsed = time.perf_counter() - start
        return calls / elapsed, turns / elapsed

    # The machine is shared: a neighbour's burst can halve one window. Windows of both kinds
    # alternate and the best of each is reported (what the code can do; the spread is noted).
    window = THROUGHPUT_SECONDS / (2 * WINDOWS)
    plains: list[tuple[float, float]] = []
    scoreds: list[tuple[float, float]] = []
    with one_core() as pinned:
        for _ in range(WINDOWS):
            plains.append(measure(False, window))
            scoreds.append(measure(True, window))
    plain, plain_turns = max(plains)
    scored = max(scoreds)[0]
    sec.add(
        "replay throughput (no scoring)",
        f"{plain:,.0f} calls/s",
        f"≥ {TARGET_CALLS:.0f}",
        plain >= TARGET_CALLS,
    )
    sec.add(
        "replay throughput (with scoring)",
        f"{scored:,.0f} calls/s",
        f"≥ {TARGET_CALLS:.0f}",
        scored >= TARGET_CALLS,
    )
    sec.add(
        "scoring cost",
        f"{(1 / scored - 1 / plain) * 1e3:.2f} ms per call "
        f"({plain / scored:.2f}× the replay alone)",
    )
    sec.add("transcript turns per second (no scoring)", f"{plain_turns:,.0f}")
    spread = ", ".join(f"{min(v)[0]:,.0f}–{max(v)[0]:,.0f}" for v in (plains, scoreds))
    sec.note(
        f"throughput: {len(scripts)} example scripts, best of {WINDOWS} alternating windows of "
        f"{window:.1f} s each way (all windows: {spread} calls/s without / with scoring), "
        f"{pinned}."
    )


# --- generated rules --------------------------------------------------------------------------


def generated_rules(n: int, persona: Any, seed: int = 7) -> list[dict[str, Any]]:
    """N varied rule dicts for ``persona`` (its own stages and meters), as a trainer would write."""
    from collectsim.acts import ACTS
    from collectsim.models import EVENTS

    rng = random.Random(seed * 100_003 + n)
    stages = list(persona.stages)
    meters = list(persona.meters) or ["patience"]
    rules: list[dict[str, Any]] = []
    for i in range(n):
        when: dict[str, Any] = {}
        if rng.random() >= ACTLESS_SHARE:
            if rng.random() < 0.6:
                when["acts"] = rng.sample(ACTS, rng.choice((1, 1, 2)))
            else:
                when["any_acts"] = rng.sample(ACTS, rng.choice((2, 3)))
        extra = rng.sample(
            [
                "stage",
                "not_stage",
                "meters",
                "turn",
                "facts",
                "not_facts",
                "no_acts",
                "said",
                "events",
                "told",
            ],
            rng.choice((1, 2, 3)),
        )
        for key in extra:
            if key in {"stage", "not_stage"}:
                when[key] = rng.sample(stages, rng.choice((1, 2)))
            elif key == "meters":
                op = rng.choice(("<", "<=", ">", ">="))
                when["meters"] = {rng.choice(meters): f"{op} {rng.randrange(5, 95)}"}
            elif key == "turn":
                when["turn"] = f">= {rng.randrange(1, 12)}"
            elif key in {"facts", "not_facts"}:
                when[key] = [
                    rng.choice(
                        (
                            "documents_sent",
                            "payments_checked",
                            "plan_made",
                            f"gen_fact_{rng.randrange(50)}",
                        )
                    )
                ]
            elif key in {"no_acts", "said"}:
                when[key] = rng.sample(ACTS, 1)
            elif key == "events":
                when["events"] = [rng.choice(EVENTS)]
            elif key == "told":
                when["told"] = ["promise"]
        if rng.random() < 0.1:
            when["chance"] = 0.5
        rule: dict[str, Any] = {
            "id": f"gen-{i}",
            "when": when,
            "do": {
                # A zero change costs what a real one does but keeps the call's course (a
                # thousand -1s would hang up in the first turn and shorten every call).
                "meters": {rng.choice(meters): 0},
                "remember": [f"gen_fact_{rng.randrange(50)}"],
            },
            "once": rng.random() < 0.3,
        }
        if rng.random() < 0.7:
            rule["priority"] = rng.randrange(-10, 60)
            rule["say"] = [f"Reply {i}a.", f"Reply {i}b about {{invoice.number}}."]
        rules.append(rule)
    return rules


def with_rules(loaded: Any, n: int) -> Any:
    """``loaded`` with its persona carrying N more generated rules (validated by the model)."""
    if n == 0:
        return loaded
    from pydantic import TypeAdapter

    from collectsim.models import Persona

    persona = loaded.persona
    extra = (
        TypeAdapter(Persona)
        .validate_python(
            {
                "id": persona.id,
                "type": persona.type,
                "stages": list(persona.stages),
                "rules": generated_rules(n, persona),
            }
        )
        .rules
    )
    grown = dataclasses.replace(persona, rules=(*persona.rules, *extra))
    return dataclasses.replace(loaded, persona=grown)


def _cached_analyser(lines: list[str]) -> Callable[[str], Any]:
    from collectsim.analysis import analyse

    table = {line: analyse(line) for line in lines}
    return lambda text: table[text] if text in table else analyse(text)


class _Counter:
    """Counts the rules examined one by one (those that passed every mask) by wrapping
    ``Matcher.choose``, once per line rather than per rule, so the timing is barely touched."""

    def __init__(self) -> None:
        from collectsim.rules import Matcher

        self.cls = Matcher
        self.original = Matcher.choose
        self.count = 0

    def __enter__(self) -> _Counter:
        original = self.original

        def choose(matcher: Any, *args: Any, **kw: Any) -> Any:
            before = matcher.examined
            try:
                return original(matcher, *args, **kw)
            finally:
                self.count += matcher.examined - before

        self.cls.choose = choose  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        self.cls.choose = self.original  # type: ignore[method-assign]


def _per_turn(
    loaded_steps: list[tuple[Any, list[Any]]], rounds: int, analyser: Callable[[str], Any] | None
) -> tuple[list[float], int]:
    from collectsim.engine import CallSession

    samples: list[float] = []
    perf = time.perf_counter
    for rnd in range(rounds):
        for loaded, steps in loaded_steps:
            session = (
                CallSession(loaded, seed=rnd)
                if analyser is None
                else CallSession(loaded, seed=rnd, analyser=analyser)
            )
            for step in steps:
                if session.ended:
                    break
                if step.action is not None:
                    session.act(step.action, step.text)
                    continue
                t0 = perf()
                session.say(step.text)
                samples.append(perf() - t0)
    return samples, len(samples)


def scaling(sec: Section) -> None:
    everything = _scripts()
    # One scenario's scripts keep the run short: one generated persona per size, not one per
    # scenario (building and validating 10,000 rules takes seconds).
    first = (
        SCALING_SCENARIO
        if any(lo.scenario.id == SCALING_SCENARIO for lo, _ in everything)
        else everything[0][0].scenario.id
    )
    scripts = [(lo, steps) for lo, steps in everything if lo.scenario.id == first]
    lines = [s.text for _, steps in scripts for s in steps if s.action is None]
    cached = _cached_analyser(lines)
    engine_only: dict[int, Stats] = {}
    whole: dict[int, Stats] = {}
    evaluated: dict[int, float] = {}
    built: dict[int, list[tuple[Any, list[Any]]]] = {}
    t_build = time.perf_counter()
    for n in RULE_COUNTS:
        grown: dict[tuple[str, str], Any] = {}  # one generated persona per scenario, not per script
        for loaded, _ in scripts:
            key = (loaded.scenario.id, loaded.persona.id)
            if key not in grown:
                grown[key] = with_rules(loaded, n)
        built[n] = [(grown[(lo.scenario.id, lo.persona.id)], steps) for lo, steps in scripts]
    t_build = time.perf_counter() - t_build
    with one_core():
        for n in RULE_COUNTS:
            rounds = SCALING_ROUNDS[n]
            gc.collect()
            _per_turn(built[n], 1, cached)  # warm-up
            with _Counter() as counter:
                samples, turns = _per_turn(built[n], rounds, cached)
            engine_only[n] = Stats.of(samples)
            evaluated[n] = counter.count / max(turns, 1)
            samples, _ = _per_turn(built[n], max(1, rounds // 2), None)
            whole[n] = Stats.of(samples)
    base = RULE_COUNTS[0]
    for n in RULE_COUNTS:
        total_rules = sum(len(lo.persona.rules) for lo, _ in built[n]) / len(built[n])
        label = "built-in personas" if n == 0 else f"+{n:,} generated rules"
        sec.add(
            f"per turn, {label} (~{total_rules:,.0f} rules)",
            f"engine only p50 {engine_only[n].p50 * 1e6:,.0f} µs "
            f"({engine_only[n].p50 / engine_only[base].p50:.1f}× built-in); "
            f"whole turn p50 {whole[n].p50 * 1e6:,.0f} µs; "
            f"{evaluated[n]:,.0f} rules examined one by one per turn",
        )
    n1, n2 = RULE_COUNTS[-2], RULE_COUNTS[-1]
    growth = engine_only[n2].p50 / engine_only[n1].p50
    slope = math.log(growth) / math.log(n2 / n1)
    marginal = (engine_only[n2].p50 - engine_only[n1].p50) / (n2 - n1)
    share = evaluated[n2] / n2
    sublinear = slope < 1.0
    sec.add(
        f"growth {n1:,} → {n2:,} rules (engine only)",
        f"{growth:.1f}× for {n2 // n1}× the rules (log-log slope {slope:.2f})",
        "slope < 1 (sub-linear)",
        sublinear,
    )
    sec.add(
        "marginal cost per rule",
        f"{marginal * 1e9:,.0f} ns per rule per turn; "
        f"{share:.1%} of the rules pass every mask and are examined one by one each turn at "
        f"{n2:,}",
    )
    sec.note(
        f"scaling: the {len(scripts)} example scripts of `{first}`; generated personas built and "
        f"validated in {t_build:.1f} s; "
        f"{ACTLESS_SHARE:.0%} of generated rules have no act condition; rounds per size "
        f"{SCALING_ROUNDS}. Rules that cannot match cost a share of a few big-int operations; "
        "what still grows with N is the rules that do match, examined and fired one by one "
        "(every matching reaction's effect is applied, in order)."
    )
    if not sublinear:
        sec.note(
            "per-turn time grows about linearly with the rule count: profile at "
            f"{n2:,} rules (engine only) follows."
        )
        sec.note(_profile(built[n2], cached))


def _profile(loaded_steps: list[tuple[Any, list[Any]]], analyser: Callable[[str], Any]) -> str:
    table = profile_table(lambda: _per_turn(loaded_steps, 2, analyser))
    return "Top functions by own time (session set-up included):\n\n" + table


def run() -> Section:
    sec = Section("Replay throughput and rule scaling")
    start = time.perf_counter()
    throughput(sec)
    scaling(sec)
    sec.seconds = time.perf_counter() - start
    return sec


if __name__ == "__main__":
    run().show()
