"""The attempt store on SQLite and (with COLLECTSIM_TEST_PG) PostgreSQL: writing, reading,
resuming, history, the team summary, migrations, and the CLI commands built on it."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from collectsim.cli import main
from collectsim.engine import CallSession
from collectsim.script import parse_script, run_steps
from collectsim.store import (
    SCHEMA_VERSION,
    AttemptNotFound,
    Recorder,
    ResumeError,
    SchemaTooNew,
    Store,
    StoreError,
    current_version,
    migrate,
)
from collectsim.store import db as store_db
from collectsim.store.schema import metadata
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


@pytest.fixture(autouse=True)
def _trainee(monkeypatch):
    """A known default trainee; conftest's _hermetic already points COLLECTSIM_DB at tmp."""
    monkeypatch.setenv("COLLECTSIM_TRAINEE", "tester")


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    with scratch_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(db_url):
    with Store(db_url) as s:
        yield s


@pytest.fixture(scope="module")
def loaded():
    from collectsim.loading import load_library, resolve_scenario

    return resolve_scenario(SCENARIO, load_library())


def _card(overall: int, empathy: int, lost: tuple[str, ...] = ()) -> dict:
    findings = [
        {"dimension": "empathy", "criterion": f"label {c}", "id": c, "points": -10, "turn": 3,
         "evidence": "e", "tip": f"tip {c}"}
        for c in lost
    ]
    findings.append({"dimension": "close", "criterion": "closed", "id": "closed", "points": 20,
                     "turn": 5, "evidence": "bye", "tip": ""})
    return {"scores": {"overall": overall, "empathy": empathy}, "flags": [], "findings": findings}


def _played(loaded, seed: int = 0):
    session = CallSession(loaded, seed=seed)
    run_steps(session, parse_script(GOOD.read_text()))
    session.hang_up()
    return session.record()


def _add_attempt(store, loaded, *, trainee="ana", card=None, seed=0, when=None) -> int:
    record = _played(loaded, seed)
    aid = store.start_attempt(trainee=trainee, scenario=record.scenario,
                              content_hash=loaded.content_hash, seed=seed, started_at=when)
    store.finish(aid, record, card)
    return aid


# --- writing and reading ---


def test_turns_read_back_exactly_as_made(store, loaded):
    record = _played(loaded, seed=4)
    aid = store.start_attempt(trainee="ana", scenario=SCENARIO, content_hash=loaded.content_hash,
                              seed=4)
    for turn in record.turns:
        store.add_turn(aid, turn)
    assert store.turns(aid) == list(record.turns)
    info = store.attempts()[0]
    assert (info.status, info.turn_count, info.outcome) == ("unfinished", len(record.turns), None)

    store.finish(aid, record, _card(80, 70))
    a = store.attempt(aid)
    assert a.finished and a.outcome == record.outcome and a.ended_by == "trainee"
    assert a.scores == {"overall": 80, "empathy": 70}
    assert a.turns == record.turns
    assert list(a.notes) == list(record.notes) and dict(a.plans) == dict(record.plans)
    assert a.started_at.tzinfo is not None and a.ended_at >= a.started_at
    assert [t.kind for t in a.prep] == ["send_documents", "check_payments", "plan", "plan"]
    assert a.record().turns == record.turns


def test_finish_stores_the_turns_not_yet_committed(store, loaded):
    record = _played(loaded)
    aid = store.start_attempt(trainee="ana", scenario=SCENARIO, content_hash="h", seed=0)
    store.add_turns(aid, record.turns[:5])
    store.finish(aid, record, None)
    assert store.attempt(aid).turns == record.turns


def test_mistakes_are_refused_with_a_reason(store, loaded):
    record = _played(loaded)
    aid = store.start_attempt(trainee="ana", scenario=SCENARIO, content_hash="h", seed=0)
    store.add_turn(aid, record.turns[0])
    with pytest.raises(StoreError):
        store.add_turn(aid, record.turns[0])  # the same turn twice
    store.finish(aid, record, None)
    with pytest.raises(StoreError, match="already finished"):
        store.finish(aid, record, None)
    with pytest.raises(AttemptNotFound):
        store.attempt(999)
    with pytest.raises(StoreError, match="mode"):
        store.start_attempt(trainee="ana", scenario="x", content_hash="h", seed=0, mode="exam")
    with pytest.raises(StoreError, match="'last'"):
        store.resolve("first")


def test_last_and_mode(store, loaded):
    a1 = _add_attempt(store, loaded, trainee="ana")
    a2 = _add_attempt(store, loaded, trainee="bo")
    assert store.resolve("last") == a2
    assert store.resolve("last", trainee="ana") == a1
    assert store.resolve(str(a1)) == a1
    aid = store.start_attempt(trainee="ana", scenario="x", content_hash="h", seed=0,
                              mode="assessment")
    assert [a.id for a in store.attempts(mode="assessment")] == [aid]
    assert store.trainees() == ["ana", "bo"]


def test_delete_trainee(store, loaded):
    _add_attempt(store, loaded, trainee="ana", card=_card(50, 50, ("x",)))
    keep = _add_attempt(store, loaded, trainee="bo", card=_card(50, 50))
    assert store.delete_trainee("ana") == 1
    assert [a.id for a in store.attempts()] == [keep]
    assert store.summary().by_trainee[0].trainee == "bo"


# --- steps and resuming ---

EVERY_ACTION = """\
/send-documents
/check-payments
/plan payment_plan: confirm by email
/note before the call
Hi, this is Sam from Northwind Supplies. Am I speaking with Jordan Reyes?
/wait
/interrupt Sorry, I'm calling about invoice 4471.
/hold
/note during: line with "quotes" & <angle>
You've always paid us on time, so I wanted to ask what's happened this time?
/end
"""


@pytest.mark.parametrize("seed", [0, 7])
def test_steps_replay_to_the_same_call(store, loaded, seed):
    steps = parse_script(EVERY_ACTION)
    rec = Recorder.start(store, CallSession(loaded, seed=seed), trainee="ana")
    for step in steps:
        if rec.ended:
            break
        (rec.say(step.text) if step.action is None else rec.act(step.action, step.text))
    stored = store.steps(rec.attempt_id)
    assert [str(s) for s in stored] == [str(s) for s in steps][: len(stored)]
    again = CallSession(loaded, seed=seed)
    run_steps(again, stored)
    assert again.turns == list(store.turns(rec.attempt_id))


def test_resume_continues_a_cut_off_call(store, loaded):
    steps = parse_script(GOOD.read_text())
    first = Recorder.start(store, CallSession(loaded, seed=3), trainee="ana")
    for step in steps[:7]:
        (first.say(step.text) if step.action is None else first.act(step.action, step.text))
    del first  # the process "dies": nothing but the store remains

    rec = Recorder.resume(store, store.resolve("last"), loaded)
    assert rec.session.turns == store.turns(rec.attempt_id)
    for step in steps[7:]:
        (rec.say(step.text) if step.action is None else rec.act(step.action, step.text))
    rec.hang_up()
    record = rec.finish(_card(90, 90))

    whole = CallSession(loaded, seed=3)
    run_steps(whole, steps)
    whole.hang_up()
    assert record.turns == tuple(whole.turns)  # as if never interrupted
    assert store.attempt(rec.attempt_id).finished
    with pytest.raises(ResumeError, match="finished"):
        Recorder.resume(store, rec.attempt_id, loaded)


def test_resume_refuses_changed_scenario_files(store, loaded):
    aid = store.start_attempt(trainee="ana", scenario=SCENARIO, content_hash="0" * 64, seed=0)
    with pytest.raises(ResumeError, match="changed"):
        Recorder.resume(store, aid, loaded)


def test_an_unfinished_call_can_be_scored_as_it_stands(store, loaded):
    rec = Recorder.start(store, CallSession(loaded, seed=1), trainee="ana")
    for step in parse_script(GOOD.read_text())[:6]:
        (rec.say(step.text) if step.action is None else rec.act(step.action, step.text))
    again = Recorder.resume(store, rec.attempt_id, loaded)
    record = again.finish(_card(40, 30))
    a = store.attempt(rec.attempt_id)
    assert not record.finished
    assert a.finished and a.ended_by is None and a.scores["overall"] == 40


# --- history and summary ---


def test_history_best_last_and_trend(store, loaded):
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for i, (overall, empathy) in enumerate([(40, 50), (90, 60), (70, 80)]):
        _add_attempt(store, loaded, card=_card(overall, empathy), when=t0 + dt.timedelta(days=i))
    cut = store.start_attempt(trainee="ana", scenario=SCENARIO, content_hash="h", seed=0,
                              started_at=t0 + dt.timedelta(days=5))
    _add_attempt(store, loaded, trainee="bo", card=_card(10, 10))

    h = store.history("ana")
    assert h.trainee == "ana" and h.dimensions == ("empathy", "overall")
    (s,) = h.scenarios
    assert s.attempts == 4 and s.unfinished == (cut,)
    assert s.best == {"overall": 90, "empathy": 80}
    assert s.last == {"overall": 70, "empathy": 80}
    assert s.trend("overall") == [40, 90, 70]
    assert s.last_played == t0 + dt.timedelta(days=5)
    assert store.history(None).attempts == 5


def test_team_summary(store, loaded):
    _add_attempt(store, loaded, trainee="ana", card=_card(40, 50, ("ask_reason", "summary")))
    _add_attempt(store, loaded, trainee="ana", card=_card(80, 70, ("ask_reason",)))
    _add_attempt(store, loaded, trainee="bo", card=_card(60, 90, ("summary",)))
    store.start_attempt(trainee="bo", scenario=SCENARIO, content_hash="h", seed=0)  # unfinished

    t = store.summary()
    ana, bo = t.by_trainee
    assert (ana.trainee, ana.scenario, ana.attempts, ana.scored) == ("ana", None, 2, 2)
    assert ana.average == {"overall": 60.0, "empathy": 60.0}
    assert ana.best == {"overall": 80, "empathy": 70}
    assert [(c.criterion, c.attempts) for c in ana.lost] == [("ask_reason", 2), ("summary", 1)]
    assert ana.lost[0].label == "label ask_reason"
    assert (bo.attempts, bo.scored) == (2, 1)
    (scen,) = t.by_scenario
    assert scen.attempts == 4 and scen.average["overall"] == 60.0
    assert [(c.criterion, c.attempts) for c in scen.lost] == [("ask_reason", 2), ("summary", 2)]
    assert [(g.trainee, g.scenario) for g in t.by_pair] == [("ana", SCENARIO), ("bo", SCENARIO)]
    assert store.summary(trainee="bo").by_scenario[0].attempts == 2


# --- migrations ---


def _columns(url: str) -> dict[str, set[str]]:
    engine = create_engine(url)
    try:
        insp = inspect(engine)
        return {t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names()}
    finally:
        engine.dispose()


def test_migrating_from_scratch_gives_the_declared_schema(db_url):
    Store(db_url).close()
    declared = {t.name: {c.name for c in t.columns} for t in metadata.sorted_tables}
    assert _columns(store_db.to_url(db_url)) == declared


def test_a_version_1_database_migrates_and_keeps_its_data(db_url, loaded):
    engine = store_db.create(store_db.to_url(db_url))
    try:
        assert migrate(engine, target=1) == 1
        record = _played(loaded)
        now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        with engine.begin() as conn:  # an attempt as version 1 wrote it
            aid = conn.execute(
                text(
                    "INSERT INTO attempts (trainee, scenario, content_hash, seed, mode, "
                    "app_version, started_at, ended_at, finished, outcome, ended_by, notes, "
                    "plans, agreement, scorecard) VALUES ('ana', :s, 'h', 0, 'practice', "
                    "'0.1.0', :t, :t, :f, :o, 'trainee', '[]', '{}', NULL, :card) RETURNING id"
                ),
                {"s": SCENARIO, "t": now, "f": True, "o": record.outcome,
                 "card": json.dumps(_card(55, 65, ("ask_reason",)))},
            ).scalar_one()
            conn.execute(
                text("INSERT INTO turns (attempt_id, n, speaker, text, data, at) "
                     "VALUES (:a, 1, 'trainee', 'Hello', :d, :t)"),
                {"a": aid, "d": json.dumps({"acts": ["greet"]}), "t": now},
            )
        with engine.connect() as conn:
            assert current_version(conn) == 1
    finally:
        engine.dispose()

    with Store(db_url) as store:
        assert store.schema_version == SCHEMA_VERSION
        a = store.attempt(aid)
        assert a.turns[0].text == "Hello" and a.turns[0].acts == ("greet",)
        assert a.scores == {"overall": 55, "empathy": 65}  # backfilled by version 2
        lost = store.summary().by_trainee[0].lost
        assert [(c.criterion, c.attempts) for c in lost] == [("ask_reason", 1)]
        assert store.history("ana").scenarios[0].trend("overall") == [55]


def test_a_newer_database_is_refused(db_url):
    Store(db_url).close()
    engine = store_db.create(store_db.to_url(db_url))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO schema_version VALUES (99, :t)"),
                     {"t": dt.datetime.now(dt.UTC)})
    engine.dispose()
    with pytest.raises(SchemaTooNew, match="99"):
        Store(db_url)


# --- where the store lives ---


def test_locations(tmp_path, monkeypatch):
    assert store_db.to_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert store_db.to_url("postgres://h/db") == "postgresql+psycopg://h/db"
    assert store_db.to_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    with pytest.raises(StoreError, match="unsupported"):
        store_db.to_url("mysql://h/db")
    assert store_db.display("postgresql+psycopg://u:secret@h/db") == "postgresql+psycopg://u:***@h/db"
    monkeypatch.setenv("COLLECTSIM_DB", str(tmp_path / "env.db"))
    assert store_db.resolve(None) == f"sqlite:///{tmp_path / 'env.db'}"
    assert store_db.resolve(str(tmp_path / "arg.db")).endswith("arg.db")
    monkeypatch.delenv("COLLECTSIM_DB")
    with pytest.raises(StoreError, match="pytest"):
        store_db.resolve(None)  # never the real data folder under tests
    assert store_db.default_path().name == "collectsim.db"


def test_sqlite_is_in_wal_mode_with_full_sync(tmp_path):
    with Store.open(str(tmp_path / "w.db")) as store, store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


# --- the commands ---


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_play_records_and_the_commands_read_it(db_url, capsys, tmp_path):
    code, out, _ = _run(capsys, "play", SCENARIO, "--script", str(GOOD), "--json",
                        "--db", db_url, "--trainee", "ana")
    assert code == 0
    played = json.loads(out)
    aid = played["attempt"]
    code, _, err = _run(capsys, "play", SCENARIO, "--script", str(GOOD), "--seed", "1",
                        "--db", db_url, "--trainee", "ana")
    assert code == 0 and "Recorded as attempt" in err
    code, out, _ = _run(capsys, "play", SCENARIO, "--script", str(GOOD), "--json",
                        "--db", db_url, "--no-record")
    assert "attempt" not in json.loads(out)

    code, out, _ = _run(capsys, "history", "--trainee", "ana", "--json", "--db", db_url)
    (s,) = json.loads(out)["scenarios"]
    assert s["scenario"] == SCENARIO and s["attempts"] == 2
    code, out, _ = _run(capsys, "history", "--trainee", "ana", "--db", db_url)
    assert code == 0 and SCENARIO in out and "2 attempt(s)" in out

    code, out, _ = _run(capsys, "report", str(aid), "--format", "json", "--db", db_url)
    doc = json.loads(out)
    assert doc["attempt"] == aid and doc["turns"] == played["turns"]
    assert doc["scores"] == played["scores"] and doc["findings"] == played["findings"]
    code, out, _ = _run(capsys, "report", "last", "--format", "html", "--db", db_url)
    assert out.startswith("<!DOCTYPE html>") and "Scorecard" in out
    target = tmp_path / "r.md"
    code, out, _ = _run(capsys, "report", "last", "--db", db_url, "-o", str(target))
    assert code == 0 and target.read_text().startswith("# Scorecard")

    # The team view reads assessments by default (issue 9); these plays were practice.
    code, out, _ = _run(capsys, "report", "--summary", "--csv", "--db", db_url)
    assert "trainee,ana" not in out
    code, out, _ = _run(capsys, "report", "--summary", "--csv", "--mode", "practice",
                        "--db", db_url)
    assert out.splitlines()[0].startswith("level,trainee,scenario,attempts")
    assert "trainee,ana,,2,2" in out
    code, out, _ = _run(capsys, "report", "--summary", "--mode", "practice", "--db", db_url)
    assert "By trainee" in out and "ana" in out


def test_commands_fail_cleanly(db_url, capsys):
    assert _run(capsys, "report", "--db", db_url)[0] == 2
    code, _, err = _run(capsys, "report", "last", "--db", db_url)
    assert code == 2 and "no attempts" in err
    code, _, err = _run(capsys, "report", "7", "--db", db_url)
    assert code == 2 and "no attempt 7" in err
    code, _, err = _run(capsys, "history", "--db", "mysql://x/y")
    assert code == 2 and "unsupported" in err


def test_resume_command(db_url, capsys, tmp_path, loaded):
    steps = GOOD.read_text().splitlines()
    with Store(db_url) as store:
        rec = Recorder.start(store, CallSession(loaded, seed=2), trainee="ana")
        for step in parse_script("\n".join(steps[:8])):
            (rec.say(step.text) if step.action is None else rec.act(step.action, step.text))
        cut_off = rec.attempt_id
        rec2 = Recorder.start(store, CallSession(loaded, seed=2), trainee="ana")
        rec2.act("send-documents")
    rest = tmp_path / "rest.txt"
    rest.write_text("\n".join(steps[8:]))
    code, out, _ = _run(capsys, "resume", str(cut_off), "--script", str(rest), "--json",
                        "--db", db_url)
    assert code == 0
    doc = json.loads(out)
    code, out, _ = _run(capsys, "play", SCENARIO, "--script", str(GOOD), "--seed", "2",
                        "--json", "--no-record")
    whole = json.loads(out)
    assert doc["turns"] == whole["turns"] and doc["scores"] == whole["scores"]

    code, out, _ = _run(capsys, "resume", str(rec2.attempt_id), "--db", db_url)
    assert code == 0 and "scored as it stands" in out
    code, _, err = _run(capsys, "resume", str(cut_off), "--db", db_url)
    assert code == 2 and "finished" in err


def test_forget_command(db_url, capsys):
    for who in ("ana", "bo"):
        _run(capsys, "play", SCENARIO, "--script", str(GOOD), "--db", db_url, "--trainee", who)
    assert _run(capsys, "forget", "--trainee", "ana", "--db", db_url)[0] == 2  # needs --yes
    code, out, _ = _run(capsys, "forget", "--trainee", "ana", "--yes", "--db", db_url)
    assert code == 0 and "Deleted 1 attempt" in out
    with Store(db_url) as store:
        assert store.trainees() == ["bo"]


def test_env_default_db_is_used(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("COLLECTSIM_DB", str(tmp_path / "env.db"))
    assert _run(capsys, "play", SCENARIO, "--script", str(GOOD))[0] == 0
    with Store.open() as store:
        assert [a.trainee for a in store.attempts()] == ["tester"]
    assert os.path.exists(tmp_path / "env.db")


def test_a_note_taken_after_dialling_replays_inside_the_call(store, loaded):
    rec = Recorder.start(store, CallSession(loaded, seed=1), trainee="ana")
    rec.act("call", "")
    rec.act("note", "picked up on the first ring")
    steps = store.steps(rec.attempt_id)
    assert [str(s) for s in steps] == ["/call", "/note picked up on the first ring"]
    again = CallSession(loaded, seed=1)
    run_steps(again, steps)
    assert again.turns == list(store.turns(rec.attempt_id))
