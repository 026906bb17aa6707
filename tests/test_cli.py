"""The headless contract of docs/cli: commands, JSON keys and exit codes that scripts rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from collectsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CORE = ("legitimate-excuse", "defensive", "off-topic")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_acts_with_text_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "acts", "Hi, this is Sam from Acme, am I speaking with Chris?")
    assert code == 0
    obj = json.loads(out)
    assert obj["text"] == "Hi, this is Sam from Acme, am I speaking with Chris?"
    assert {"greet", "introduce_self", "verify_identity"} <= set(obj["acts"])


def test_acts_reads_stdin_one_object_per_line_in_order(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("hello\nok\nyou owe $2,350 on invoice 4471\n"))
    code, out, _ = run(capsys, "acts")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [r["text"] for r in rows] == ["hello", "ok", "you owe $2,350 on invoice 4471"]
    assert rows[1]["acts"] == []
    assert rows[2]["amounts"] == [2350.0] and rows[2]["invoice_numbers"] == ["4471"]


def _play(capsys: pytest.CaptureFixture[str], scenario: str, script: Path) -> dict:
    code, out, err = run(capsys, "play", scenario, "--script", str(script), "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("scenario", CORE)
def test_play_json_has_the_contract_keys(capsys: pytest.CaptureFixture[str], scenario: str) -> None:
    script = EXAMPLES / f"{scenario}-good.txt"
    if not script.exists():
        pytest.skip(f"{script.name} not written yet")
    data = _play(capsys, scenario, script)
    for key in ("scenario", "seed", "outcome", "turns", "notes", "scores", "flags", "findings"):
        assert key in data
    assert data["scenario"] == scenario and data["seed"] == 0
    for turn in data["turns"]:
        assert {"n", "speaker", "text"} <= turn.keys()
        assert turn["speaker"] in {"trainee", "debtor", "system"}
        if turn["speaker"] == "trainee":
            assert isinstance(turn["acts"], list)
    assert [t["n"] for t in data["turns"]] == list(range(1, len(data["turns"]) + 1))
    assert set(data["scores"]) >= {"preparation", "professionalism", "empathy", "close", "overall"}
    assert all(isinstance(v, int) and 0 <= v <= 100 for v in data["scores"].values())


@pytest.mark.parametrize("scenario", CORE)
def test_good_and_bad_calls_end_differently(
    capsys: pytest.CaptureFixture[str], scenario: str
) -> None:
    good, bad = EXAMPLES / f"{scenario}-good.txt", EXAMPLES / f"{scenario}-pushy.txt"
    if not (good.exists() and bad.exists()):
        pytest.skip("example scripts not written yet")
    g, b = _play(capsys, scenario, good), _play(capsys, scenario, bad)
    assert g["outcome"] != b["outcome"]
    assert g["scores"]["overall"] > b["scores"]["overall"]


def test_play_is_deterministic_for_a_seed(capsys: pytest.CaptureFixture[str]) -> None:
    script = EXAMPLES / "legitimate-excuse-good.txt"
    argv = ("play", "legitimate-excuse", "--script", str(script), "--json", "--seed", "7")
    first, second = (json.loads(run(capsys, *argv)[1]) for _ in range(2))
    for data in (first, second):
        data.pop("attempt", None)  # the record id in the history differs by design
    assert first == second and first["seed"] == 7


def test_play_human_output_shows_transcript_and_outcome(capsys: pytest.CaptureFixture[str]) -> None:
    script = EXAMPLES / "legitimate-excuse-good.txt"
    code, out, _ = run(capsys, "play", "legitimate-excuse", "--script", str(script))
    assert code == 0
    assert "Jordan" in out and "Outcome: payment_plan" in out


def test_play_accepts_a_scenario_file_path(capsys: pytest.CaptureFixture[str]) -> None:
    data = _play(
        capsys,
        str(ROOT / "scenarios" / "legitimate-excuse.yaml"),
        EXAMPLES / "legitimate-excuse-good.txt",
    )
    assert data["scenario"] == "legitimate-excuse"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("play", "no-such-scenario", "--script", "x.txt"), "no-such-scenario"),
        (("play", "legitimate-excuse", "--script", "/nonexistent/call.txt"), "call.txt"),
        (("show", "legitmate-excuse"), "legitimate-excuse"),  # did-you-mean
        (("frobnicate",), "frobnicate"),
        (("play", "legitimate-excuse"), "--script"),
        (("schema", "nothing"), "nothing"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], needle: str
) -> None:
    code, _out, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and needle in err
    assert "Traceback" not in err


def test_script_errors_point_at_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    script = tmp_path / "call.txt"
    script.write_text("hello\n/teleport\n", encoding="utf-8")
    code, _, err = run(capsys, "play", "legitimate-excuse", "--script", str(script))
    assert code == 2 and f"{script}:2:1: error: unknown action '/teleport'" in err


def test_show_json_is_the_case_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "legitimate-excuse", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["id"] == "legitimate-excuse" and data["persona"] == "legitimate-excuse"
    assert data["creditor"]["name"] == "Northwind Supplies"
    assert data["collector"]["name"] == "Sam" and data["debtor"]["name"] == "Jordan Reyes"
    assert data["invoices"] == [
        {
            "number": "4471",
            "amount": 2350.0,
            "currency": "USD",
            "issued": "2026-09-03",
            "due": "2026-10-03",
            "description": "Drip irrigation kits and 40 rain-sensor valves",
        }
    ]


def test_show_text_is_a_readable_briefing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "legitimate-excuse")
    assert code == 0 and "#4471" in out and "$2,350" in out and "up to 6 months" in out


def test_list_shows_the_core_scenarios_in_learning_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "list", "--json")
    rows = json.loads(out)
    ids = [r["id"] for r in rows]
    assert code == 0 and "legitimate-excuse" in ids
    assert [r["order"] for r in rows] == sorted(r["order"] for r in rows)
    assert {"id", "title", "persona", "difficulty"} <= rows[0].keys()


def test_schema_prints_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "persona")
    schema = json.loads(out)
    assert code == 0 and "$schema" in schema and "rules" in json.dumps(schema)


def test_the_installed_entry_point_runs_without_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", "collectsim", "play", "nope", "--script", "x"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "collectsim", "acts", "ok"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0 and json.loads(proc.stdout)["acts"] == []


def test_play_json_carries_no_human_text(capsys: pytest.CaptureFixture[str]) -> None:
    data = _play(capsys, "legitimate-excuse", EXAMPLES / "legitimate-excuse-good.txt")
    assert not [k for k in data if k.startswith("_")]
