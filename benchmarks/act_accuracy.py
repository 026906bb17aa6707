"""Per-act precision/recall/F1 and macro-F1 of the act analyser over the labelled lines.

Run: ``python benchmarks/act_accuracy.py [--errors] [--split dev|heldout|all]``. Also prints the
time per line (typical and p99), measured on the labelled lines after a warm-up.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from collectsim.analysis import default_analyser  # noqa: E402
from collectsim.analysis.evaluate import evaluate, load_labelled  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "labelled_lines.yaml"


def timing(texts: list[str], rounds: int = 20) -> tuple[float, float]:
    """(median, p99) microseconds per line; corrections are cached after the first round."""
    analyser = default_analyser()
    for text in texts:
        analyser.analyse(text)
    samples: list[float] = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            analyser.analyse(text)
            samples.append((time.perf_counter() - start) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="list the mislabelled lines")
    parser.add_argument("--split", default="all", help="dev, heldout or all (each separately)")
    args = parser.parse_args()
    splits = load_labelled(LABELLED)
    analyser = default_analyser()
    names = list(splits) if args.split == "all" else [args.split]
    for name in [*names, *(["combined"] if args.split == "all" else [])]:
        lines = (
            [x for items in splits.values() for x in items] if name == "combined" else splits[name]
        )
        report = evaluate(lines, lambda t: analyser.analyse(t).acts)
        print(f"\n### {name}\n")
        print(report.table())
        if args.errors:
            for text, expected, got in report.errors:
                print(f"- {text!r}: expected {list(expected)}, got {list(got)}")
    texts = [t for items in splits.values() for t, _ in items]
    median, p99 = timing(texts)
    print(f"\ntime per line: median {median:.0f} µs, p99 {p99:.0f} µs ({len(texts)} lines)")


if __name__ == "__main__":
    main()
