"""Conversation tests: the built-in suite passes, and a wrong expectation fails readably."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collectsim.cli import main

ROOT = Path(__file__).resolve().parents[1]

WRONG = """\
scenario: legitimate-excuse
name: a deliberately wrong expectation
script:
  - /send-documents
  - Hi, this is Sam from Northwind Supplies. Am I speaking with Jordan Reyes?
  - expect: {stage: agreed, reply: "who are you"}
  - I'm calling about invoice 4471 for $2,350, which was due on October 3rd.
  - Thanks for your time, goodbye.
end:
  outcome: payment_plan
  scores: {overall: ">= 90"}
"""


def _write(tmp_path: Path, text: str, name: str = "t.yaml") -> Path:
    folder = tmp_path / "tests"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_library_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["test"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert " 0 failed " in out


def test_every_builtin_scenario_has_a_strong_and_a_weak_test() -> None:
    from collectsim.loading import load_library

    tests = {p.stem for p in (ROOT / "scenarios" / "tests").glob("*.yaml")}
    for sid in load_library().scenarios:
        assert {f"{sid}-strong", f"{sid}-weak"} <= tests, sid


def test_wrong_expectation_fails_with_a_readable_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, WRONG)
    code = main(["test", str(path)])
    out = capsys.readouterr().out
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "collected 1 test"
    assert lines[2] == "F"
    assert "FAILURES" in out and "a deliberately wrong expectation" in out
    name = str(path)
    assert (f"{name}:6:14: error: after step 2 (\"Hi, this is Sam from Northwind Supplies. Am "
            "I s...\"): expected stage 'agreed', got 'identified'") in lines
    assert any(line.startswith(f"{name}:6:29: error: after step 2") and "who are you" in line
               for line in lines)
    assert f"{name}:10:3: error: at the end: expected outcome 'payment_plan', got 'no_agreement'" \
        in lines
    assert any(line.startswith(f"{name}:11:12: error: at the end: expected overall >= 90, got ")
               for line in lines)
    # the transcript around the failing step, the reply marked
    marked = [line for line in lines if line.startswith("  > ")]
    assert marked and "debtor" in marked[0] and "rule confirms-identity" in marked[0]
    assert lines[-1].strip("= ") == "0 passed, 1 failed"


def test_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, WRONG)
    assert main(["test", str(path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["passed"] == 0 and report["failed"] == 1
    (test,) = report["tests"]
    assert test["status"] == "failed" and test["outcome"] == "no_agreement"
    assert {f["line"] for f in test["failures"]} == {6, 10, 11}


def test_expect_after_step_n_and_a_script_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "call.txt"
    script.write_text(
        "/send-documents\nHi, this is Sam from Northwind Supplies. Am I speaking with Jordan "
        "Reyes?\nThanks, goodbye.\n",
        encoding="utf-8",
    )
    path = _write(tmp_path, """\
scenario: legitimate-excuse
script: ../call.txt
expect:
  - after: 2
    stage: identified
    rule: confirms-identity
    tags: [answer]
    acts: [verify_identity]
    meters: {patience: ">= 60"}
end:
  outcome: no_agreement
  ended_by: trainee
  no_flags: [threaten]
""")
    assert main(["test", str(path)]) == 0, capsys.readouterr().out


def test_steps_after_the_call_ended_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, """\
scenario: defensive
script:
  - Is this Tess Okafor?
  - That's not my problem, pay now.
  - I'm not hanging up until you give me a date. Pay today or else.
  - You are useless, pay it NOW!!!
  - I'm not hanging up until you give me a date.
  - Anything else?
  - expect: {stage: defensive}
end:
  outcome: hung_up
""")
    code = main(["test", str(path)])
    out = capsys.readouterr().out
    if code == 0:
        pytest.skip("the persona put up with all of it")
    assert "never played, the call had already ended after step" in out


def test_bad_test_files_are_errors_with_positions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, """\
scenario: legitimate-excuse
script:
  - expect: {stage: opening}
  - no
  - /dance
expct: []
end:
  outcome: paid
""")
    assert main(["test", str(path)]) == 1
    out = capsys.readouterr().out
    assert "E" in out.splitlines()[2]
    assert "0 passed, 0 failed, 1 errors" in out
    name = str(path)
    assert f"{name}:6:1: error: unknown key 'expct' (did you mean 'expect'?)" in out
    assert "put the line in quotes" in out
    assert "unknown outcome 'paid'" in out


def test_unknown_scenario_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "scenario: no-such-scenario\nscript: [hello]\n")
    assert main(["test", str(path)]) == 1
    assert "unknown scenario 'no-such-scenario'" in capsys.readouterr().out


def test_no_tests_found_is_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(tmp_path)]) == 2
    assert "no conversation tests found" in capsys.readouterr().err


def test_worked_example_in_the_guide_passes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = ROOT / "docs" / "example"
    if not example.is_dir():
        pytest.skip("no worked example")
    monkeypatch.chdir(example)
    assert main(["check", "--strict", "."]) == 0, capsys.readouterr()
    assert main(["--library", ".", "test", "scenarios/tests"]) == 0, capsys.readouterr().out


def test_new_files_pass_check_and_play(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "schemas"]) == 0
    assert main(["new", "persona", "my-debtor"]) == 0
    assert main(["new", "scenario", "my-call", "--persona", "my-debtor"]) == 0
    text = (tmp_path / "personas" / "my-debtor.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/persona.schema.json\n")
    capsys.readouterr()
    assert main(["check", "--strict", "."]) == 0, capsys.readouterr()
    script = tmp_path / "s.txt"
    script.write_text("Hi, this is Sam from Acme. Am I speaking with the account holder?\n"
                      "Could we split it into 3 monthly payments of $300?\n", encoding="utf-8")
    assert main(["play", "scenarios/my-call.yaml", "--script", str(script), "--json"]) == 0
    played = json.loads(capsys.readouterr().out.splitlines()[0])
    assert played["outcome"] == "payment_plan"
    assert main(["new", "test", "my-call-strong", "--scenario", "my-call"]) == 0
    assert main(["test"]) in (0, 1)  # the built-in suite, found without the new folder
    assert main(["--library", ".", "test", "scenarios/tests"]) == 0
    assert main(["new", "persona", "my-debtor"]) == 2  # refuses to overwrite
    assert "already exists" in capsys.readouterr().err
    assert main(["new", "persona", "Bad Name"]) == 2
