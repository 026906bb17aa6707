"""SVG snapshots of every screen at 80×24 and 120×40 (pytest-textual-snapshot).

The app runs on the test library from `test_tui` with a frozen clock, instant replies and the
input cursor's blinking switched off, so nothing on screen changes between runs. After a
deliberate change to the look, look at the new SVGs and accept them with
``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui import SCENARIO, ready, test_app, write_library
from textual.widgets import Input

from collectsim.tui.app import make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def settle(pilot) -> None:
    await ready(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


async def say(pilot, text: str) -> None:
    pilot.app.screen.query_one("#line").value = text
    await pilot.press("enter")
    await pilot.pause()


async def to_briefing(pilot) -> None:
    await settle(pilot)
    pilot.app.open_briefing("tui-test")
    await pilot.pause()


async def to_call(pilot) -> None:
    await to_briefing(pilot)
    await pilot.press("d", "p", "c")
    await pilot.pause()
    call = pilot.app.screen
    await say(pilot, "Hi, this is Sam from Northwind Supplies. Am I speaking with Robin Vale?")
    call.pace = 30.0
    await say(pilot, "I'm calling about invoice 5001 for $1,200, due on October 1st.")
    await say(pilot, "[bold]x[/] [link=http://x]y[/link] [/]")
    call.pace = 0.0
    await say(pilot, "/wait")
    await say(pilot, "/note client of Robin's pays late")


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(test_app(tmp_path), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_briefing(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:
        await to_briefing(pilot)
        await pilot.press("d", "p", "right")
        await settle(pilot)

    assert snap_compare(test_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_call(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:
        await to_call(pilot)
        await settle(pilot)

    assert snap_compare(test_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_call_case_file(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:
        await to_call(pilot)
        await pilot.press("f2")
        await settle(pilot)

    assert snap_compare(test_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_call_coach(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:
        await to_call(pilot)
        await settle(pilot)

    app = test_app(tmp_path, coach=True)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_scorecard(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:
        await to_call(pilot)
        await say(pilot, "How about 6 monthly payments of $200?")
        await say(pilot, "Thank you Robin, goodbye.")
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)

    assert snap_compare(test_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(test_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_diagnostics(snap_compare, tmp_path: Path, size: tuple[int, int], monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # diagnostics name files relative to here: stable paths
    lib = write_library(Path("lib"))
    # Only the scenario is broken, so no message lists the (changing) built-in personas.
    broken = SCENARIO.replace("difficulty: easy", "difficulty: [red]extreme[/]")
    (lib / "scenarios" / "tui-test.yaml").write_text(broken + "colour: blue\n", encoding="utf-8")

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)

    app = make_app(
        [lib], data_dir=tmp_path / "data", speaking_pace=0, clock=lambda: 0.0, builtin=False
    )
    assert snap_compare(app, terminal_size=size, run_before=run_before)


# --- records: history, team view, a cut-off call, assessment, the contact-rule question ----------

#: Fixed times for records made in the tests, shown as local time: pin the zone too.
T0 = "2026-11-20T09:00:00+00:00"


def seed_records(app, *, cut_off: bool = False) -> None:
    """Three scored attempts by Alex (one an assessment), one by Bea, at fixed times."""
    import datetime as dt

    from collectsim.engine import CallSession
    from collectsim.scoring import score

    store = app.records.store()
    loaded = app.library.bind("tui-test")
    plays = [
        ("Alex", "practice", ["Hello?", "Pay now."]),
        (
            "Alex",
            "practice",
            [
                "Hi, this is Sam from Northwind. Am I speaking with Robin Vale?",
                "I'm calling about invoice 5001 for $1,200.",
            ],
        ),
        (
            "Alex",
            "assessment",
            [
                "Hi, this is Sam from Northwind. Am I speaking with Robin Vale?",
                "I'm calling about invoice 5001 for $1,200.",
                "How about 6 monthly payments of $200?",
                "Thank you Robin, goodbye.",
            ],
        ),
        ("[b]Bea[/b]", "assessment", ["Pay now or else."]),
    ]
    start = dt.datetime.fromisoformat(T0)
    for i, (who, mode, lines) in enumerate(plays):
        session = CallSession(loaded, seed=0)
        session.act("send-documents")
        for line in lines:
            session.say(line)
        session.hang_up()
        record = session.record()
        attempt = store.start_attempt(
            trainee=who,
            scenario="tui-test",
            content_hash=loaded.content_hash,
            seed=0,
            mode=mode,
            started_at=start + dt.timedelta(days=i),
        )
        store.add_turns(attempt, record.turns)
        store.finish(attempt, record, score(record, loaded))
    if cut_off:
        session = CallSession(loaded, seed=0)
        session.say("Hi, is this Robin Vale?")
        attempt = store.start_attempt(
            trainee="Alex",
            scenario="tui-test",
            content_hash=loaded.content_hash,
            seed=0,
            started_at=start + dt.timedelta(days=9),
        )
        store.add_turns(attempt, session.turns)


def records_app(tmp_path: Path, monkeypatch, **kwargs):
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    return test_app(tmp_path, **kwargs)


async def with_records(pilot, *, cut_off: bool = False) -> None:
    import asyncio

    await settle(pilot)
    await asyncio.to_thread(seed_records, pilot.app, cut_off=cut_off)
    pilot.app.refresh_home()
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_home_records(snap_compare, tmp_path: Path, size: tuple[int, int], monkeypatch) -> None:
    async def run_before(pilot) -> None:
        await with_records(pilot, cut_off=True)

    app = records_app(tmp_path, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_resume(snap_compare, tmp_path: Path, size: tuple[int, int], monkeypatch) -> None:
    async def run_before(pilot) -> None:
        await with_records(pilot, cut_off=True)
        await pilot.press("enter")
        await settle(pilot)

    app = records_app(tmp_path, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_history(snap_compare, tmp_path: Path, size: tuple[int, int], monkeypatch) -> None:
    async def run_before(pilot) -> None:
        await with_records(pilot)
        await pilot.press("f7")
        await settle(pilot)

    app = records_app(tmp_path, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_team(snap_compare, tmp_path: Path, size: tuple[int, int], monkeypatch) -> None:
    async def run_before(pilot) -> None:
        await with_records(pilot)
        await pilot.press("f8")
        await settle(pilot)

    app = records_app(tmp_path, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_briefing_contact_assessment(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.open_briefing("tui-contact")
        await pilot.pause()
        await pilot.press("a", "n")
        await settle(pilot)

    lib = write_library(tmp_path / "lib")
    contact = SCENARIO.replace("id: tui-test\ntitle:", "id: tui-contact\ntitle:").replace(
        "  call_date: 2026-11-20", '  call_date: 2026-11-20\n  call_time: "07:30"'
    )
    (lib / "scenarios" / "tui-contact.yaml").write_text(contact, encoding="utf-8")
    app = make_app(
        [lib], data_dir=tmp_path / "data", speaking_pace=0, clock=lambda: 0.0, builtin=False
    )
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_call_assessment(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.open_briefing("tui-test")
        await pilot.pause()
        await pilot.press("a", "c")
        await pilot.pause()
        await say(pilot, "Hi, this is Sam from Northwind Supplies. Am I speaking with Robin Vale?")
        await settle(pilot)

    assert snap_compare(test_app(tmp_path, coach=True), terminal_size=size, run_before=run_before)
