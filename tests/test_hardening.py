"""Hardening: no input a trainee types or a trainer's file holds may crash collectsim, hang it,
exhaust its memory, or reach the terminal as escape sequences.

What is here and not in the loader's own tests (tests/test_loading.py): property tests that drive
the analyser and a real `CallSession` with arbitrary Unicode, the single-file loaders fed arbitrary
bytes spliced into real files, a hostile-file corpus (tests/data/hostile/, plus 50 MB and deeply
nested files generated here) refused quickly and with bounded memory through `load_scenario_file`
and end to end through the CLI, and escape sequences / markup in CLI output and reports.

Bugs whose fix belongs in a file owned by someone else are `xfail(strict=True)` with the fix in
the reason, so the suite turns red (XPASS) the moment they are fixed and the marker must go.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectsim.acts import ACT_SET
from collectsim.analysis import Analysis, analyse
from collectsim.cli import main, render_transcript
from collectsim.diagnostics import LoadError
from collectsim.engine import CallOver, CallSession
from collectsim.loading import load_library, load_persona_file, load_scenario_file
from collectsim.script import parse_script, read_script, replay

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "data" / "hostile"
EXAMPLE = ROOT / "examples" / "legitimate-excuse-good.txt"
SCENARIO_TEXT = (ROOT / "scenarios" / "legitimate-excuse.yaml").read_bytes()
PERSONA_TEXT = (ROOT / "personas" / "legitimate-excuse.yaml").read_bytes()

#: Generous bounds: refusing a hostile file must be quick and cheap even on a busy CI machine.
FAST_SECONDS = 2.0
PEAK_BYTES = 64 << 20
MB50 = 50 << 20

#: Terminal control: C0 except tab/newline, DEL, C1 (0x9b is a one-byte CSI), bidi overrides.
TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Characters HTML forbids (C0 except tab/newline/CR, DEL, C1).
HTML_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# --- strategies ---------------------------------------------------------------------------------

NASTY = [
    "\x00",
    "\x07",
    "\x08",
    "\x1b[31m",
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\x9b31m",
    "\x7f",
    "\r",
    "\r\n",
    "\t",
    "\x0b",
    "\x0c",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u200b",
    "\u202e",
    "\u2066",
    "\u200f",
    "\ud800",
    "\udfff",
    "\U0010ffff",
    "\ufffd",
    "[bold]",
    "[/]",
    "[/bold]",
    "[link=https://x.test]",
    "[@click=app.quit]",
    "[red on blue]",
    "<script>alert(1)</script>",
    "&amp;",
    "**",
    "`",
    "|",
    "{invoice.number}",
    "{",
    "%s",
    "\\",
    "😀",
    "👩‍👩‍👧‍👦",
    "🇬🇧",
    "e\u0301",
    "ﬁ",
    "Ⅻ",
    "١٢٣",
    "שלום",
    "مرحبا",
    "日本語",
    "ＡＢＣ",
    "$2,350",
    "€1.000,50",
    "invoice 4471",
    "INV-4471",
    "10/3",
    "I understand",
    "PAY NOW!!!",
    "pay or we sue",
    "6 monthly payments of $392",
    "is this Jordan Reyes?",
    "1" * 40,
]
fragments = st.one_of(st.text(max_size=40), st.sampled_from(NASTY))
lines = st.lists(fragments, max_size=10).map("".join)


def _paste(unit: str, size: int = 100_000) -> str:
    return (unit * (size // max(len(unit), 1) + 1))[:size]


PASTES = {
    "words": _paste("I understand, can you pay $392 a month for 6 months? "),
    "one-word": "a" * 100_000,
    "digits": "9" * 100_000,
    "commas": _paste("1,"),
    "dollars": _paste("$1 "),
    "invoices": _paste("INV-"),
    "dates": _paste("the 3rd of october "),
    "emoji": _paste("😀👩‍👩‍👧‍👦"),
    "rtl": _paste("\u202eשלום مرحبا "),
    "markup": _paste("[bold][/]"),
    "escapes": _paste("\x1b[31m"),
    "nul": "\x00" * 100_000,
    "combining": "e" + "\u0301" * 99_999,
}

# --- helpers ------------------------------------------------------------------------------------


def bounded(
    fn: Callable[[], object], seconds: float = FAST_SECONDS, peak: int = PEAK_BYTES
) -> BaseException | None:
    """Runs ``fn`` twice: timed (bound ``seconds``), then under tracemalloc (bound ``peak`` bytes
    allocated at once; tracing slows Python down, so it is not timed). Returns what ``fn`` raised
    (a `LoadError` for hostile files), or None."""

    def call() -> BaseException | None:
        try:
            fn()
        except LoadError as exc:
            return exc
        return None

    start = time.perf_counter()
    raised = call()
    elapsed = time.perf_counter() - start
    assert elapsed < seconds, f"took {elapsed:.2f} s (bound {seconds} s)"
    tracemalloc.start()
    try:
        call()
        _, top = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert top < peak, f"peak allocation {top / 2**20:.1f} MiB (bound {peak / 2**20:.0f} MiB)"
    return raised


def refused(
    fn: Callable[[], object], seconds: float = FAST_SECONDS, peak: int = PEAK_BYTES
) -> LoadError:
    """`bounded`, and ``fn`` must have raised a `LoadError`."""
    raised = bounded(fn, seconds, peak)
    assert isinstance(raised, LoadError), f"not refused: {raised!r}"
    return raised


def assert_clean_load_error(err: LoadError, name: str) -> None:
    """Every problem names the file and a line; the one-line summary starts with `file:line:`."""
    assert err.diagnostics
    for d in err.diagnostics:
        assert d.file == name, d
        assert d.line >= 1 and d.col >= 1, d
    assert re.match(rf"{re.escape(name)}:\d+:\d+: error: \S", str(err)), str(err)
    assert "\n" not in str(err)


@pytest.fixture(scope="module")
def loaded():  # type: ignore[no-untyped-def]
    return load_library().bind("legitimate-excuse")


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_refusal(code: int, err: str, *, codes: tuple[int, ...] = (2,)) -> str:
    assert code in codes, (code, err)
    assert "Traceback" not in err
    lines_ = [x for x in err.splitlines() if x.strip() and not x.startswith("Recorded as")]
    assert len(lines_) == 1, err
    assert lines_[0].startswith("collectsim: "), lines_[0]
    return lines_[0]


# --- the analyser -------------------------------------------------------------------------------


def _check_analysis(text: str, a: Analysis) -> None:
    assert isinstance(a, Analysis)
    assert set(a.acts) <= ACT_SET
    assert a.text == text
    json.dumps(a.to_json(), ensure_ascii=False)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines)
def test_analyser_takes_any_line(text: str) -> None:
    _check_analysis(text, analyse(text))


@settings(deadline=None, max_examples=40)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300))
def test_analyser_takes_any_code_point(text: str) -> None:
    _check_analysis(text, analyse(text))


@pytest.mark.parametrize("kind", sorted(PASTES))
def test_analyser_100kb_paste_is_quick(kind: str) -> None:
    text = PASTES[kind]
    analyse(text)  # first call may build caches
    bounded(lambda: _check_analysis(text, analyse(text)), 1.0)


def test_analyser_markup_and_escapes_are_not_acts_by_themselves() -> None:
    for text in ("[bold][/]", "\x1b[31m\x1b[0m", "\x00\x00", "<script></script>", "\u202e"):
        assert analyse(text).acts == (), text


# --- the engine ---------------------------------------------------------------------------------


def _drive(loaded, said: list[str], seed: int = 0) -> CallSession:  # type: ignore[no-untyped-def]
    session = CallSession(loaded, seed=seed)
    for text in said:
        if session.ended:
            with pytest.raises(CallOver):
                session.say(text)
            break
        turns = session.say(text)
        trainee = [t for t in turns if t.speaker == "trainee"]
        assert len(trainee) == 1 and trainee[0].text == text  # kept exactly as typed
        replies = [t for t in turns if t.speaker == "debtor"]
        assert replies and all(isinstance(t.text, str) and t.text for t in replies)
    session.hang_up()
    return session


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines, min_size=1, max_size=8), st.integers(0, 2**32 - 1))
def test_engine_replies_to_any_lines(loaded, said: list[str], seed: int) -> None:  # type: ignore[no-untyped-def]
    session = _drive(loaded, said, seed)
    record = session.record()
    json.dumps(record.to_json(), ensure_ascii=False)
    render_transcript(record)
    from collectsim.scoring import score

    score(record, loaded)


@settings(deadline=None, max_examples=15)
@given(st.lists(st.sampled_from(sorted(PASTES)), min_size=1, max_size=3))
def test_engine_takes_100kb_pastes(loaded, kinds: list[str]) -> None:  # type: ignore[no-untyped-def]
    bounded(lambda: _drive(loaded, [PASTES[k] for k in kinds]), 3.0 * len(kinds))


@settings(deadline=None, max_examples=30)
@given(st.lists(lines, max_size=6))
def test_any_script_text_parses_or_fails_with_a_line(said: list[str]) -> None:
    text = "\n".join(said)
    try:
        steps = parse_script(text, "s.txt")
    except LoadError as e:
        assert all(d.file == "s.txt" and d.line >= 1 for d in e.diagnostics)
    else:
        assert all(s.line >= 1 for s in steps)


# --- the loader: arbitrary bytes ----------------------------------------------------------------

binary_junk = st.one_of(
    st.binary(max_size=64),
    st.sampled_from(
        [
            b"\xff",
            b"\xc3",
            b"\xed\xa0\x80",
            b"\x00",
            b"\x1b[2J",
            b"\xef\xbb\xbf",
            b"\xfe\xff",
            b"!!python/object/apply:os.system ['true']",
            b"&a",
            b"*a",
            b"<<: *a",
            b"\t",
            b"\r",
            b"\xe2\x80\xae",
            b"- - - - -",
            b"[[[[",
            b"{{{{",
        ]
    ),
    st.text(max_size=20).map(lambda s: s.encode("utf-8", "surrogatepass")),
)


def test_junk_on_a_last_line_without_newline_is_placed_on_that_line(tmp_path: Path) -> None:
    """A stray line typed at the end of a file with no final newline: the error must name that
    last line (it used to name the line after it, which the trainer's editor does not have)."""
    path = tmp_path / "persona.yaml"
    raw = PERSONA_TEXT.rstrip(b"\n") + b"\nremember to fix this"
    path.write_bytes(raw)
    with pytest.raises(LoadError) as caught:
        load_persona_file(path)
    assert caught.value.diagnostics[0].line == raw.count(b"\n") + 1


@settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(["persona", "scenario"]), st.data())
def test_loader_turns_any_bytes_into_a_load_or_a_file_line_error(
    tmp_path: Path, kind: str, data: st.DataObject
) -> None:
    source = PERSONA_TEXT if kind == "persona" else SCENARIO_TEXT
    mode = data.draw(st.sampled_from(["splice", "whole"]))
    if mode == "whole":
        raw = data.draw(st.binary(max_size=400))
    else:
        at = data.draw(st.integers(0, len(source)))
        drop = data.draw(st.integers(0, 8))
        raw = source[:at] + data.draw(binary_junk) + source[at + drop :]
    path = tmp_path / f"{kind}.yaml"
    path.write_bytes(raw)
    loader: Callable[[Path], object] = (
        load_persona_file if kind == "persona" else load_scenario_file
    )
    try:
        loader(path)
    except LoadError as e:
        assert_clean_load_error(e, e.diagnostics[0].file)
        assert Path(e.diagnostics[0].file).name == path.name
        assert all(d.line <= raw.count(b"\n") + 1 for d in e.diagnostics)


# --- the hostile corpus -------------------------------------------------------------------------

#: File -> a fragment the one-line reason must contain.
CORPUS = {
    "billion_laughs_scenario.yaml": "alias bomb",
    "merge_bomb.yaml": "alias bomb",
    "png_magic.yaml": "not a text file",
    "gzip.yaml": "not a text file",
    "shift_jis.yaml": "not valid UTF-8",
    "utf32.yaml": "UTF-",
    "python_name.yaml": "",
    "python_apply.yaml": "",
}


def test_corpus_is_complete() -> None:
    assert sorted(p.name for p in HOSTILE.iterdir()) == sorted(CORPUS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_file_is_refused_quickly(name: str) -> None:
    path = HOSTILE / name
    err = refused(lambda: load_scenario_file(path))
    assert_clean_load_error(err, err.diagnostics[0].file)
    assert CORPUS[name] in str(err)


def test_python_tags_are_named_and_never_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("python_apply.yaml", "python_name.yaml"):
        with pytest.raises(LoadError) as info:
            load_scenario_file(HOSTILE / name)
        messages = [d.message for d in info.value.diagnostics]
        assert any("Python tags" in m for m in messages), messages
    assert not (tmp_path / "COLLECTSIM_PWNED").exists()


def test_python_tag_is_the_reason_given() -> None:
    with pytest.raises(LoadError) as info:
        load_scenario_file(HOSTILE / "python_apply.yaml")
    assert "Python tags" in str(info.value)


def test_utf32_is_named() -> None:
    with pytest.raises(LoadError) as info:
        load_scenario_file(HOSTILE / "utf32.yaml")
    assert "UTF-32" in str(info.value)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 50 MB YAML-looking text file (written once per module, never committed)."""
    path = tmp_path_factory.mktemp("big") / "big.yaml"
    chunk = b"  " + b"lol " * 30 + b"\n"
    with path.open("wb") as fh:
        fh.write(b"id: big\npersona: legitimate-excuse\ndescription: |\n")
        block = chunk * 4096
        while fh.tell() < MB50:
            fh.write(block)
    return path


def test_50mb_file_is_refused_without_reading_it(big_file: Path) -> None:
    for loader in (load_scenario_file, load_persona_file):
        err = refused(lambda loader=loader: loader(big_file), peak=8 << 20)
        assert "too large" in str(err)


def test_50mb_file_reports_its_real_size(big_file: Path) -> None:
    with pytest.raises(LoadError) as info:
        load_scenario_file(big_file)
    assert f"{big_file.stat().st_size:,} bytes" in str(info.value)


def test_50mb_script_is_refused_without_reading_it(big_file: Path) -> None:
    assert "larger than" in str(refused(lambda: read_script(big_file), peak=8 << 20))


def test_50mb_paste_as_a_line_is_clipped_not_choked(loaded) -> None:  # type: ignore[no-untyped-def]
    text = "I understand " * (MB50 // 13 // 10)  # 5 MB: the engine keeps it, analysis clips it
    bounded(lambda: CallSession(loaded).say(text), 3.0, peak=64 << 20)


DEEP = {
    "flow-100k": "id: deep\nrules: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "flow-mixed": "id: deep\nrules: " + "{a: [" * 20_000 + "]}" * 20_000 + "\n",
    "dashes": "id: deep\nrules:\n" + "- " * 50_000 + "x\n",
    "block": "id: deep\nrules:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 1_200)),
    "anchored": "id: deep\na: &a " + "[" * 60 + "]" * 60 + "\nrules: [" + "*a, " * 5 + "]\n",
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting_is_refused_or_loaded_quickly(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(DEEP[name], encoding="utf-8")
    err = refused(lambda: load_persona_file(path))
    assert_clean_load_error(err, err.diagnostics[0].file)


# --- end to end through the CLI -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_cli_play_refuses_hostile_scenario_in_one_line(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["play", str(HOSTILE / name), "--script", str(EXAMPLE)], capsys)
    line = assert_one_line_refusal(code, err)
    assert re.search(r"\.yaml:\d+:\d+: error: ", line), line
    assert out == ""


def test_cli_play_refuses_50mb_scenario_and_script(
    big_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = time.perf_counter()
    code, _, err = run_cli(["play", str(big_file), "--script", str(EXAMPLE)], capsys)
    assert time.perf_counter() - start < 5.0
    assert "too large" in assert_one_line_refusal(code, err)
    code, _, err = run_cli(["play", "legitimate-excuse", "--script", str(big_file)], capsys)
    assert "larger than" in assert_one_line_refusal(code, err)


@pytest.mark.parametrize(
    "script",
    [
        b"\xff\xfe\x00h\x00i",
        b"hello \xc3(\n",
        b"\x00\x01\x02",
        b"/frobnicate\n",
        b"/plan no colon\n",
    ],
)
def test_cli_play_refuses_bad_scripts_in_one_line(
    tmp_path: Path, script: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.txt"
    path.write_bytes(script)
    code, _, err = run_cli(["play", "legitimate-excuse", "--script", str(path)], capsys)
    if code == 0:  # NUL/control bytes are valid UTF-8: the line is simply said
        assert script == b"\x00\x01\x02"
        return
    assert "s.txt" in assert_one_line_refusal(code, err)


def test_cli_check_refuses_hostile_files(capsys: pytest.CaptureFixture[str]) -> None:
    from collectsim.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    if "check" not in commands:
        pytest.skip("`collectsim check` is not there yet")
    code, out, err = run_cli(["check", str(HOSTILE)], capsys)
    assert code in (1, 2)
    assert "Traceback" not in out + err
    for name in CORPUS:
        assert name in out + err


def test_cli_subprocess_end_to_end(tmp_path: Path) -> None:
    """The real `python -m collectsim` on an alias bomb: exit 2, one line, quick."""
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "collectsim",
            "play",
            str(HOSTILE / "merge_bomb.yaml"),
            "--script",
            str(EXAMPLE),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={
            "PYTHONPATH": str(ROOT / "src"),
            "PATH": "/usr/bin:/bin",
            "COLLECTSIM_DB": str(tmp_path / "r.db"),
            "COLLECTSIM_DATA_DIR": str(tmp_path),
        },
    )
    assert time.perf_counter() - start < 30
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "alias bomb" in proc.stderr


# --- escape sequences and markup in output ------------------------------------------------------

HOSTILE_LINES = [
    "Hi, this is Sam \x1b[31mRED\x1b[0m from Northwind [bold]x[/] <b>&amp;</b>",
    "\x1b]0;pwned\x07 I understand \x9b2J that sounds hard",
    "\u202eevil\u202c is this Jordan Reyes? <script>alert(1)</script>",
]


@pytest.fixture
def hostile_script(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.txt"
    path.write_text("\n".join(HOSTILE_LINES) + "\n", encoding="utf-8")
    return path


def test_play_json_escapes_control_characters(
    hostile_script: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        ["play", "legitimate-excuse", "--script", str(hostile_script), "--json"], capsys
    )
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    said = [t["text"] for t in json.loads(out)["turns"] if t["speaker"] == "trainee"]
    assert said == HOSTILE_LINES  # kept literally in the record


def test_play_text_keeps_markup_literal(
    hostile_script: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["play", "legitimate-excuse", "--script", str(hostile_script)], capsys)
    assert code == 0
    assert "[bold]x[/]" in out and "<b>&amp;</b>" in out


def test_play_text_output_has_no_terminal_control(
    hostile_script: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["play", "legitimate-excuse", "--script", str(hostile_script)], capsys)
    assert code == 0
    assert not TERMINAL_CONTROL.search(out), TERMINAL_CONTROL.findall(out)[:5]


@pytest.fixture
def escaping_library(tmp_path: Path) -> Path:
    """A valid scenario whose YAML double-quoted title uses the `\\e` (ESC) and `\\a` escapes."""
    lib = tmp_path / "lib"
    (lib / "scenarios").mkdir(parents=True)
    text = SCENARIO_TEXT.decode("utf-8")
    text = re.sub(r"(?m)^id: .*$", "id: esc-test", text, count=1)
    text = re.sub(
        r"(?m)^title: .*$", r'title: "\\e[31mRED\\e]0;pwned\\a [bold]b[/]"', text, count=1
    )
    (lib / "scenarios" / "esc.yaml").write_text(text, encoding="utf-8")
    return lib


def test_yaml_escapes_load_as_text(escaping_library: Path) -> None:
    lib = load_library(extra=[escaping_library])
    assert lib.scenarios["esc-test"].title.startswith("\x1b[31m")


def test_list_and_show_have_no_terminal_control(
    escaping_library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (["list"], ["show", "esc-test"]):
        code, out, _ = run_cli(["--library", str(escaping_library), *args], capsys)
        assert code == 0
        assert not TERMINAL_CONTROL.search(out), (args, TERMINAL_CONTROL.findall(out)[:5])


def _recorded_report(hostile_script: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    pytest.importorskip("collectsim.reports")
    from collectsim.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    if "report" not in commands:
        pytest.skip("`collectsim report` is not there yet")
    code, _, _ = run_cli(["play", "legitimate-excuse", "--script", str(hostile_script)], capsys)
    assert code == 0
    code, out, err = run_cli(["report", "last", "--format", fmt], capsys)
    assert code == 0, err
    return out


def test_html_report_escapes_trainee_text(
    hostile_script: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _recorded_report(hostile_script, "html", capsys)
    assert "<script>alert(1)</script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<b>&amp;</b>" not in out and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in out
    assert "[bold]x[/]" in out  # markup is shown literally


def test_html_report_has_no_control_characters(
    hostile_script: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _recorded_report(hostile_script, "html", capsys)
    assert not HTML_CONTROL.search(out), HTML_CONTROL.findall(out)[:5]


def test_markdown_report_has_no_terminal_control(
    hostile_script: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _recorded_report(hostile_script, "md", capsys)
    assert not TERMINAL_CONTROL.search(out), TERMINAL_CONTROL.findall(out)[:5]


def test_replay_of_hostile_lines_is_deterministic(loaded) -> None:  # type: ignore[no-untyped-def]
    steps = parse_script("\n".join(HOSTILE_LINES), "h.txt")
    first, _ = replay(CallSession(loaded, seed=3), steps)
    second, _ = replay(CallSession(loaded, seed=3), steps)
    assert first.to_json() == second.to_json()
