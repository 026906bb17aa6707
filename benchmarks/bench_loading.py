"""Loading 1,000 generated scenario files: time per file with the C loader (libyaml) and with the
pure-Python loader, against a bare ``yaml.load`` of the same bytes as the in-run baseline.

The scenarios are variations of the built-in ``legitimate-excuse`` scenario (1-5 invoices, 0-6
payments, contacts, authority and overrides), written to a temporary folder. The pure-Python run
swaps ``collectsim.yamlio.Loader`` for ``yaml.SafeLoader`` for its duration only.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_common import ROOT, Section, Stats, one_core

FILES = 1_000
PY_FILES = 100  # the pure-Python loader is ~10x slower: a sample keeps the run short
TARGET_MS = 1.0


def _variant(base: dict[str, Any], i: int, rng: random.Random) -> dict[str, Any]:
    data = dict(base)
    data["id"] = f"generated-{i:04d}"
    data["title"] = f"Generated scenario {i}: {rng.choice(['late', 'partial', 'disputed'])} payer"
    data["order"] = i
    case = dict(data["case"])
    invoices = []
    for k in range(rng.randint(1, 5)):
        invoices.append(
            {
                "number": f"{rng.randint(1000, 9999)}-{k}",
                "amount": round(rng.uniform(100, 20_000), 2),
                "currency": "USD",
                "issued": f"2026-{rng.randint(1, 9):02d}-{rng.randint(1, 28):02d}",
                "due": f"2026-{rng.randint(10, 12):02d}-{rng.randint(1, 28):02d}",
                "description": rng.choice(
                    ["Valves and kits", "Consulting, phase 2", "Spare parts"]
                ),
            }
        )
    case["invoices"] = invoices
    case["payments"] = [
        {
            "date": f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            "amount": round(rng.uniform(50, 2_000), 2),
            "reference": f"REF-{rng.randint(1, 999)}",
            "method": "bank transfer",
        }
        for _ in range(rng.randint(0, 6))
    ]
    data["case"] = case
    data["authority"] = {
        "full_payment": True,
        "plan": {"max_months": rng.randint(2, 12), "min_instalment": rng.randint(50, 500)},
    }
    return data


def write_scenarios(folder: Path, n: int = FILES) -> list[Path]:
    """N scenario files in ``folder`` (returned in order)."""
    import yaml

    base = yaml.safe_load((ROOT / "scenarios" / "legitimate-excuse.yaml").read_text("utf-8"))
    rng = random.Random(1)
    paths = []
    for i in range(n):
        path = folder / f"generated-{i:04d}.yaml"
        text = "# generated for benchmarks/bench_loading.py\n" + yaml.safe_dump(
            _variant(base, i, rng), sort_keys=False, allow_unicode=True
        )
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _time_each(paths: list[Path], fn: Any) -> list[float]:
    samples = []
    perf = time.perf_counter
    for p in paths:
        t0 = perf()
        fn(p)
        samples.append(perf() - t0)
    return samples


def run() -> Section:
    import yaml

    from collectsim import yamlio
    from collectsim.loading import load_scenario_file

    sec = Section("Loading generated scenario files")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="collectsim-bench-") as tmp:
        paths = write_scenarios(Path(tmp))
        size = sum(p.stat().st_size for p in paths) / len(paths)
        c_loader = getattr(yaml, "CSafeLoader", None)
        with one_core() as pinned:
            for p in paths[:50]:  # warm-up: imports, pydantic adapters
                load_scenario_file(p)
            bare = (
                _time_each(paths, lambda p: yaml.load(p.read_bytes(), Loader=c_loader))
                if c_loader
                else []
            )
            yaml_only = _time_each(paths, lambda p: yamlio.load_yaml(p.read_bytes(), p.name))
            full = _time_each(paths, load_scenario_file)
            saved = (yamlio.Loader, getattr(yamlio, "_C_LOADER", None))
            yamlio.Loader = yaml.SafeLoader
            if saved[1] is not None:
                yamlio._C_LOADER = False
            try:
                py_full = _time_each(paths[:PY_FILES], load_scenario_file)
                py_bare = _time_each(
                    paths[:PY_FILES], lambda p: yaml.load(p.read_bytes(), Loader=yaml.SafeLoader)
                )
            finally:
                yamlio.Loader = saved[0]
                if saved[1] is not None:
                    yamlio._C_LOADER = saved[1]
    f, y, pf = Stats.of(full), Stats.of(yaml_only), Stats.of(py_full)
    ms = f.p50 * 1e3  # the verdict uses p50: means on a shared machine carry its noise
    sec.add(
        "per file, C loader (load_scenario_file)",
        f"p50 {ms:.2f} ms, mean {f.mean * 1e3:.2f} ms, p99 {f.p99 * 1e3:.2f} ms",
        f"< {TARGET_MS:g} ms",
        ms < TARGET_MS,
    )
    sec.add(
        "per file, C loader, YAML + marks only (yamlio.load_yaml)",
        f"mean {y.mean * 1e3:.2f} ms, p50 {y.p50 * 1e3:.2f} ms",
    )
    if bare:
        b = Stats.of(bare)
        sec.add(
            "baseline: bare yaml.load(CSafeLoader) per file",
            f"mean {b.mean * 1e3:.2f} ms (load_scenario_file is {f.mean / b.mean:.1f}×, "
            f"load_yaml {y.mean / b.mean:.1f}×)",
        )
    sec.add(
        "per file, pure-Python loader (load_scenario_file)",
        f"mean {pf.mean * 1e3:.2f} ms, p50 {pf.p50 * 1e3:.2f} ms "
        f"({pf.mean / f.mean:.1f}× the C loader)",
    )
    pb = Stats.of(py_bare)
    sec.add("baseline: bare yaml.load(SafeLoader) per file", f"mean {pb.mean * 1e3:.2f} ms")
    sec.add("1,000 files with the C loader, total", f"{sum(full):.2f} s")
    sec.note(
        f"{FILES:,} files of {size:,.0f} bytes on average (pure-Python: first {PY_FILES}); "
        f"includes reading each file; {pinned}."
    )
    sec.seconds = time.perf_counter() - start
    return sec


if __name__ == "__main__":
    run().show()
