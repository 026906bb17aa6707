"""Shared helpers for the benchmarks: the machine, the built-in library's scripts, statistics.

Every benchmark module exposes ``run() -> Section``; ``benchmarks/run.py`` prints the sections
and writes them to ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

EXAMPLES = ROOT / "examples"
LIBRARIES = ("collectsim", "rapidfuzz", "PyYAML", "pydantic", "numpy", "textual", "rich")


@dataclass
class Row:
    """One figure: what was measured, the value as text, the target (if any) and whether met."""

    name: str
    value: str
    target: str = ""
    ok: bool | None = None


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, name: str, value: str, target: str = "", ok: bool | None = None) -> None:
        self.rows.append(Row(name, value, target, ok))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def show(self) -> None:
        """Print the section on its own, for running one bench_*.py module directly."""
        for r in self.rows:
            print(f"{r.name}: {r.value}" + (f"  [{r.target} {r.ok}]" if r.target else ""))
        for n in self.notes:
            print(n)
        print(f"{self.seconds:.1f} s")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, str]:
    """CPU, cores, OS, Python and library versions, for RESULTS.md."""
    info = {
        "CPU": cpu_model(),
        "cores (os.cpu_count)": str(os.cpu_count()),
        "cores usable": str(len(os.sched_getaffinity(0)))
        if hasattr(os, "sched_getaffinity")
        else "?",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
    }
    for lib in LIBRARIES:
        try:
            info[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            info[lib] = "not installed"
    try:
        import yaml

        info["PyYAML C loader (libyaml)"] = "yes" if hasattr(yaml, "CSafeLoader") else "no"
    except ImportError:  # pragma: no cover
        pass
    return info


@contextmanager
def one_core() -> Iterator[str]:
    """Pin this process to one CPU while timing ("on one core"); restored afterwards."""
    if not hasattr(os, "sched_setaffinity"):
        yield "not pinned (no sched_setaffinity)"
        return
    before = os.sched_getaffinity(0)
    cpu = max(before)
    os.sched_setaffinity(0, {cpu})
    try:
        yield f"pinned to CPU {cpu}"
    finally:
        os.sched_setaffinity(0, before)


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


@dataclass
class Stats:
    n: int
    mean: float
    p50: float
    p99: float

    @classmethod
    def of(cls, samples: list[float]) -> Stats:
        s = sorted(samples)
        return cls(len(s), statistics.fmean(s), percentile(s, 50), percentile(s, 99))

    def us(self) -> str:
        return (
            f"p50 {self.p50 * 1e6:.1f} µs, p99 {self.p99 * 1e6:.1f} µs, "
            f"mean {self.mean * 1e6:.1f} µs"
        )


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def example_scripts() -> list[tuple[str, Path]]:
    """(scenario id, script) for every example script; the id is the longest known scenario id
    the file name starts with (``legitimate-excuse-good.txt`` -> ``legitimate-excuse``)."""
    from collectsim.loading import load_library

    lib = load_library()
    ids = sorted(lib.scenarios, key=len, reverse=True)
    out: list[tuple[str, Path]] = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        sid = next((i for i in ids if path.stem == i or path.stem.startswith(i + "-")), None)
        if sid is not None:
            out.append((sid, path))
    return out


def profile_table(fn: Callable[[], object], top: int = 8) -> str:
    """A markdown table of the functions with the most own time while running ``fn``."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    stats = pstats.Stats(prof)
    table = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in table.values()) or 1.0
    rows = sorted(table.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    lines = ["| function | calls | own time | share |", "|---|---:|---:|---:|"]
    for (file, line, name), (_, ncalls, tottime, _cum, _) in rows:
        where = f"{file.rsplit('/', 1)[-1]}:{line} {name}" if line else name
        lines.append(f"| `{where}` | {ncalls:,} | {tottime:.3f} s | {tottime / total:.0%} |")
    return "\n".join(lines)
