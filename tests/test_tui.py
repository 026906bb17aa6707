"""The TUI driven by Textual's Pilot: a whole call through every screen, literal text, reload.

The app runs on a small library written here (so the tests do not move when the built-in
personas are edited), with a fixed seed, instant replies, a frozen clock and a temporary data
dir. The interruption path uses a long speaking pace and sends a line during it.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from textual import events

from collectsim.tui.app import CollectsimApp, make_app
from collectsim.tui.settings import Settings

PERSONA = """\
id: tui-test
type: test debtor
description: A small, predictable debtor for the TUI tests.
traits: {monthly_budget: 400, lump_sum: 300, right_party: 1}
meters: {patience: 60, trust: 50}
stages: [opening, identified, explaining, agreed]
opening: ["Hello, Robin speaking. [bold]Yes?[/]"]
rules:
  - id: cut-off
    when: {events: [interruption]}
    do: {meters: {patience: -10}}
  - id: confirms
    priority: 50
    when: {acts: [verify_identity], stage: [opening]}
    do: {stage: identified, tag: [answer]}
    say: ["Yes, this is Robin Vale. What is this about? I was in the middle of something."]
  - id: explains
    priority: 40
    when: {any_acts: [state_purpose, state_facts, ask_reason]}
    do: {stage: explaining, tag: [give_reason]}
    say: ["Right, invoice {invoice.number}. A client of mine has not paid me, so money is tight."]
  - id: accepts-plan
    priority: 45
    when: {acts: [offer_plan], stage: [explaining]}
    do: {stage: agreed, outcome: payment_plan, tag: [agree]}
    say: ["That I can do. Thank you for being reasonable."]
  - id: goodbye
    priority: 30
    when: {acts: [close_call]}
    do: {tag: [goodbye]}
    say: ["Goodbye."]
fallback:
  default: ["Mm-hm.", "Go on."]
"""

SCENARIO = """\
id: tui-test
title: "[red]Robin[/red] is late [bold]"
difficulty: easy
order: 0
persona: tui-test
summary: "A short test call."
briefing: "Robin owes [link=http://x]one invoice[/link]. Find out why."
case:
  creditor: {name: Northwind Supplies}
  collector: {name: Sam, company: Northwind Supplies}
  debtor: {name: Robin Vale, company: Vale Gardens, profile: "Pays late [/] sometimes."}
  invoices:
    - {number: "5001", amount: 1200, issued: 2026-09-01, due: 2026-10-01, description: "Tools"}
  payments:
    - {date: 2026-06-01, amount: 300, invoice: "4900", reference: "RV-1"}
  unposted_payments:
    - {date: 2026-11-18, amount: 200, invoice: "5001", reference: "RV-2"}
  contacts:
    - {date: 2026-10-15, channel: email, summary: "Reminder sent."}
  documents: [invoice]
  call_date: 2026-11-20
authority:
  plan: {max_months: 6, min_instalment: 150}
success: [payment_plan, paid_in_full]
"""

TRAINEE_MARKUP = "[bold]x[/] [link=http://x]y[/link] [/]"


def write_library(root: Path, *, persona: str = PERSONA, scenario: str = SCENARIO) -> Path:
    (root / "personas").mkdir(parents=True, exist_ok=True)
    (root / "scenarios").mkdir(parents=True, exist_ok=True)
    (root / "personas" / "tui-test.yaml").write_text(persona, encoding="utf-8")
    (root / "scenarios" / "tui-test.yaml").write_text(scenario, encoding="utf-8")
    return root


def test_app(root: Path, *, trainee: str = "Alex", **kwargs) -> CollectsimApp:
    """An app on the test library with everything that varies between runs pinned."""
    data = root / "data"
    if trainee:
        Settings(data).set_trainee(trainee)
    options = {"seed": 0, "speaking_pace": 0.0, "clock": lambda: 0.0, "builtin": False}
    options.update(kwargs)
    return make_app([write_library(root / "lib")], data_dir=data, **options)


test_app.__test__ = False  # a factory, not a test


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test without an asyncio plugin for pytest."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


async def ready(pilot) -> None:
    """Wait for the library (loaded in a worker after the first frame) and any other work."""
    app = pilot.app
    for _ in range(500):
        if app.library is not None or app.load_error:
            break
        await pilot.pause(0.01)
    await app.workers.wait_for_complete()
    await pilot.pause()


def plain(widget) -> str:
    """What a Static shows, as text."""
    return str(widget.render())


def stored_attempts(app: CollectsimApp, **filters: Any) -> list[Any]:
    """The attempts in the test's records, once every pending write is committed."""
    app.records.drain()
    return app.records.store().attempts(**filters)


async def committed(app: CollectsimApp) -> None:
    await asyncio.to_thread(app.records.drain)


async def start_call(pilot, *keys: str) -> None:
    """From home: open the test scenario's briefing, press ``keys`` there (default: call)."""
    await ready(pilot)
    pilot.app.open_briefing("tui-test")
    await pilot.pause()
    await pilot.press(*(keys or ("c",)))
    await pilot.pause()


async def send(pilot, text: str) -> None:
    line = pilot.app.screen.query_one("#line")
    line.value = text
    await pilot.press("enter")
    await pilot.pause()


# --- a whole call through every screen -----------------------------------------------------------


@sync
async def test_whole_call_through_every_screen(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        await pilot.press("enter")
        await pilot.pause()

        # briefing: preparation goes into the attempt as script steps
        briefing = app.screen
        assert type(briefing).__name__ == "BriefingScreen"
        await pilot.press("d", "p")
        await pilot.pause()
        kinds = [t.kind for t in briefing.attempt.turns]
        assert kinds == ["send_documents", "check_payments"]
        assert "RV-2" in plain(briefing.query_one("#prep-log")), "the ledger report is shown"
        await pilot.press("o")
        await pilot.press(*"confirm by email")
        await pilot.press("enter")
        await pilot.pause()
        assert briefing.attempt.session.plans == {"paid_in_full": "confirm by email"}
        await pilot.click("#start-call")
        await pilot.pause()

        # the call
        call = app.screen
        assert type(call).__name__ == "CallScreen"
        attempt = call.attempt
        assert attempt.connected
        await send(pilot, "Hi, this is Sam from Northwind Supplies. Am I speaking with Robin Vale?")
        call.pace = 30.0  # the next reply is still being spoken when the trainee talks
        await send(pilot, "I'm calling about invoice 5001 for $1,200.")
        assert call.speaking
        await send(pilot, "Sorry, can I ask why it has not been paid?")
        assert not call.speaking or call.query(".turn.-speaking")
        call.pace = 0.0
        trainee = [t for t in attempt.turns if t.speaker == "trainee"]
        assert "interruption" in trainee[-1].events
        assert "interruption" not in trainee[-2].events
        assert any(v.cut for v in call.query("TurnView")), "the cut-off reply is struck through"
        assert attempt.steps[-1].startswith("/interrupt ")

        await pilot.press("f4")
        await pilot.press(*"client pays late")
        await pilot.press("enter")
        await pilot.pause()
        assert attempt.session.notes == ["client pays late"]
        assert "client pays late" in plain(call.query_one("#notes-list"))

        call.query_one("#line").focus()
        await pilot.press("up")
        assert call.query_one("#line").value == "Sorry, can I ask why it has not been paid?"
        call.query_one("#line").value = ""
        await send(pilot, "How about 6 monthly payments of $200?")
        await send(pilot, "Thank you Robin, goodbye.")
        assert call.query_one("#timer").render().plain == "00:00"

        await pilot.press("f9")
        await ready(pilot)
        await pilot.pause()

        # the scorecard
        card_screen = app.screen
        assert type(card_screen).__name__ == "ScorecardScreen"
        card = card_screen.card
        assert card is not None and set(card.scores) >= {"preparation", "overall"}
        findings = card_screen.query_one("#findings")
        target = next(i for i, f in enumerate(card.findings) if f.turn)
        findings.focus()
        findings.highlighted = next(
            i for i, o in enumerate(findings.options) if o.id == str(target)
        )
        await pilot.press("enter")
        await pilot.pause()
        turn = card.findings[target].turn
        highlighted = [v.turn.n for v in card_screen.query("TurnView.-highlight")]
        assert highlighted == [turn]
        assert plain(card_screen.query_one("#finding-detail"))

        # the attempt is in the records with its score; retry opens a fresh briefing
        stored = stored_attempts(app)
        assert [(a.finished, a.overall, a.mode) for a in stored] == [
            (True, card.scores["overall"], "practice")
        ]
        await pilot.press("r")
        await pilot.pause()
        assert type(app.screen).__name__ == "BriefingScreen"
        assert app.screen.attempt is not attempt and not app.screen.attempt.turns


@sync
async def test_exported_script_replays_the_same_call(tmp_path: Path) -> None:
    from collectsim.engine import CallSession
    from collectsim.script import read_script, replay

    app = test_app(tmp_path, seed=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_call(pilot, "d", "c")
        call = app.screen
        await send(pilot, "Hello, am I speaking with Robin Vale?")
        call.pace = 30.0
        await send(pilot, "It's about invoice 5001.")
        await send(pilot, "/note promised to check")
        await send(pilot, "why is it late?")
        call.pace = 0.0
        await send(pilot, "/wait")
        await pilot.press("f9")
        await ready(pilot)
        app.action_export_script()
        path = app.last_export
        record = app.screen.attempt.record()
    assert path is not None and path.parent == tmp_path / "data" / "scripts"
    text = path.read_text(encoding="utf-8")
    assert "/interrupt why is it late?" in text and "/note promised to check" in text
    loaded = app.library.bind("tui-test")
    replayed, unsaid = replay(CallSession(loaded, seed=3), read_script(path))
    assert not unsaid
    assert [(t.speaker, t.text) for t in replayed.turns] == [
        (t.speaker, t.text) for t in record.turns
    ]


# --- literal text --------------------------------------------------------------------------------


@sync
async def test_markup_is_shown_literally(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        options = app.screen.query_one("#scenarios")
        assert "[red]Robin[/red] is late [bold]" in str(options.get_option("tui-test").prompt)
        suggested = options.get_option("next:tui-test")  # no assessment yet: the path's first
        assert "[red]Robin[/red] is late [bold]" in str(suggested.prompt)
        await pilot.press("enter")
        await pilot.pause()
        title = plain(app.screen.query_one("#briefing-title"))
        assert "[red]Robin[/red] is late [bold]" in title
        brief = app.screen.query_one(".brief-text")
        assert "[link=http://x]one invoice[/link]" in plain(brief)
        await pilot.press("c")
        await pilot.pause()
        call = app.screen
        await send(pilot, TRAINEE_MARKUP)
        views = list(call.query("TurnView"))
        opening = next(v for v in views if v.turn.speaker == "debtor")
        assert "[bold]Yes?[/]" in plain(opening.query_one(".said"))
        mine = next(v for v in views if v.turn.speaker == "trainee")
        assert plain(mine.query_one(".said")) == TRAINEE_MARKUP
        await pilot.press("f2")
        await pilot.pause()
        assert "Pays late [/] sometimes." in " ".join(
            plain(s) for s in call.query("#side-casefile .v")
        )
        await pilot.press("f9")
        await ready(pilot)
        transcript = app.screen.query_one("#card-transcript")
        assert any(plain(v.query_one(".said")) == TRAINEE_MARKUP for v in transcript.children)


@sync
async def test_control_characters_and_huge_paste_keep_the_layout(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_call(pilot)
        call = app.screen
        await send(pilot, "bell\x07 escape\x1b[31m red\x1b[0m tab\there")
        said = plain(call.query("TurnView.-trainee").last().query_one(".said"))
        assert "\x1b" not in said and "\x07" not in said and "␛[31m" in said
        line = call.query_one("#line")
        line.post_message(events.Paste("A" * 100_000 + "\nsecond line"))
        await pilot.pause()
        assert 0 < len(line.value) <= 2000
        await pilot.press("enter")
        await pilot.pause()
        last = call.query("TurnView.-trainee").last()
        assert last.region.height < 40, "a long paste wraps inside the transcript"
        assert call.query_one("#line").region.width <= 80
        assert call.query_one("#side").region.right <= 80


# --- reload while editing ------------------------------------------------------------------------


@sync
async def test_reload_shows_problems_then_restarts_the_call(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    persona_file = tmp_path / "lib" / "personas" / "tui-test.yaml"
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await start_call(pilot, "d", "c")
        first = app.screen.attempt
        await send(pilot, "Hello, am I speaking with Robin Vale?")

        persona_file.write_text(PERSONA.replace("stages: [", "stages: {"), encoding="utf-8")
        await pilot.press("f5")
        await ready(pilot)
        assert type(app.screen).__name__ == "DiagnosticsScreen"
        lines = [str(o.prompt) for o in app.screen.query_one("#diag-list").options]
        assert any("tui-test.yaml:" in line and "error" in line for line in lines)
        assert app.screen_stack[-2].attempt is first, "the call on screen keeps the old files"

        persona_file.write_text(
            PERSONA.replace("Hello, Robin speaking.", "Vale Gardens, hello."), encoding="utf-8"
        )
        await pilot.press("f5")
        await ready(pilot)
        await pilot.pause()
        call = app.screen
        assert type(call).__name__ == "CallScreen"
        assert call.attempt is not first
        assert [t.kind for t in call.attempt.turns][:1] == ["send_documents"], "prep is kept"
        debtor = [t.text for t in call.attempt.turns if t.speaker == "debtor"]
        assert debtor[0].startswith("Vale Gardens, hello.")
        assert any("reloaded" in str(n.message).lower() for n in app._notifications)


@sync
async def test_broken_library_never_crashes_the_home_screen(tmp_path: Path) -> None:
    lib = write_library(tmp_path / "lib")
    (lib / "scenarios" / "tui-test.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    app = make_app([lib], data_dir=tmp_path / "data", speaking_pace=0, builtin=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert "problem" in plain(app.screen.query_one("#problems"))
        await pilot.press("f6")
        await pilot.pause()
        assert type(app.screen).__name__ == "DiagnosticsScreen"
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HomeScreen"


# --- home, help, palette, progress ---------------------------------------------------------------


@sync
async def test_home_remembers_the_trainee_and_filters(tmp_path: Path) -> None:
    app = test_app(tmp_path, trainee="")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.focused.id == "trainee"
        await pilot.press(*"Dana", "enter")
        assert app.focused.id == "filter"
        await pilot.press(*"nothing-matches")
        await pilot.pause()
        options = app.screen.query_one("#scenarios")
        assert options.get_option_at_index(0).disabled
        await pilot.press(*(["backspace"] * 15), *"robin")
        await pilot.pause()
        assert options.get_option_at_index(0).id == "tui-test"
    assert Settings(tmp_path / "data").trainee() == "Dana"


@sync
async def test_help_and_palette_commands(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HomeScreen"
        assert not app.coach_view
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"toggle coach")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.coach_view
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"robin is late")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "BriefingScreen"


@sync
async def test_coach_view_shows_the_live_scorecard(tmp_path: Path) -> None:
    app = test_app(tmp_path, coach=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_call(pilot)
        await send(pilot, "Hello, am I speaking with Robin Vale?")
        await ready(pilot)
        await pilot.pause()
        bars = app.screen.query_one("#coach-bars")
        assert bars.scores and "overall" in bars.scores


@sync
async def test_coach_tips_say_what_was_missed_and_on_which_line(tmp_path: Path) -> None:
    app = test_app(tmp_path, coach=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_call(pilot)
        await send(pilot, "Pay the $1,200 now.")
        await ready(pilot)
        await pilot.pause()
        from collectsim.scoring import score

        card = score(app.screen.attempt.record(), app.screen.attempt.loaded)
        worst = card.weakest(1)[0]
        tips = plain(app.screen.query_one("#coach-tips"))
        assert worst.criterion in tips, tips
        if worst.evidence:
            assert "Pay the $1,200 now." in tips


@pytest.mark.parametrize("bad", ["{not json", "[1, 2]", '{"trainee": 3}'])
def test_settings_survive_a_corrupt_file(tmp_path: Path, bad: str) -> None:
    (tmp_path / "settings.json").write_text(bad, encoding="utf-8")
    settings = Settings(tmp_path)
    assert settings.trainee() == ""
    settings.set_trainee("  Dana   Lee ")
    assert Settings(tmp_path).trainee() == "Dana Lee"


def test_settings_take_the_name_from_the_old_progress_file(tmp_path: Path) -> None:
    (tmp_path / "progress.json").write_text('{"trainee": "Ana", "best": {}}', encoding="utf-8")
    assert Settings(tmp_path).trainee() == "Ana"


@sync
async def test_transcript_names_who_answers_when_it_is_not_the_debtor(tmp_path: Path) -> None:
    receptionist = PERSONA.replace("stages: [", "speaker: Kayla\nstages: [", 1)
    app = test_app(tmp_path)
    write_library(tmp_path / "lib", persona=receptionist)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#start-call")
        await pilot.pause()
        transcript = app.screen.query_one("Transcript")
        assert transcript.debtor_name == "Kayla"
        assert "Kayla" in app.export_screenshot()  # the speaker column of her opening line


# --- found playing the built-in scenarios as a trainee -------------------------------------------


def many_scenarios(root: Path, n: int = 16) -> None:
    """n more scenarios whose titles grow a character at a time, so that at any width some row
    wraps exactly where a scrollbar appearing would move the edge."""
    for i in range(n):
        title = ("Robin " + "a " * 30)[: 30 + i].strip()
        text = SCENARIO.replace("id: tui-test", f"id: tui-test-{i}", 1).replace(
            'title: "[red]Robin[/red] is late [bold]"', f'title: "{title}"', 1
        )
        (root / "lib" / "scenarios" / f"tui-test-{i}.yaml").write_text(text, encoding="utf-8")


def lists_fit(screen) -> list[str]:
    """Option lists whose rows were measured at another width than they are drawn at (a row
    measured one line short loses its last line)."""
    from textual.geometry import Size
    from textual.widgets import OptionList

    wrong = []
    for ol in screen.query(OptionList):
        width = ol.scrollable_content_region.width
        drawn = ol.get_content_height(Size(width, 0), Size(width, 0), width)
        if ol.options and ol.virtual_size.height != drawn:
            wrong.append(f"{ol.id}: {ol.virtual_size.height} lines measured, {drawn} drawn")
    return wrong


@sync
async def test_scenario_rows_keep_their_last_line_when_the_list_scrolls(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    many_scenarios(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        options = app.screen.query_one("#scenarios")
        assert options.max_scroll_y > 0, "the list scrolls"
        assert lists_fit(app.screen) == []


@sync
async def test_the_latest_reply_stays_in_view_when_the_terminal_shrinks(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await start_call(pilot)
        for line in [
            "Hello, am I speaking with Robin Vale?",
            "I'm calling about invoice 5001 for $1,200, which was due on October 1.",
            "Could you tell me why it has not been paid yet?",
            "I understand, that sounds hard. What could you manage each month?",
            "How about 6 monthly payments of $200?",
        ]:
            await send(pilot, line)
        transcript = app.screen.query_one("#transcript")
        assert transcript.max_scroll_y == 0 or transcript.scroll_y == transcript.max_scroll_y
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert transcript.max_scroll_y > 0
        assert transcript.scroll_y == transcript.max_scroll_y, "the last reply is in view"


async def play_a_call(pilot, lines: list[str]) -> None:
    """From home: the briefing, documents sent, the call, these lines, hang up, the scorecard."""
    app = pilot.app
    app.open_briefing("tui-test")
    await pilot.pause()
    await pilot.press("d", "c")
    await pilot.pause()
    for line in lines:
        await send(pilot, line)
    await pilot.press("f9")
    await ready(pilot)
    await pilot.pause()


LONG_CALL = [
    "Hello, am I speaking with Robin Vale?",
    "I'm calling about invoice 5001 for $1,200, which was due on October 1.",
    "Could you tell me why it has not been paid yet?",
    "I see. Is there anything else I should know about the account?",
    "Okay. Let me check my notes for a second, please bear with me.",
    "How about 6 monthly payments of $200?",
    "Thank you Robin, goodbye.",
]


def in_view(scroll, widget) -> bool:
    top = widget.virtual_region.y
    return scroll.scroll_y <= top < scroll.scroll_y + scroll.scrollable_content_region.height


@sync
async def test_scorecard_opens_on_the_line_of_the_first_finding(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await play_a_call(pilot, LONG_CALL)
        screen = app.screen
        findings = screen.query_one("#findings")
        first = screen.card.findings[int(findings.highlighted_option.id)]
        assert first.turn is not None
        transcript = screen.query_one("#card-transcript")
        assert transcript.max_scroll_y > 0
        view = transcript.query_one(f"#turn-{first.turn}")
        assert view.has_class("-highlight")
        assert in_view(transcript, view), "the line the first finding is about is on screen"
        # "line N" in a finding is the number shown beside that turn
        assert plain(view.query_one(".n")) == str(first.turn)


@sync
async def test_outcome_says_when_a_success_outcome_was_not_counted(tmp_path: Path) -> None:
    """A promise given only to end the call has a success outcome's name but earns nothing: the
    verdict must not say "✓ success" beside a close finding that says it was not reached."""
    forced = PERSONA.replace(
        "fallback:",
        """  - id: forced
    priority: 60
    when: {acts: [request_payment]}
    do: {outcome: promise_to_pay, tag: [promise], remember: [forced_promise], stage: agreed}
    say: ["Fine, fine. I'll pay it Friday."]
fallback:""",
    )
    app = test_app(tmp_path)
    write_library(
        tmp_path / "lib",
        persona=forced,
        scenario=SCENARIO.replace("success: [", "success: [promise_to_pay, "),
    )
    async with app.run_test(size=(100, 32)) as pilot:
        await ready(pilot)
        await play_a_call(
            pilot, ["Hello, am I speaking with Robin Vale?", "Can you pay the $1,200 today?"]
        )
        screen = app.screen
        assert screen.attempt.record().outcome == "promise_to_pay"
        lost = [f for f in screen.card.findings if f.id == "success_outcome"]
        assert lost and lost[0].points < 0
        verdict = plain(screen.query_one("#outcome"))
        assert "✓ success" not in verdict
        assert "not counted" in verdict


@sync
async def test_finding_detail_says_what_is_missing_and_why_points_count(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await ready(pilot)
        await play_a_call(pilot, LONG_CALL[:3])
        screen = app.screen
        findings = screen.query_one("#findings")
        detail = screen.query_one("#finding-detail")

        async def show(pick) -> str:
            i = next(i for i, f in enumerate(screen.card.findings) if pick(f))
            findings.highlighted = next(k for k, o in enumerate(findings.options) if o.id == str(i))
            await pilot.pause()
            return plain(detail)

        missing = await show(lambda f: f.points < 0 and not f.evidence)
        assert missing.startswith("Not done in this call."), missing
        gained = await show(lambda f: f.points > 0 and f.tip)
        assert "Why it counts" in gained and "Tip" not in gained, gained
        lost = await show(lambda f: f.points < 0 and f.evidence and f.tip)
        assert "Tip" in lost, lost


@sync
async def test_saving_a_note_goes_back_to_the_line(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_call(pilot)
        await pilot.press("f4")
        assert app.focused.id == "note-input"
        await pilot.press(*"asks for a plan", "enter")
        await pilot.pause()
        assert app.screen.attempt.session.notes == ["asks for a plan"]
        assert app.focused.id == "line", "the next thing typed is said, not noted"
        await pilot.press(*"Hello", "enter")
        await pilot.pause()
        assert [t.text for t in app.screen.attempt.turns if t.speaker == "trainee"] == ["Hello"]


@sync
async def test_every_case_file_tab_is_readable_at_80_columns(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.open_briefing("tui-test")
        await pilot.pause()
        tabs = app.screen.query_one("#casefile Tabs")
        labels = list(tabs.query("Tab"))
        assert [str(t.label) for t in labels][-1] == "Authority"
        for tab in labels:
            assert tab.region.right <= tabs.region.right, f"{tab.label} is cut off"


@sync
async def test_back_on_home_typing_starts_a_new_filter(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press(*"robin", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "BriefingScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused.id == "filter"
        await pilot.press(*"late")
        await pilot.pause()
        assert app.screen.query_one("#filter").value == "late", "not 'robinlate'"
        options = app.screen.query_one("#scenarios")
        assert options.get_option_at_index(0).id == "tui-test"


@sync
async def test_escape_in_a_plan_field_leaves_the_field_not_the_briefing(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.open_briefing("tui-test")
        await pilot.pause()
        briefing = app.screen
        await pilot.press("o", *"confirm by email", "escape")
        await pilot.pause()
        assert app.screen is briefing, "still preparing"
        assert briefing.attempt.session.plans == {"paid_in_full": "confirm by email"}
        assert app.focused is not None and app.focused.id != "plan-paid_in_full"
        await pilot.press("escape")  # out of the field, Escape goes back as the footer says
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
