"""Crash safety with real processes: `kill -9` mid-call loses no committed turn and leaves an
unfinished attempt that resumes exactly; two processes recording at once corrupt nothing.

Each test runs on SQLite, and on PostgreSQL when COLLECTSIM_TEST_PG is set.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from collectsim.engine import CallSession
from collectsim.script import parse_script, run_steps
from collectsim.store import Recorder, Store
from collectsim.store.testing import SKIP_REASON, pg_admin_url, scratch_database

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "examples" / "legitimate-excuse-good.txt"
SCENARIO = "legitimate-excuse"

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql", marks=pytest.mark.skipif(pg_admin_url() is None, reason=SKIP_REASON)
    ),
]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    with scratch_database(request.param, tmp_path) as url:
        Store(url).close()  # migrate once, so the children race on data, not on creating tables
        yield url


@pytest.fixture(scope="module")
def loaded():
    from collectsim.loading import load_library, resolve_scenario

    return resolve_scenario(SCENARIO, load_library())


def _child(tmp_path: Path, code: str, *args: str) -> subprocess.Popen:
    script = tmp_path / f"child_{len(list(tmp_path.glob('child_*')))}.py"
    script.write_text(textwrap.dedent(code))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env, bufsize=1,
    )


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _integrity_ok(store: Store) -> None:
    if store.dialect == "sqlite":
        with store._engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


CALLER = """
    import sys
    from collectsim.engine import CallSession
    from collectsim.loading import load_library, resolve_scenario
    from collectsim.script import parse_script
    from collectsim.store import Recorder, Store

    url, script, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = Store(url)
    loaded = resolve_scenario("legitimate-excuse", load_library())
    rec = Recorder.start(store, CallSession(loaded, seed=seed), trainee="ana")
    print("attempt", rec.attempt_id, flush=True)
    for step in parse_script(open(script, encoding="utf-8").read()):
        if step.action is None:
            rec.say(step.text)
        else:
            rec.act(step.action, step.text)
        print("committed", len(rec.session.turns), flush=True)
        sys.stdin.readline()  # the trainee thinks; the parent decides when to kill
"""


@pytest.mark.parametrize("after_steps", [1, 7])
def test_kill_9_mid_call_keeps_every_turn_and_resumes(db_url, tmp_path, loaded, after_steps):
    proc = _child(tmp_path, CALLER, db_url, str(GOOD), "5")
    try:
        assert proc.stdout.readline().split()[0] == "attempt", proc.stderr.read()
        committed = 0
        for _ in range(after_steps):
            line = proc.stdout.readline()
            assert line.startswith("committed"), line + proc.stderr.read()
            committed = int(line.split()[1])
            if _ < after_steps - 1:
                proc.stdin.write("\n")
                proc.stdin.flush()
    finally:
        _kill(proc)  # mid-call: the child is waiting for its next line

    steps = parse_script(GOOD.read_text())
    with Store(db_url) as store:
        _integrity_ok(store)
        (info,) = store.attempts()
        assert info.status == "unfinished" and info.turn_count == committed
        partial = CallSession(loaded, seed=5)
        run_steps(partial, steps[:after_steps])
        assert store.turns(info.id) == partial.turns  # every turn, exactly

        rec = Recorder.resume(store, info.id, loaded)
        for step in steps[after_steps:]:
            (rec.say(step.text) if step.action is None else rec.act(step.action, step.text))
        rec.hang_up()
        record = rec.finish(None)
        whole = CallSession(loaded, seed=5)
        run_steps(whole, steps)
        whole.hang_up()
        assert record.turns == tuple(whole.turns)
        assert store.attempt(info.id).finished


WRITER = """
    import sys
    from collectsim.store import Store
    from collectsim.transcript import Turn

    store = Store(sys.argv[1])
    aid = store.start_attempt(trainee="ana", scenario="s", content_hash="h", seed=0)
    print(aid, flush=True)
    n = 0
    while True:
        n += 1
        store.add_turn(aid, Turn(n=n, speaker="trainee", text=f"line {n} " + "x" * 500,
                                 acts=("greet",)))
        print(n, flush=True)
"""


def test_kill_9_while_writing_loses_nothing_committed(db_url, tmp_path):
    """Killed at an arbitrary point of a write: the turns form an unbroken 1..m with m at least
    the last one reported committed, the database is intact, and it takes writes again."""
    for round_ in range(3):
        proc = _child(tmp_path, WRITER, db_url)
        try:
            aid = int(proc.stdout.readline())
            last = 0
            for _ in range(20 + 15 * round_):
                last = int(proc.stdout.readline())
        finally:
            _kill(proc)
        with Store(db_url) as store:
            _integrity_ok(store)
            ns = [t.n for t in store.turns(aid)]
            assert ns == list(range(1, len(ns) + 1))
            assert len(ns) >= last
            assert store.attempt(aid).status == "unfinished"
            store.add_turn(aid, store.turns(aid)[0].__class__(n=len(ns) + 1, speaker="system",
                                                               text="after the crash"))


RACER = """
    import sys
    from collectsim.store import Store
    from collectsim.transcript import CallRecord, Turn

    url, who, attempts, turns = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    print("ready", flush=True)
    sys.stdin.readline()
    store = Store(url)  # on a new database both processes race to create the tables too
    for k in range(attempts):
        aid = store.start_attempt(trainee=who, scenario=f"s{k % 2}", content_hash="h", seed=k)
        made = []
        for n in range(1, turns + 1):
            t = Turn(n=n, speaker="trainee" if n % 2 else "debtor", text=f"{who} {k} {n}")
            store.add_turn(aid, t)
            made.append(t)
        record = CallRecord(scenario=f"s{k % 2}", seed=k, outcome="callback", turns=tuple(made))
        store.finish(aid, record, {"scores": {"overall": k}, "flags": [], "findings": [
            {"dimension": "close", "criterion": "c", "id": "c", "points": -5, "turn": 1,
             "evidence": "", "tip": ""}]})
    print("done", flush=True)
"""


@pytest.fixture(params=BACKENDS)
def new_db_url(request, tmp_path):
    with scratch_database(request.param, tmp_path) as url:
        yield url


def test_two_processes_recording_at_once(new_db_url, tmp_path):
    db_url = new_db_url
    attempts, turns = 6, 15
    procs = [_child(tmp_path, RACER, db_url, who, str(attempts), str(turns))
             for who in ("ana", "bo")]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
        for p in procs:  # start both at once
            p.stdin.write("go\n")
            p.stdin.flush()
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            assert out.strip() == "done"
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    with Store(db_url) as store:
        _integrity_ok(store)
        infos = store.attempts()
        assert len(infos) == 2 * attempts and len({a.id for a in infos}) == 2 * attempts
        for a in infos:
            assert a.finished and a.turn_count == turns
            texts = [t.text for t in store.turns(a.id)]
            assert all(t.startswith(a.trainee + " ") for t in texts)  # nobody's turns mixed in
        summary = store.summary()
        assert [(g.trainee, g.attempts, g.scored) for g in summary.by_trainee] == [
            ("ana", attempts, attempts), ("bo", attempts, attempts)]
        assert summary.by_trainee[0].lost[0].attempts == attempts
