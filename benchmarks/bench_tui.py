"""TUI cold start to first screen and peak RSS, each in a fresh interpreter.

If the TUI engineer's ``benchmarks/tui_start.py`` exists it is run as well and its output quoted.
Our own probe (``python benchmarks/bench_tui.py --probe``) starts ``collectsim.tui.app.make_app``
headless with ``App.run_test``, waits for the first screen to be mounted and idle, then drives a
short session (a few key presses on the home screen) and exits. A wrapper interpreter spawns the
probe and reports ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` so the figure is the probe's
own peak. Cold start is measured from just before the probe is spawned (interpreter start,
imports, library load, first mount and paint).
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

from bench_common import ROOT, Section

RUNS = 2
TIMEOUT = 60
HERE = Path(__file__).resolve().parent
THEIRS = HERE / "tui_start.py"

_WRAPPER = """
import json, resource, subprocess, sys, time
t0 = time.time()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=TIMEOUT)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"t0": t0, "rc": proc.returncode, "peak_kb": peak,
                  "stdout": proc.stdout[-4000:], "stderr": proc.stderr[-2000:]}))
""".replace("TIMEOUT", str(TIMEOUT))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    tmp = tempfile.mkdtemp(prefix="collectsim-tui-bench-")
    env["COLLECTSIM_DATA_DIR"] = tmp
    env["COLLECTSIM_DB"] = str(Path(tmp) / "records.db")
    env.pop("COLLECTSIM_LIBRARY", None)
    return env


def _wrapped(cmd: list[str]) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *cmd],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
        timeout=TIMEOUT + 30,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr else "wrapper failed")
    return json.loads(out.stdout)


def probe() -> None:
    """Runs in the child: first screen, a short session, then print timings as JSON."""
    import asyncio

    t_import = time.time()
    from collectsim.tui.app import make_app

    t_imported = time.time()
    app = make_app(data_dir=Path(os.environ.get("COLLECTSIM_DATA_DIR", tempfile.mkdtemp())))

    async def main() -> dict[str, object]:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            first = time.time()
            screen = type(app.screen).__name__
            keys_ok = True
            try:
                for key in ("down", "enter", "tab", "enter"):
                    await pilot.press(key)
                    await pilot.pause()
            except Exception:
                keys_ok = False
            after = type(app.screen).__name__
            return {
                "first_screen": first,
                "screen": screen,
                "after_keys": after,
                "keys_ok": keys_ok,
            }

    result = asyncio.run(main())
    result.update({"import_start": t_import, "imported": t_imported})
    print("PROBE " + json.dumps(result), flush=True)


def run() -> Section:
    sec = Section("TUI cold start and memory")
    start = time.perf_counter()
    try:
        import collectsim.tui.app  # noqa: F401
    except Exception as exc:
        sec.note(
            f"skipped: the TUI cannot be imported yet ({type(exc).__name__}: {exc}); "
            "re-run `python benchmarks/run.py` once it lands."
        )
        return sec
    colds, peaks, imports = [], [], []
    screen = after = ""
    for _ in range(RUNS):
        res = _wrapped([sys.executable, str(Path(__file__).resolve()), "--probe"])
        line = next((x for x in str(res["stdout"]).splitlines() if x.startswith("PROBE ")), None)
        if res["rc"] != 0 or line is None:
            err = str(res["stderr"]).strip().splitlines()
            sec.note(f"probe failed (exit {res['rc']}): {err[-1] if err else 'no output'}")
            sec.seconds = time.perf_counter() - start
            return sec
        data = json.loads(line[6:])
        colds.append(data["first_screen"] - res["t0"])
        imports.append(data["imported"] - data["import_start"])
        peaks.append(int(res["peak_kb"]) / 1024)
        screen, after = data["screen"], data["after_keys"]
    bare = [_wrapped([sys.executable, "-c", "import textual.app"])]
    bare_peak = statistics.median(int(b["peak_kb"]) for b in bare) / 1024
    cold = statistics.median(colds)
    sec.add(
        "cold start to first screen (median)",
        f"{cold:.2f} s (min {min(colds):.2f} s, max {max(colds):.2f} s)",
        "",
        None,
    )
    sec.add("of which importing collectsim.tui.app", f"{statistics.median(imports):.2f} s")
    sec.add(
        "peak RSS of a TUI session",
        f"{statistics.median(peaks):.0f} MiB "
        f"({statistics.median(peaks) / bare_peak:.1f}× a bare `import textual.app`, "
        f"{bare_peak:.0f} MiB)",
    )
    sec.note(
        f"probe: make_app() under App.run_test(size=(120, 40)), first screen `{screen}`, "
        f"then down/enter/tab/enter (ended on `{after}`); {RUNS} runs, each in a fresh "
        "interpreter; RSS from getrusage(RUSAGE_CHILDREN).ru_maxrss in a wrapper process."
    )
    if THEIRS.exists():
        res = _wrapped([sys.executable, str(THEIRS)])
        text = str(res["stdout"]).strip() or str(res["stderr"]).strip()
        sec.add(
            "benchmarks/tui_start.py (TUI engineer's)",
            f"exit {res['rc']}, peak RSS {int(res['peak_kb']) / 1024:.0f} MiB",
        )
        sec.note("tui_start.py said:\n\n```\n" + "\n".join(text.splitlines()[-15:]) + "\n```")
    else:
        sec.note("benchmarks/tui_start.py is not there yet: only our own probe ran.")
    sec.seconds = time.perf_counter() - start
    return sec


if __name__ == "__main__":
    if "--probe" in sys.argv:
        probe()
    else:
        run().show()
