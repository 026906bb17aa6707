"""Engine time per turn against a bare ``rapidfuzz.process.cdist`` of the same line over the same
phrase bank with the analyser's own scorer and cut-off, measured interleaved in one run.

For every round, every example script is replayed in a fresh session; for each spoken line the
three measurements are taken back to back (order rotated per round so none always runs warm):
the bare cdist, ``Analyser.analyse`` alone, and ``CallSession.say`` (analysis + rules + reply).
Actions (``/send-documents``...) are played but not timed. The analyser remembers what it worked
out per *word* (typo corrections, canonical forms, character pairs), never per line: after the
first round every word is known, as in a session where a trainee's words recur. So the cost of
first sight is measured too: one pass of a fresh ``Analyser`` over all the lines.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from bench_common import Section, Stats, example_scripts, one_core, profile_table

MAX_ROUNDS = 150
#: Time budget for the timed rounds; the number of rounds follows from the warm-up round.
BUDGET_SECONDS = 10.0
TARGET_RATIO = 1.5


def _bank() -> tuple[Callable[[str], object], str]:
    """A function running the bare cdist, and how the bank was obtained (for the notes)."""
    from rapidfuzz import process

    from collectsim.analysis import default_analyser

    a = default_analyser()
    phrases = getattr(a, "phrases", None)
    scorer = getattr(a, "scorer", None)
    cutoff = getattr(a, "score_cutoff", None)
    missing = [n for n, v in (("phrases", phrases), ("scorer", scorer)) if v is None]
    if missing:
        raise RuntimeError(f"the Analyser does not expose {', '.join(missing)}")
    bank = list(phrases)  # type: ignore[arg-type]

    def bare(line: str) -> object:
        return process.cdist([line], bank, scorer=scorer, score_cutoff=cutoff)

    scorer_name = f"{getattr(scorer, '__module__', '')}.{getattr(scorer, '__name__', scorer)}"
    how = (
        f"phrase bank read from `Analyser.phrases` ({len(bank)} phrases), scorer "
        f"`Analyser.scorer` = `{scorer_name}`"
        f", cut-off `Analyser.score_cutoff` = {cutoff}"
    )
    return bare, how


def _paste() -> str:
    """2,000 characters of real prose the analyser has not seen: the trainer guide."""
    from bench_common import ROOT

    text = (ROOT / "docs" / "trainer-guide.md").read_text(encoding="utf-8")
    return " ".join(text.split())[:2000]


def _worst_cases(make: Callable[[], object]) -> list[tuple[str, float, float]]:
    """(what, first sight, again) in seconds for the longest lines an analyser accepts: a
    fresh analyser each time, so every word is new on first sight (best of three)."""
    cases = [
        ("a 2,000-character paste of prose", _paste()),
        (
            "a 2,000-character line of dates and amounts",
            (" and ".join(f"on {d}/3 at {d % 12 + 1}pm pay ${d * 7},50" for d in range(1, 99)))[
                :2000
            ],
        ),
    ]
    out = []
    for name, line in cases:
        firsts, agains = [], []
        for _ in range(3):
            analyse = make().analyse  # type: ignore[attr-defined]
            analyse("hello")
            t0 = time.perf_counter()
            analyse(line)
            t1 = time.perf_counter()
            analyse(line)
            firsts.append(t1 - t0)
            agains.append(time.perf_counter() - t1)
        out.append((name, min(firsts), min(agains)))
    return out


def run() -> Section:
    from collectsim.analysis import Analyser, default_analyser
    from collectsim.engine import CallSession
    from collectsim.loading import load_library
    from collectsim.script import read_script

    sec = Section("Engine time per turn vs bare rapidfuzz cdist")
    start = time.perf_counter()
    lib = load_library()
    scripts = [(lib.bind(sid), read_script(path)) for sid, path in example_scripts()]
    if not scripts:
        sec.note("no example scripts found in examples/: skipped")
        return sec
    bare, how = _bank()
    analyse = default_analyser().analyse
    t_cdist: list[float] = []
    t_analyse: list[float] = []
    t_turn: list[float] = []
    perf = time.perf_counter
    lines_per_round = 0
    rounds = MAX_ROUNDS
    with one_core() as pinned:
        rnd = 0
        while rnd <= rounds:  # round 0 warms caches, sets the number of rounds, is discarded
            t_round = time.perf_counter()
            gc.collect()
            for loaded, steps in scripts:
                session = CallSession(loaded, seed=rnd)
                for step in steps:
                    if session.ended:
                        break
                    if step.action is not None:
                        session.act(step.action, step.text)
                        continue
                    line = step.text
                    samples: list[tuple[list[float], float]] = []
                    for k in range(3):
                        which = (k + rnd) % 3
                        if which == 0:
                            t0 = perf()
                            bare(line)
                            samples.append((t_cdist, perf() - t0))
                        elif which == 1:
                            t0 = perf()
                            analyse(line)
                            samples.append((t_analyse, perf() - t0))
                        else:
                            t0 = perf()
                            session.say(line)
                            samples.append((t_turn, perf() - t0))
                    if rnd:
                        for bucket, value in samples:
                            bucket.append(value)
                    else:
                        lines_per_round += 1
            if rnd == 0:
                # the warm-up round is slower (caches), so this errs on the side of fewer rounds
                per_round = time.perf_counter() - t_round
                rounds = max(10, min(MAX_ROUNDS, int(BUDGET_SECONDS / max(per_round, 1e-6))))
            rnd += 1
        spoken = [s.text for _, steps in scripts for s in steps if s.action is None]
        fresh = Analyser().analyse
        t_cold: list[float] = []
        for line in spoken:
            t0 = perf()
            fresh(line)
            t_cold.append(perf() - t0)
        worst = _worst_cases(Analyser)
    cdist, ana, turn = Stats.of(t_cdist), Stats.of(t_analyse), Stats.of(t_turn)
    cold = Stats.of(t_cold)
    ratio50 = turn.p50 / cdist.p50
    ratio_mean = turn.mean / cdist.mean
    sec.add(
        "engine turn / bare cdist (p50)",
        f"{ratio50:.2f}×",
        f"≤ {TARGET_RATIO}×",
        ratio50 <= TARGET_RATIO,
    )
    sec.add(
        "engine turn / bare cdist (mean)",
        f"{ratio_mean:.2f}×",
        f"≤ {TARGET_RATIO}×",
        ratio_mean <= TARGET_RATIO,
    )
    sec.add("analyser only / bare cdist (p50)", f"{ana.p50 / cdist.p50:.2f}×")
    sec.add("engine turn (CallSession.say)", turn.us())
    sec.add("analyser only (Analyser.analyse)", ana.us())
    sec.add("bare cdist (same line, same bank)", cdist.us())
    sec.add(
        "analyser, every word seen for the first time (fresh Analyser, one pass)",
        f"{cold.us()}; {cold.p50 / cdist.p50:.2f}× bare cdist (p50)",
    )
    for name, first, again in worst:
        sec.add(
            f"worst case: {name}",
            f"first sight {first * 1e3:.2f} ms ({first / cdist.p50:.0f}× a typical line's bare "
            f"cdist), again {again * 1e3:.2f} ms",
        )
    sec.add(
        "engine turn minus analyser (p50)",
        f"{(turn.p50 - ana.p50) * 1e6:.1f} µs (rules, fact checks, reply, transcript)",
    )
    sec.note(
        f"{len(scripts)} example scripts, {lines_per_round} spoken lines per round, {rounds} "
        f"timed rounds ({turn.n} turns per measure), {pinned}; {how}."
    )
    if ratio50 > TARGET_RATIO:

        def analyse_all() -> None:
            for _ in range(20):
                for line in spoken:
                    analyse(line)

        sec.note(
            "Where the analyser's time goes (cProfile, 20 passes over the example lines):\n\n"
            + profile_table(analyse_all)
        )
    sec.seconds = time.perf_counter() - start
    return sec


if __name__ == "__main__":
    from bench_common import ROOT  # noqa: F401  (sys.path set up)

    run().show()
