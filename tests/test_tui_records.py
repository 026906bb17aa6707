"""The TUI and the records: every call recorded turn by turn, cut-off calls resumed or scored
from home, history and the team view, practice vs assessment, the suggested next scenario and the
contact-rule question. Each test has its own database (tests/conftest.py sets COLLECTSIM_DB).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from test_tui import (
    SCENARIO,
    committed,
    plain,
    ready,
    send,
    stored_attempts,
    sync,
    test_app,
    write_library,
)

CONTACT = (
    SCENARIO.replace("id: tui-test\ntitle:", "id: tui-contact\ntitle:")
    .replace("order: 0", "order: 5")
    .replace("  call_date: 2026-11-20", '  call_date: 2026-11-20\n  call_time: "07:30"')
)


def contact_library(root: Path) -> None:
    lib = write_library(root / "lib")
    (lib / "scenarios" / "tui-contact.yaml").write_text(CONTACT, encoding="utf-8")


async def to_call(pilot, *keys: str) -> Any:
    """Open the test scenario's briefing, press `keys` there, then start the call."""
    app = pilot.app
    app.open_briefing("tui-test")
    await pilot.pause()
    await pilot.press(*keys, "c")
    await pilot.pause()
    assert type(app.screen).__name__ == "CallScreen"
    return app.screen


async def play_a_call(pilot, *, plan: bool = True) -> None:
    call = await to_call(pilot, "d")
    await send(pilot, "Hi, this is Sam from Northwind Supplies. Am I speaking with Robin Vale?")
    await send(pilot, "I'm calling about invoice 5001 for $1,200.")
    if plan:
        await send(pilot, "How about 6 monthly payments of $200?")
    await send(pilot, "Thank you Robin, goodbye.")
    assert call.attempt.connected
    await pilot.press("f9")
    await ready(pilot)
    assert type(pilot.app.screen).__name__ == "ScorecardScreen"


# --- recorded turn by turn -----------------------------------------------------------------------


@sync
async def test_a_call_is_in_the_records_turn_by_turn_before_hang_up(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        call = await to_call(pilot, "d")
        await committed(app)
        (running,) = stored_attempts(app)
        assert not running.finished and running.mode == "practice" and running.trainee == "Alex"
        kinds = [t.kind for t in app.records.store().turns(running.id)]
        assert kinds[:2] == ["send_documents", "call_start"], "prep and the dial, at once"

        await send(pilot, "Hi, this is Sam from Northwind Supplies. Am I speaking with Robin?")
        await committed(app)
        stored = app.records.store().turns(running.id)
        assert [(t.speaker, t.text) for t in stored] == [
            (t.speaker, t.text) for t in call.attempt.turns
        ]
        assert stored[-1].speaker == "debtor", "the reply is committed with the line"

        await send(pilot, "/note pays late")
        await committed(app)
        assert app.records.store().turns(running.id)[-1].text == "pays late"
        assert not stored_attempts(app)[0].finished, "still the call: not closed yet"

        await pilot.press("f9")
        await ready(pilot)
        (done,) = stored_attempts(app)
        assert done.finished and done.overall == app.screen.card.scores["overall"]
        assert done.turn_count == len(call.attempt.turns)


# --- resume or score a cut-off call from home ---------------------------------------------------


async def cut_off_call(tmp_path: Path, *lines: str) -> list[tuple[str, str]]:
    """Play part of a call and leave the app without hanging up (as a crash would)."""
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        call = await to_call(pilot, "d")
        for line in lines:
            await send(pilot, line)
        await committed(app)
        turns = [(t.speaker, t.text) for t in call.attempt.turns]
    return turns


@sync
async def test_resume_a_cut_off_call_from_home(tmp_path: Path) -> None:
    before = await cut_off_call(
        tmp_path, "Hi, this is Sam. Am I speaking with Robin Vale?", "/note sounded busy"
    )
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await ready(pilot)
        options = app.screen.query_one("#scenarios")
        first = options.highlighted_option
        assert first.id.startswith("resume:"), "a cut-off call is the first thing offered"
        assert "cut off" in str(first.prompt)
        attempt_id = int(first.id.partition(":")[2])
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ResumeScreen"
        await pilot.press("r")
        await ready(pilot)
        call = app.screen
        assert type(call).__name__ == "CallScreen"
        assert [(t.speaker, t.text) for t in call.attempt.turns] == before
        assert call.attempt.attempt_id == attempt_id
        assert len(call.query("TurnView")) == len(before), "the transcript so far is shown"
        await send(pilot, "I'm calling about invoice 5001 for $1,200.")
        await committed(app)
        assert app.records.store().attempt(attempt_id).turn_count == len(call.attempt.turns)
        await pilot.press("f9")
        await ready(pilot)
        assert type(app.screen).__name__ == "ScorecardScreen"
        (done,) = stored_attempts(app)
        assert done.id == attempt_id and done.finished and done.scores
        await pilot.press("escape")
        await ready(pilot)
        assert not any(
            (o.id or "").startswith("resume:") for o in app.screen.query_one("#scenarios").options
        )


@sync
async def test_score_a_cut_off_call_as_it_stands(tmp_path: Path) -> None:
    # Cut off right after dialling and a note, before a word was said: replays with /call.
    await cut_off_call(tmp_path, "/note no answer yet")
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await ready(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("s")
        await ready(pilot)
        await ready(pilot)
        assert type(app.screen).__name__ == "ScorecardScreen"
        assert app.screen.card is not None
        (done,) = stored_attempts(app)
        assert done.finished and done.scores


# --- history and the team view ------------------------------------------------------------------


@sync
async def test_history_shows_a_trend_chart_after_two_attempts(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await play_a_call(pilot, plan=False)
        await play_a_call(pilot)
        scores = [a.overall for a in stored_attempts(app)]
        await pilot.press("escape")
        await pilot.press("f7")
        await ready(pilot)
        history = app.screen
        assert type(history).__name__ == "HistoryScreen"
        chart = history.query_one("#hist-trend")
        assert chart.trends["overall"] == scores and len(scores) == 2
        assert "last" in plain(chart) and "Overall" in plain(chart)
        attempts = history.query_one("#hist-attempts")
        assert attempts.option_count == 2
        attempts.focus()
        await pilot.press("enter")
        await ready(pilot)
        card = app.screen
        assert type(card).__name__ == "ScorecardScreen" and card.stored
        assert card.card.scores["overall"] == scores[-1], "newest first"
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HistoryScreen"


def add_assessment(db_app, trainee: str, lines: list[str]) -> None:
    """Record an assessed call for another trainee straight through the store API."""
    from collectsim.engine import CallSession
    from collectsim.scoring import score
    from collectsim.store import Recorder

    loaded = db_app.library.bind("tui-test")
    rec = Recorder.start(
        db_app.records.store(), CallSession(loaded, seed=0), trainee=trainee, mode="assessment"
    )
    for line in lines:
        rec.say(line)
    rec.hang_up()
    rec.finish(score(rec.session.record(), loaded))


@sync
async def test_team_view_lists_trainees(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await asyncio.to_thread(add_assessment, app, "Bea", ["Hello?", "Pay now."])
        await asyncio.to_thread(
            add_assessment, app, "[b]Cy[/b]", ["Hi, this is Sam. Am I speaking with Robin Vale?"]
        )
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"team view")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await ready(pilot)
        team = app.screen
        assert type(team).__name__ == "TeamScreen"
        table = team.query_one("#by_trainee")
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert names == ["Bea", "[b]Cy[/b]"], "assessments only, names shown literally"
        assert "Most often lost" in plain(team.query_one("#team-lost"))
        await pilot.press("m")  # practice: nobody practised yet
        await ready(pilot)
        assert team.mode == "practice"
        assert "No practice attempts" in str(team.query_one("#by_trainee").get_row_at(0)[0])


# --- practice and assessment ----------------------------------------------------------------------


@sync
async def test_assessment_hides_the_coach_view_and_is_recorded_as_such(tmp_path: Path) -> None:
    app = test_app(tmp_path, coach=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.open_briefing("tui-test")
        await pilot.pause()
        await pilot.press("a")
        assert "ASSESSMENT" in plain(app.screen.query_one("#mode-badge"))
        await pilot.press("c")
        await pilot.pause()
        call = app.screen
        assert call.attempt.assessment and not call.coach
        assert call.query_one("#side-switch").current == "notes"
        assert not any(
            b.binding.action == "coach" and b.enabled for b in app.active_bindings.values()
        )
        await pilot.press("f3")
        app.action_toggle_coach()  # the palette's entry
        await pilot.pause()
        assert call.query_one("#side-switch").current == "notes"
        await send(pilot, "Hi, this is Sam. Am I speaking with Robin Vale?")
        await pilot.press("f9")
        await ready(pilot)
        card = app.screen
        assert "ASSESSMENT" in plain(card.query_one("#card-title"))
        (done,) = stored_attempts(app)
        assert done.mode == "assessment" and done.finished
        await pilot.press("r")  # no free retry
        await pilot.pause()
        assert app.screen is card
        await pilot.press("a")  # a new assessment instead
        await pilot.pause()
        assert type(app.screen).__name__ == "BriefingScreen" and app.screen.attempt.assessment


@sync
async def test_practice_keeps_the_coach_and_retry(tmp_path: Path) -> None:
    app = test_app(tmp_path, coach=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        call = await to_call(pilot)
        assert call.coach and call.query_one("#side-switch").current == "coach"
        await send(pilot, "Hello, am I speaking with Robin Vale?")
        await pilot.press("f9")
        await ready(pilot)
        assert stored_attempts(app)[0].mode == "practice"
        await pilot.press("r")
        await pilot.pause()
        assert type(app.screen).__name__ == "BriefingScreen" and not app.screen.attempt.assessment


# --- the suggestion ---------------------------------------------------------------------------


@sync
async def test_home_suggests_the_next_scenario_with_the_reason(tmp_path: Path) -> None:
    contact_library(tmp_path)
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await ready(pilot)
        options = app.screen.query_one("#scenarios")
        assert options.highlighted_option.id == "next:tui-test", "no assessment yet: path start"
        start = plain(app.screen.query_one("#summary"))
        assert "No assessment yet" in start
        # The scenario is named by its title, as the trainee sees it in the list, not its id.
        assert "start the path with [red]Robin[/red] is late [bold]." in start
        assert "tui-test" not in start
        await asyncio.to_thread(add_assessment, app, "Alex", ["Pay now."])
        app.refresh_home()
        await ready(pilot)
        option = options.highlighted_option
        assert option.id.startswith("next:")
        assert "weakest skill" in str(option.prompt)
        why = plain(app.screen.query_one("#summary"))
        assert "Your weakest skill is" in why
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "BriefingScreen"
        assert app.screen.attempt.scenario_id == option.id.partition(":")[2]


# --- the contact-rule question -------------------------------------------------------------------


@sync
async def test_contact_rule_decision_is_recorded_and_no_call_is_made(tmp_path: Path) -> None:
    contact_library(tmp_path)
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.open_briefing("tui-contact")
        await pilot.pause()
        briefing = app.screen
        assert "May this call be made now?" in plain(briefing.query_one("#ask"))
        assert "07:30" in plain(briefing.query_one("#contact-facts"))
        await pilot.press("y", "n")  # changed their mind: the last decision counts
        await pilot.pause()
        assert [t.text for t in briefing.attempt.turns if t.kind == "decide"] == [
            "Decision: call",
            "Decision: no-call",
        ]
        assert "Don't call" in str(briefing.query_one("#start-call").label)
        await pilot.press("c")
        await ready(pilot)
        card = app.screen
        assert type(card).__name__ == "ScorecardScreen"
        assert "no call made" in plain(card.query_one("#outcome"))
        decision = [f for f in card.card.findings if getattr(f, "id", "") == "contact_decision"]
        assert decision and decision[0].points > 0, "07:30 local: not calling was right"
        (done,) = stored_attempts(app)
        stored = app.records.store().attempt(done.id)
        assert done.finished and "Decision: no-call" in [t.text for t in stored.turns]
        assert not any(t.kind == "call_start" for t in stored.turns)


@sync
async def test_scenarios_without_contact_data_do_not_ask(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.open_briefing("tui-test")
        await pilot.pause()
        assert not app.screen.query("#ask")
        await pilot.press("n")  # nothing to decide: the key does nothing
        assert not [t for t in app.screen.attempt.turns if t.kind == "decide"]


# --- export replays exactly; keys after the debtor hangs up ---------------------------------------


@sync
async def test_export_replays_a_note_before_speaking_and_odd_lines(tmp_path: Path) -> None:
    from collectsim.engine import CallSession
    from collectsim.script import read_script, replay

    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await to_call(pilot, "d")
        await send(pilot, "/note dialled, waiting")
        await send(pilot, "# number one: Robin Vale?")
        await send(pilot, "/say /slash at the start")
        await pilot.press("f9")
        await ready(pilot)
        app.action_export_script()
        text = app.last_export.read_text(encoding="utf-8")
        record = app.screen.attempt.record()
    assert "/call\n/note dialled, waiting\n/say # number one" in text
    assert "/say /slash at the start" in text
    replayed, unsaid = replay(
        CallSession(app.library.bind("tui-test"), seed=0), read_script(app.last_export)
    )
    assert not unsaid
    assert [(t.speaker, t.text) for t in replayed.turns] == [
        (t.speaker, t.text) for t in record.turns
    ]


GOODBYE = """\
  - id: hangs-up
    priority: 90
    when: {acts: [threaten]}
    do: {tag: [hang_up], end: true}
    say: ["I am not listening to this. Goodbye."]
"""


def _hang_up_app(tmp_path: Path):
    """The test library with a debtor who hangs up on a threat."""
    from test_tui import PERSONA

    from collectsim.tui.app import make_app

    lib = write_library(
        tmp_path / "angry", persona=PERSONA.replace("rules:\n", "rules:\n" + GOODBYE)
    )
    return make_app(
        [lib], data_dir=tmp_path / "data", speaking_pace=0, clock=lambda: 0.0, builtin=False
    )


@sync
async def test_keys_keep_working_after_the_debtor_hangs_up(tmp_path: Path) -> None:
    app = _hang_up_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        call = await to_call(pilot)
        call.pace = 30.0  # the hang-up line is still being spoken
        await send(pilot, "Pay today or we will take you to court and seize your van.")
        call.pace = 0.0
        await pilot.press("f4")  # keys still work while the reveal finishes
        await pilot.pause()
        call._finish_speaking(cut=False)
        await pilot.pause()
        await pilot.pause()
        assert call.attempt.ended and call.attempt.session.state.ended_by == "debtor"
        assert app.focused is not None and app.focused.id in ("to-scorecard", "note-input")
        await pilot.press("f2")  # the case file still opens
        await pilot.pause()
        assert call.query_one("#side-switch").current == "side-casefile"
        await pilot.press("f9")
        await ready(pilot)
        assert type(app.screen).__name__ == "ScorecardScreen"


@sync
async def test_once_the_debtor_hangs_up_the_call_offers_only_the_scorecard(
    tmp_path: Path,
) -> None:
    app = _hang_up_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        call = await to_call(pilot)
        assert call.query_one("#hang-up").display
        assert app.active_bindings["f9"].binding.action == "hang_up"
        await send(pilot, "Pay today or we will take you to court and seize your van.")
        await pilot.pause()
        assert call.attempt.ended
        assert not call.query_one("#hang-up").display, "no Hang up button once nobody is there"
        shown = {k: b.binding.action for k, b in app.active_bindings.items() if b.binding.show}
        assert "hang_up" not in shown.values()
        assert shown.get("f9") == "scorecard", "the footer says how to see the scorecard"
        await pilot.press("f9")  # the old habit still works
        await ready(pilot)
        assert type(app.screen).__name__ == "ScorecardScreen"


@sync
async def test_a_call_left_for_home_waits_there_as_unfinished(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press(*"robin")  # a filter is typed: the cut-off call must still show
        await pilot.pause()
        call = await to_call(pilot, "d")
        await send(pilot, "Hi, this is Sam from Northwind Supplies. Am I speaking with Robin Vale?")
        await committed(app)
        app.action_home()  # the palette's "Home" in the middle of the call
        await ready(pilot)
        await pilot.pause()
        assert any("left unfinished" in str(n.message) for n in app._notifications)
        options = app.screen.query_one("#scenarios")
        ids = [o.id for o in options.options]
        assert f"resume:{call.attempt.attempt_id}" in ids, ids
        assert app.screen.highlighted_scenario() == "tui-test"


# --- an engine failure on one line ---------------------------------------------------------------


@sync
async def test_an_engine_failure_on_one_line_keeps_the_call_and_the_line(
    tmp_path: Path, caplog: Any
) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        call = await to_call(pilot, "d")
        session = call.attempt.session
        analyse, respond = session._analyse, session._respond

        def broken_analyser(text: str) -> Any:
            raise RuntimeError("analyser exploded")

        # 1. The analyser fails: the line was never taken, so it goes back on the input.
        session._analyse = broken_analyser
        line = "Hi, this is Sam from Northwind Supplies. Am I speaking with Robin?"
        with caplog.at_level("ERROR"):
            await send(pilot, line)
        assert app.screen is call and not call.attempt.ended, "the call goes on"
        assert call.query_one("#line").value == line, "the trainee's text is not lost"
        notes = [n for n in app._notifications if n.severity == "error"]
        assert notes and notes[-1].title == "Simulator error"
        assert "Traceback" not in notes[-1].message and "exploded" not in notes[-1].message
        assert any("analyser exploded" in (r.exc_text or "") for r in caplog.records), "logged"
        assert not [t for t in call.attempt.turns if t.speaker == "trainee"]

        # 2. The reply fails after the line was taken: the line is shown and recorded.
        session._analyse = analyse

        def broken_reply(*args: Any) -> Any:
            raise RuntimeError("rules exploded")

        session._respond = broken_reply
        await send(pilot, line)
        assert app.screen is call and not call.attempt.ended
        assert call.query_one("#line").value == "", "taken: not put back to be said twice"
        await committed(app)
        (running,) = stored_attempts(app)
        stored = app.records.store().turns(running.id)
        assert (stored[-1].speaker, stored[-1].text) == ("trainee", line)
        assert line in call.query_one("Transcript").query("TurnView").last().full

        # 3. The engine works again: the call carries on as usual.
        session._respond = respond
        await send(pilot, "I'm calling about invoice 5001 for $1,200.")
        assert call.attempt.turns[-1].speaker == "debtor"
        await pilot.press("f9")
        await ready(pilot)
        assert type(app.screen).__name__ == "ScorecardScreen"


# --- an engine or scoring failure on hanging up ---------------------------------------------------


@sync
async def test_an_engine_failure_on_hang_up_keeps_the_call_unfinished(
    tmp_path: Path, caplog: Any
) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await ready(pilot)
        call = await to_call(pilot, "d")
        await send(pilot, "Hi, this is Sam from Northwind Supplies. Am I speaking with Robin?")
        session = call.attempt.session
        hang_up = session.hang_up

        def refused() -> Any:
            raise RuntimeError("hang-up exploded")

        # 1. It fails before ending anything: the call goes on and F9 can try again.
        session.hang_up = refused
        with caplog.at_level("ERROR"):
            await pilot.press("f9")
            await pilot.pause()
        assert app.screen is call and not call.attempt.ended, "the call goes on"
        notes = [n for n in app._notifications if n.severity == "error"]
        assert notes and notes[-1].title == "Simulator error" and "F9" in notes[-1].message
        assert "exploded" not in notes[-1].message
        assert any("hang-up exploded" in (r.exc_text or "") for r in caplog.records), "logged"

        # 2. It fails half way (the session is marked ended, no call_end turn): home, with the
        # call kept unfinished, every turn stored, to resume or score.
        def half() -> Any:
            session.state.ended = True
            raise RuntimeError("hang-up exploded half way")

        session.hang_up = half
        said = [(t.speaker, t.text) for t in call.attempt.turns]
        await pilot.press("f9")
        await ready(pilot)
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen", "the app survives, back home"
        message = [n for n in app._notifications if n.severity == "error"][-1].message
        assert "kept, unfinished" in message and "Home" in message
        (running,) = stored_attempts(app)
        assert not running.finished, "not closed: resumable"
        stored = app.records.store().turns(running.id)
        assert [(t.speaker, t.text) for t in stored] == said
        ids = [o.id for o in app.screen.query_one("#scenarios").options]
        assert f"resume:{running.id}" in ids
        session.hang_up = hang_up


@sync
async def test_a_scoring_failure_on_hang_up_keeps_the_call_unfinished(
    tmp_path: Path, monkeypatch: Any
) -> None:
    import collectsim.scoring

    def broken_score(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("scoring exploded")

    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await ready(pilot)
        call = await to_call(pilot, "d")
        await send(pilot, "Hi, this is Sam from Northwind Supplies. Am I speaking with Robin?")
        monkeypatch.setattr(collectsim.scoring, "score", broken_score)
        await pilot.press("f9")
        await ready(pilot)
        await pilot.pause()
        assert type(app.screen).__name__ == "ScorecardScreen", "the transcript is still shown"
        notes = [n for n in app._notifications if n.severity == "error"]
        assert notes and notes[-1].title == "No scorecard"
        assert "kept, unfinished" in notes[-1].message
        (kept,) = stored_attempts(app)
        assert not kept.finished, "not closed without a scorecard: it can be scored again"
        stored = app.records.store().turns(kept.id)
        assert [(t.speaker, t.text) for t in stored] == [
            (t.speaker, t.text) for t in call.attempt.turns
        ]
        assert stored[-1].kind == "call_end"
        # Scoring works again: scored from home, the record closes.
        monkeypatch.undo()
        await pilot.press("escape")
        await ready(pilot)
        assert f"resume:{kept.id}" in [o.id for o in app.screen.query_one("#scenarios").options]


# --- a resumed call's timer ----------------------------------------------------------------------


@sync
async def test_a_resumed_call_timer_counts_on_from_the_stored_call(tmp_path: Path) -> None:
    import datetime as dt

    from sqlalchemy import update

    from collectsim.store.schema import turns

    await cut_off_call(tmp_path, "Hi, this is Sam. Am I speaking with Robin Vale?")
    app = test_app(tmp_path)  # the clock is frozen at 0: the timer shows only what was stored
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await ready(pilot)
        store = app.records.store()
        (cut,) = store.attempts()
        # The call was dialled at turn 1 (call_start) and cut off 95 s later.
        start = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
        stored = store.turns(cut.id)
        with store._write() as conn:
            for t in stored:
                at = start if t.kind == "call_start" else start + dt.timedelta(seconds=95)
                row = (turns.c.attempt_id == cut.id) & (turns.c.n == t.n)
                conn.execute(update(turns).where(row).values(at=at))
        assert store.call_seconds(cut.id) == 95.0
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("r")
        await ready(pilot)
        call = app.screen
        assert type(call).__name__ == "CallScreen"
        assert plain(call.query_one("#timer")) == "01:35", "not back at 00:00"
