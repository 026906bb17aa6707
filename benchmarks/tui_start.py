"""Cold start of the TUI to its first screen, against a bare Textual app in the same run.

Each sample is a fresh interpreter (nothing cached in memory) that builds the app headless with
``App.run_test`` and stops the clock when the first screen has been mounted and refreshed once
(a ``call_after_refresh`` from its ``on_mount``). Two figures per
sample: *wall* (from just before the interpreter is spawned: interpreter start, imports, CSS,
first mount) and *in-process* (from the child's first line: imports and mount only). The
baseline is a bare ``textual.app.App`` showing one ``Static``; the ratio says what collectsim
adds on top of Textual itself. The library loads in a worker after the first screen; its
finish time is reported separately. Usage: ``python benchmarks/tui_start.py [RUNS]``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.5  # seconds, issue 4: cold start to the first screen on the CI machine

CHILD = r"""
import time
T0 = time.perf_counter()
import asyncio, json, sys, tempfile
from pathlib import Path
kind = sys.argv[1]
FIRST = []


def painted():
    FIRST.append(time.perf_counter() - T0)


if kind == "baseline":
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("hello")

        def on_mount(self):
            self.call_after_refresh(painted)

    app = Bare()
else:
    from collectsim.tui.app import make_app
    from collectsim.tui.screens.home import HomeScreen

    mount = HomeScreen.on_mount

    def on_mount(self):
        mount(self)
        self.call_after_refresh(painted)

    HomeScreen.on_mount = on_mount
    app = make_app(data_dir=Path(tempfile.mkdtemp()), speaking_pace=0)


async def main():
    out = {}
    async with app.run_test(size=(120, 40)) as pilot:
        while not FIRST:
            await asyncio.sleep(0.001)
        out["first"] = FIRST[0]
        out["screen"] = type(app.screen).__name__
        if kind != "baseline":
            await app.workers.wait_for_complete()
            await pilot.pause()
            out["library"] = time.perf_counter() - T0
            out["scenarios"] = len(app.scenario_rows())
    return out


res = asyncio.run(main())
res["wall_end"] = time.time()
print(json.dumps(res))
"""


def sample(kind: str) -> dict[str, float]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env["COLLECTSIM_DATA_DIR"] = tempfile.mkdtemp(prefix="collectsim-tui-start-")
    # The app opens the records in a worker after the first frame: never the user's own.
    env["COLLECTSIM_DB"] = str(Path(env["COLLECTSIM_DATA_DIR"]) / "records.db")
    env.pop("COLLECTSIM_LIBRARY", None)
    t0 = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, kind],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{proc.stderr[-2000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    # The child's T0 is its first line; the wall figure adds interpreter start-up. The child
    # reports wall_end when it is done, so first-screen wall time is estimated as spawn-to-T0
    # plus the in-process time to the first screen.
    spawn = (res["wall_end"] - t0) - (res.get("library") or res["first"])
    res["wall_first"] = max(0.0, spawn) + res["first"]
    return res


def main(runs: int = 7) -> int:
    for kind in ("baseline", "collectsim"):
        sample(kind)  # warm the OS file cache once: "cold" means a fresh interpreter
    rows: dict[str, list[dict[str, float]]] = {"baseline": [], "collectsim": []}
    for _ in range(runs):
        for kind in rows:  # interleaved so drift in machine load hits both alike
            rows[kind].append(sample(kind))

    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in rows[kind] if key in r)

    base_in, app_in = med("baseline", "first"), med("collectsim", "first")
    base_wall, app_wall = med("baseline", "wall_first"), med("collectsim", "wall_first")
    print(f"TUI cold start to the first screen, median of {runs} fresh interpreters (seconds)")
    print(f"{'':24}{'in-process':>12}{'wall':>10}")
    print(f"{'bare Textual app':24}{base_in:>12.3f}{base_wall:>10.3f}")
    print(f"{'collectsim home screen':24}{app_in:>12.3f}{app_wall:>10.3f}")
    print(f"{'ratio':24}{app_in / base_in:>12.2f}{app_wall / base_wall:>10.2f}")
    lib = med("collectsim", "library")
    n = int(rows["collectsim"][0].get("scenarios", 0))
    print(f"library loaded in the background by {lib:.3f} s ({n} scenarios)")
    ok = app_wall < TARGET
    print(f"target < {TARGET} s wall: {'met' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 7))
