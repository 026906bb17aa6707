"""What a call leaves behind: turns, notes, the agreement and the outcome.

A `CallRecord` is the only thing scoring, records and reports read, so it holds everything they
need and nothing that depends on how the call was driven (TUI, script or test).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Speaker = Literal["trainee", "debtor", "system"]


@dataclass(frozen=True, init=False)
class Turn:
    n: int
    speaker: Speaker
    text: str
    acts: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    kind: str | None = None  # system turns: what happened (send_documents, note, call_start...)
    rule: str | None = None  # debtor turns: the persona rule that replied
    stage: str | None = None  # debtor turns: the stage after the reply
    meters: tuple[tuple[str, float], ...] = ()  # debtor turns: meters after the reply
    in_call: bool = True  # False for preparation before the call connected
    slots: tuple[tuple[str, Any], ...] = ()  # trainee turns: amounts, invoice numbers, dates...

    def __init__(
        self,
        n: int,
        speaker: Speaker,
        text: str,
        acts: tuple[str, ...] = (),
        events: tuple[str, ...] = (),
        tags: tuple[str, ...] = (),
        kind: str | None = None,
        rule: str | None = None,
        stage: str | None = None,
        meters: tuple[tuple[str, float], ...] = (),
        in_call: bool = True,
        slots: tuple[tuple[str, Any], ...] = (),
    ) -> None:
        # The generated frozen __init__ sets each of the 12 fields through object.__setattr__;
        # a call makes some 18 turns, and filling the instance dict at once halves their cost.
        # tests/test_transcript.py keeps this signature in step with the fields.
        self.__dict__.update(
            n=n, speaker=speaker, text=text, acts=acts, events=events, tags=tags, kind=kind,
            rule=rule, stage=stage, meters=meters, in_call=in_call, slots=slots,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"n": self.n, "speaker": self.speaker, "text": self.text}
        if self.speaker == "trainee":
            out["acts"] = list(self.acts)
            if self.events:
                out["events"] = list(self.events)
            out.update({k: v for k, v in self.slots if v})
        elif self.speaker == "debtor":
            out["tags"] = list(self.tags)
            out["rule"] = self.rule
            out["stage"] = self.stage
            out["meters"] = dict(self.meters)
        else:
            out["kind"] = self.kind
            out["in_call"] = self.in_call
        return out


@dataclass(frozen=True)
class Agreement:
    """Terms the debtor accepted, as the trainee offered them."""

    outcome: str
    turn: int
    total: float | None = None
    instalment: float | None = None
    instalments: int | None = None
    dates: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "turn": self.turn,
            "total": self.total,
            "instalment": self.instalment,
            "instalments": self.instalments,
            "dates": list(self.dates),
        }


@dataclass(frozen=True)
class CallRecord:
    scenario: str
    seed: int
    outcome: str
    turns: tuple[Turn, ...]
    notes: tuple[str, ...] = ()
    plans: tuple[tuple[str, str], ...] = ()  # (outcome, what the trainee will do)
    agreement: Agreement | None = None
    ended_by: Literal["trainee", "debtor"] | None = None
    finished: bool = True
    facts: frozenset[str] = field(default_factory=frozenset)
    final_stage: str | None = None
    final_meters: tuple[tuple[str, float], ...] = ()

    def trainee_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.speaker == "trainee"]

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "outcome": self.outcome,
            "finished": self.finished,
            "ended_by": self.ended_by,
            "turns": [t.to_json() for t in self.turns],
            "notes": list(self.notes),
            "plans": dict(self.plans),
            "agreement": self.agreement.to_json() if self.agreement else None,
        }
