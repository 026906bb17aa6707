"""The one benchmark command: ``python benchmarks/run.py``.

Runs every ``bench_*`` section, prints each figure and ratio, and rewrites
``benchmarks/RESULTS.md`` with the figures and the machine they were measured on. Not a test:
targets are reported (met / MISSED), never asserted. ``--only engine,loading`` runs a subset
(RESULTS.md is then left alone unless ``--write`` is given).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_common import Section, machine  # noqa: E402

RESULTS = HERE / "RESULTS.md"


def _sections() -> dict[str, Callable[[], Section]]:
    import bench_engine
    import bench_loading
    import bench_replay
    import bench_tui

    return {
        "engine": bench_engine.run,
        "replay": bench_replay.run,
        "loading": bench_loading.run,
        "tui": bench_tui.run,
    }


def _mark(ok: bool | None) -> str:
    return "" if ok is None else ("met" if ok else "MISSED")


def print_section(sec: Section) -> None:
    print(f"\n== {sec.title} ({sec.seconds:.1f} s)")
    width = max((len(r.name) for r in sec.rows), default=0)
    for r in sec.rows:
        target = f"  [target {r.target}: {_mark(r.ok)}]" if r.target else ""
        print(f"  {r.name:<{width}}  {r.value}{target}")
    for n in sec.notes:
        print("  note: " + n.replace("\n", "\n        "))
    sys.stdout.flush()


def markdown(sections: list[Section], info: dict[str, str], total: float) -> str:
    out = [
        "# Benchmark results",
        "",
        "Written by `python benchmarks/run.py` (do not edit by hand; re-run it instead). "
        "Figures are from one run on the machine below; ratios compare against a baseline "
        "measured in the same run. Timings on a shared 2-core machine are noisy: compare p50s "
        "and ratios rather than single means.",
        "",
        f"Run on {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}, "
        f"{total:.0f} s in total.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in info.items()),
    ]
    for sec in sections:
        out += ["", f"## {sec.title}", ""]
        if sec.rows:
            out += ["| figure | value | target |", "|---|---|---|"]
            for r in sec.rows:
                target = f"{r.target} — **{_mark(r.ok)}**" if r.target else ""
                out.append(f"| {r.name} | {r.value} | {target} |")
            out.append("")
        for n in sec.notes:
            out += [n, ""]
        out.append(f"_Section time: {sec.seconds:.1f} s._")
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="comma-separated sections: engine,replay,loading,tui")
    parser.add_argument("--write", action="store_true", help="write RESULTS.md even with --only")
    args = parser.parse_args(argv)
    available = _sections()
    chosen = list(available) if not args.only else [s.strip() for s in args.only.split(",")]
    unknown = [s for s in chosen if s not in available]
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)} (known: {', '.join(available)})")
    info = machine()
    print("Machine: " + "; ".join(f"{k}: {v}" for k, v in info.items()))
    start = time.perf_counter()
    results: list[Section] = []
    for name in chosen:
        t0 = time.perf_counter()
        try:
            sec = available[name]()
        except Exception as exc:
            sec = Section(f"{name} (failed)")
            sec.note(f"the section raised {type(exc).__name__}: {exc}")
            sec.note("```\n" + traceback.format_exc(limit=6).rstrip() + "\n```")
        sec.seconds = sec.seconds or time.perf_counter() - t0
        results.append(sec)
        print_section(sec)
    total = time.perf_counter() - start
    print(f"\nTotal: {total:.1f} s")
    if not args.only or args.write:
        RESULTS.write_text(markdown(results, info, total), encoding="utf-8")
        print(f"Wrote {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
