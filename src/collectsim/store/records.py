"""What the store hands out: plain frozen dataclasses, for the CLI, reports and the TUI.

Nothing here touches the database, so a history screen can be tested with hand-made values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from collectsim.models import outcome_id
from collectsim.script import Step
from collectsim.transcript import Agreement, CallRecord, Turn

#: Dimensions in the order people read them; any others a rubric adds follow alphabetically.
DIMENSION_ORDER: tuple[str, ...] = ("preparation", "professionalism", "empathy", "close", "overall")


def order_dimensions(names: Iterable[str]) -> list[str]:
    names = set(names)
    known = [d for d in DIMENSION_ORDER if d in names]
    return known + sorted(names - set(known))


@dataclass(frozen=True, kw_only=True)
class AttemptInfo:
    """One attempt as a list shows it."""

    id: int
    trainee: str
    scenario: str
    content_hash: str
    seed: int
    mode: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    finished: bool
    outcome: str | None
    ended_by: str | None
    turn_count: int
    scores: Mapping[str, int] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """`finished`, or `unfinished` for a call cut off (crash, closed terminal, kill)."""
        return "finished" if self.finished else "unfinished"

    @property
    def overall(self) -> int | None:
        return self.scores.get("overall")


@dataclass(frozen=True, kw_only=True)
class Attempt(AttemptInfo):
    """One attempt in full: every turn and the scorecard, for reports and resuming."""

    source: str | None
    app_version: str
    turns: tuple[Turn, ...]
    notes: tuple[str, ...] = ()
    plans: Mapping[str, str] = field(default_factory=dict)
    agreement: Mapping[str, Any] | None = None
    flags: tuple[Mapping[str, Any], ...] = ()
    findings: tuple[Mapping[str, Any], ...] = ()

    @property
    def prep(self) -> list[Turn]:
        """The preparation actions taken before the call connected."""
        return [t for t in self.turns if t.speaker == "system" and not t.in_call and t.kind
                not in {"call_start", "call_end"}]

    @property
    def lost(self) -> list[Mapping[str, Any]]:
        """Findings that lost points, biggest first."""
        return sorted((f for f in self.findings if f.get("points", 0) < 0),
                      key=lambda f: (f.get("points", 0), f.get("turn") or 1 << 30))

    @property
    def gained(self) -> list[Mapping[str, Any]]:
        return sorted((f for f in self.findings if f.get("points", 0) > 0),
                      key=lambda f: (-f.get("points", 0), f.get("turn") or 1 << 30))

    def steps(self) -> list[Step]:
        return steps_from_turns(self.turns)

    def record(self) -> CallRecord:
        """The call as a `CallRecord` again (without the engine's internal facts and meters)."""
        agreement = None
        if self.agreement:
            a = self.agreement
            agreement = Agreement(
                outcome=a["outcome"], turn=a["turn"], total=a.get("total"),
                instalment=a.get("instalment"), instalments=a.get("instalments"),
                dates=tuple(a.get("dates") or ()),
            )
        notes = self.notes or tuple(t.text for t in self.turns if t.kind == "note")
        return CallRecord(
            scenario=self.scenario,
            seed=self.seed,
            outcome=self.outcome or "no_agreement",
            turns=self.turns,
            notes=notes,
            plans=tuple(self.plans.items()),
            agreement=agreement,
            ended_by=self.ended_by,  # type: ignore[arg-type]
            finished=self.ended_by is not None,
        )


@dataclass(frozen=True)
class TrendPoint:
    attempt_id: int
    at: dt.datetime
    scores: Mapping[str, int]


@dataclass(frozen=True)
class ScenarioHistory:
    """A trainee's attempts at one scenario. Trends and best/last use scored attempts only."""

    scenario: str
    attempts: int
    unfinished: tuple[int, ...]  # ids of attempts cut off mid-call
    best: Mapping[str, int]
    last: Mapping[str, int]
    last_attempt: int | None  # id of the last scored attempt
    last_played: dt.datetime
    points: tuple[TrendPoint, ...]  # scored attempts, oldest first

    def trend(self, dimension: str) -> list[int]:
        return [p.scores[dimension] for p in self.points if dimension in p.scores]


@dataclass(frozen=True)
class History:
    trainee: str | None  # None: everybody
    dimensions: tuple[str, ...]
    scenarios: tuple[ScenarioHistory, ...]

    @property
    def attempts(self) -> int:
        return sum(s.attempts for s in self.scenarios)


@dataclass(frozen=True)
class LostCriterion:
    criterion: str  # id
    label: str
    dimension: str
    attempts: int  # in how many attempts it lost points


@dataclass(frozen=True)
class GroupStats:
    """Attempts of one trainee, one scenario, or one trainee at one scenario (None = all)."""

    trainee: str | None
    scenario: str | None
    attempts: int
    scored: int
    average: Mapping[str, float]
    best: Mapping[str, int]
    lost: tuple[LostCriterion, ...]  # most frequent first

    @property
    def level(self) -> str:
        if self.trainee is not None and self.scenario is not None:
            return "trainee+scenario"
        return "trainee" if self.trainee is not None else "scenario"


@dataclass(frozen=True)
class TeamSummary:
    dimensions: tuple[str, ...]
    by_trainee: tuple[GroupStats, ...]
    by_scenario: tuple[GroupStats, ...]
    by_pair: tuple[GroupStats, ...]


# --- turns <-> rows, turns -> steps -------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """Tuples as lists, anything exotic (dates, decimals) as text: what JSON columns accept."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def turn_data(turn: Turn) -> dict[str, Any]:
    """Everything of a turn but n, speaker and text (which have columns)."""
    return jsonable(
        {
            "acts": turn.acts,
            "events": turn.events,
            "tags": turn.tags,
            "kind": turn.kind,
            "rule": turn.rule,
            "stage": turn.stage,
            "meters": turn.meters,
            "in_call": turn.in_call,
            "slots": turn.slots,
        }
    )


def turn_from_row(n: int, speaker: str, text: str, data: Mapping[str, Any]) -> Turn:
    return Turn(
        n=n,
        speaker=speaker,  # type: ignore[arg-type]
        text=text,
        acts=tuple(data.get("acts") or ()),
        events=tuple(data.get("events") or ()),
        tags=tuple(data.get("tags") or ()),
        kind=data.get("kind"),
        rule=data.get("rule"),
        stage=data.get("stage"),
        meters=tuple((k, v) for k, v in data.get("meters") or ()),
        in_call=bool(data.get("in_call", True)),
        slots=tuple((k, v) for k, v in data.get("slots") or ()),
    )


_PLAN = re.compile(r"^Plan if (?P<outcome>[^:]+): (?P<text>.*)$", re.S)
_SIMPLE_ACTIONS = {
    "send_documents": "send-documents",
    "check_payments": "check-payments",
    "wait": "wait",
    "hold": "hold",
    "call_end": "end",
}


def _dialled_by_speaking(turns: Sequence[Turn], i: int) -> bool:
    """Whether the call at turn i connected because the trainee spoke (or paused), not /call.

    After the dial comes the debtor's answer; a line, /wait or /hold right after it would have
    dialled by itself, so replaying it without an explicit /call gives the same turns.
    """
    nxt = turns[i + 2] if i + 2 < len(turns) else None
    return nxt is not None and (nxt.speaker == "trainee" or nxt.kind in {"wait", "hold"})


def steps_from_turns(turns: Sequence[Turn]) -> list[Step]:
    """The trainee's steps (lines and /actions) that produced these turns, in order.

    Turns are the one thing committed during a call, so the steps are read back from them
    rather than stored twice. `Step.line` is the turn number. Replaying the steps with the
    same scenario and seed rebuilds the call; tests check the round trip for every action.
    """
    steps: list[Step] = []
    for i, t in enumerate(turns):
        if t.kind == "call_start" and not _dialled_by_speaking(turns, i):
            steps.append(Step(t.n, "", "call"))  # e.g. a note taken before the first line
        elif t.speaker == "trainee":
            steps.append(Step(t.n, t.text, "interrupt" if "interruption" in t.events else None))
        elif t.speaker == "system":
            if t.kind == "note":
                steps.append(Step(t.n, t.text, "note"))
            elif t.kind == "decide" and t.text.startswith("Decision: "):
                steps.append(Step(t.n, t.text.removeprefix("Decision: "), "decide"))
            elif t.kind == "plan" and (m := _PLAN.match(t.text)):
                steps.append(Step(t.n, f"{outcome_id(m['outcome'])}: {m['text']}", "plan"))
            elif t.kind in _SIMPLE_ACTIONS:
                steps.append(Step(t.n, "", _SIMPLE_ACTIONS[t.kind]))
    return steps
