"""Proficiency: what a trainee can do, from their recent *assessed* attempts only.

Practice is private and free to fail, so only assessments count here (as in the team view).

- **Skill** = a rubric dimension (preparation, professionalism, empathy, close): the group every
  criterion belongs to. A skill's proficiency is the exponentially weighted mean of that
  dimension's score over the trainee's assessed, scored attempts (all scenarios), newest first,
  with a **half-life of 3 attempts**: the newest weighs 1, the 4th newest 1/2, the 7th 1/4.
  At most the 20 newest count. Recent work dominates, one bad day does not erase a trend.
- **Level** per scenario, from the trainee's best assessed attempt at it:
  bronze: overall >= 60; silver: overall >= 75 and every dimension >= 60;
  gold: overall >= 90 and every dimension >= 75. (A critical flag caps overall at 40: no medal.)
- **Next scenario** (`suggest_next`): the weakest skill picks it; see that function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from collectsim.rubric import DIMENSIONS

HALF_LIFE = 3.0  # attempts
WINDOW = 20  # newest assessed attempts that count
LEVELS: tuple[tuple[str, int, int], ...] = (  # (level, overall at least, every dimension at least)
    ("gold", 90, 75),
    ("silver", 75, 60),
    ("bronze", 60, 0),
)
_DIFFICULTY = {"easy": 0, "medium": 1, "hard": 2}


@dataclass(frozen=True)
class Skill:
    name: str  # a rubric dimension
    proficiency: float | None  # 0-100; None: no assessed attempt yet
    attempts: int  # assessed attempts that count

    def to_json(self) -> dict[str, Any]:
        value = None if self.proficiency is None else round(self.proficiency, 1)
        return {"skill": self.name, "proficiency": value, "attempts": self.attempts}


@dataclass(frozen=True)
class ScenarioLevel:
    scenario: str
    level: str | None  # gold | silver | bronze | None
    best_overall: int | None
    assessed: int

    def to_json(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "level": self.level, "best_overall": self.best_overall,
                "assessed": self.assessed}


@dataclass(frozen=True)
class Suggestion:
    scenario: str
    skill: str | None  # the weakest skill it trains; None at the start of the path
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "skill": self.skill, "why": self.why}


@dataclass(frozen=True)
class Progress:
    trainee: str
    skills: tuple[Skill, ...]
    levels: tuple[ScenarioLevel, ...]
    suggestion: Suggestion | None

    def to_json(self) -> dict[str, Any]:
        return {
            "trainee": self.trainee,
            "half_life_attempts": HALF_LIFE,
            "skills": [s.to_json() for s in self.skills],
            "levels": [x.to_json() for x in self.levels],
            "suggestion": self.suggestion.to_json() if self.suggestion else None,
        }


def weighted(values_newest_first: Sequence[float], half_life: float = HALF_LIFE) -> float | None:
    """Exponentially weighted mean: the k-th newest (k = 0, 1, ...) weighs 0.5 ** (k/half_life)."""
    if not values_newest_first:
        return None
    weights = [0.5 ** (k / half_life) for k in range(len(values_newest_first))]
    return sum(w * v for w, v in zip(weights, values_newest_first, strict=True)) / sum(weights)


def level_of(scores: Mapping[str, int]) -> str | None:
    """The medal one attempt's scores earn (thresholds in LEVELS)."""
    overall = scores.get("overall")
    if overall is None:
        return None
    dims = [scores[d] for d in DIMENSIONS if d in scores]
    for name, at_least, every in LEVELS:
        if overall >= at_least and all(v >= every for v in dims):
            return name
    return None


def _rank(level: str | None) -> int:
    return {"gold": 3, "silver": 2, "bronze": 1}.get(level or "", 0)


def skills(attempts_newest_first: Sequence[Any]) -> tuple[Skill, ...]:
    """Per dimension, from `AttemptInfo`s (or anything with `.scores`), newest first."""
    recent = [a for a in attempts_newest_first if a.scores][:WINDOW]
    out = []
    for d in DIMENSIONS:
        values = [float(a.scores[d]) for a in recent if d in a.scores]
        out.append(Skill(d, weighted(values), len(values)))
    return tuple(out)


def levels(attempts: Iterable[Any]) -> tuple[ScenarioLevel, ...]:
    best: dict[str, tuple[str | None, int | None, int]] = {}
    for a in attempts:
        if not a.scores:
            continue
        lv, top, n = best.get(a.scenario, (None, None, 0))
        mine = level_of(a.scores)
        overall = a.scores.get("overall")
        if _rank(mine) > _rank(lv):
            lv = mine
        if overall is not None and (top is None or overall > top):
            top = overall
        best[a.scenario] = (lv, top, n + 1)
    return tuple(ScenarioLevel(s, *best[s]) for s in sorted(best))


def _assessed(store: Any, trainee: str) -> list[Any]:
    return [
        a
        for a in store.attempts(trainee=trainee, mode="assessment", newest_first=True)
        if a.finished and a.scores
    ]


def suggest_next(trainee: str, store: Any, library: Any) -> Suggestion | None:
    """The scenario to assess next, and why, from the trainee's weakest skill.

    No assessment yet: the first scenario of the learning path. Otherwise the weakest skill
    (lowest proficiency; ties in DIMENSIONS order) picks among scenarios not yet at gold:
    1. those whose rubric weighs that skill most (a scenario's `rubric.weights`),
    2. then the one where the trainee's newest assessed score in that skill is lowest (a
       scenario never assessed counts as the skill's proficiency: a weak past attempt comes
       first, a new scenario before a strong one),
    3. then easier first, then learning-path order.
    """
    attempts = _assessed(store, trainee)
    scenarios = sorted(library.scenarios.values(), key=lambda s: (s.order, s.id))
    if not scenarios:
        return None
    if not attempts:
        first = scenarios[0]
        return Suggestion(first.id, None, f"No assessment yet: start the path with {first.title}.")
    sk = [s for s in skills(attempts) if s.proficiency is not None]
    weakest = min(sk, key=lambda s: (s.proficiency, DIMENSIONS.index(s.name)))
    gold = {x.scenario for x in levels(attempts) if x.level == "gold"}
    pool = [s for s in scenarios if s.id not in gold] or scenarios
    newest: dict[str, int] = {}
    for a in attempts:  # newest first: keep the first seen
        if weakest.name in a.scores:
            newest.setdefault(a.scenario, a.scores[weakest.name])
    assert weakest.proficiency is not None

    def key(s: Any) -> tuple[float, float, int, int, str]:
        weight = float(s.rubric.weights.get(weakest.name, 1.0))
        mine = newest.get(s.id, weakest.proficiency)
        return (-weight, float(mine), _DIFFICULTY.get(s.difficulty, 1), s.order, s.id)

    pick = min(pool, key=key)
    why = (
        f"Your weakest skill is {weakest.name} ({weakest.proficiency:.0f} over "
        f"{weakest.attempts} assessed attempt(s))"
    )
    weight = float(pick.rubric.weights.get(weakest.name, 1.0))
    if weight > 1:
        why += f"; {pick.title} weighs {weakest.name} x{weight:g}"
    if pick.id in newest:
        why += f"; your last assessed {weakest.name} there was {newest[pick.id]}"
    else:
        why += f"; you have not been assessed on {pick.title} yet"
    return Suggestion(pick.id, weakest.name, why + ".")


def progress(trainee: str, store: Any, library: Any) -> Progress:
    attempts = _assessed(store, trainee)
    return Progress(trainee, skills(attempts), levels(attempts),
                    suggest_next(trainee, store, library))


def progress_text(p: Progress) -> str:
    out = [f"Progress of {p.trainee} (assessed attempts only; half-life {HALF_LIFE:g} attempts)",
           "", "Skills:"]
    for s in p.skills:
        value = "  -" if s.proficiency is None else f"{s.proficiency:3.0f}"
        out.append(f"  {s.name:<16} {value}   ({s.attempts} attempt(s))")
    out += ["", "Levels (bronze >= 60; silver >= 75, every dimension >= 60; gold >= 90, every "
            "dimension >= 75):"]
    out += [
        f"  {x.scenario:<24} {x.level or '-':<7} best {x.best_overall}  ({x.assessed} assessed)"
        for x in p.levels
    ] or ["  none yet: collectsim play SCENARIO --script FILE --assess"]
    if p.suggestion:
        out += ["", f"Next: {p.suggestion.scenario}. {p.suggestion.why}"]
    return "\n".join(out) + "\n"


__all__ = [
    "HALF_LIFE",
    "LEVELS",
    "Progress",
    "ScenarioLevel",
    "Skill",
    "Suggestion",
    "level_of",
    "levels",
    "progress",
    "progress_text",
    "skills",
    "suggest_next",
    "weighted",
]
