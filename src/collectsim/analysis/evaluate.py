"""Per-act precision/recall/F1 of an analyser over a labelled set of lines.

Shared by ``tests/test_analysis.py`` (a macro-F1 floor) and ``benchmarks/act_accuracy.py`` (the
table), so both measure the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from collectsim.acts import ACTS

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class ActScore:
    """Counts for one act; precision/recall are 1.0 when undefined (no predictions/labels)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    """Scores per act plus the lines that went wrong (for debugging, not for tuning to)."""

    scores: dict[str, ActScore]
    errors: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)
    lines: int = 0

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the acts that occur in the labels or the predictions."""
        used = [s for s in self.scores.values() if s.tp + s.fp + s.fn]
        return sum(s.f1 for s in used) / len(used) if used else 1.0

    def table(self) -> str:
        """A markdown table of the scores."""
        rows = ["| act | n | precision | recall | F1 |", "|---|---:|---:|---:|---:|"]
        for act in ACTS:
            s = self.scores[act]
            rows.append(
                f"| {act} | {s.tp + s.fn} | {s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} |"
            )
        rows.append(f"| **macro-F1** | {self.lines} lines | | | **{self.macro_f1:.3f}** |")
        return "\n".join(rows)


def load_labelled(path: Path) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Splits (e.g. ``dev``, ``heldout``) of (text, expected acts) from the YAML file."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    return {
        split: [(item["text"], tuple(item.get("acts") or ())) for item in items]
        for split, items in data.items()
    }


def evaluate(
    lines: Iterable[tuple[str, tuple[str, ...]]], acts_of: Callable[[str], tuple[str, ...]]
) -> Report:
    """Score ``acts_of`` (e.g. ``lambda t: analyse(t).acts``) against the labels."""
    report = Report({act: ActScore() for act in ACTS})
    for text, expected in lines:
        got = acts_of(text)
        report.lines += 1
        for act in set(got) | set(expected):
            score = report.scores[act]
            if act in got and act in expected:
                score.tp += 1
            elif act in got:
                score.fp += 1
            else:
                score.fn += 1
        if set(got) != set(expected):
            report.errors.append((text, tuple(expected), tuple(got)))
    return report
