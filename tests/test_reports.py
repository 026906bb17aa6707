"""Reports from hand-made records (no database): content, escaping of untrusted text, and the
history and team-summary renderings."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re

import pytest

from collectsim.reports import (
    attempt_html,
    attempt_json,
    attempt_markdown,
    history_json,
    history_text,
    md_escape,
    render_attempt,
    sparkline,
    summary_csv,
    summary_json,
    summary_text,
)
from collectsim.store.records import (
    Attempt,
    GroupStats,
    History,
    LostCriterion,
    ScenarioHistory,
    TeamSummary,
    TrendPoint,
)
from collectsim.transcript import Turn

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)> [click](http://evil.test) | *b*'
T0 = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _no_real_data_dir(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("COLLECTSIM_DB", str(tmp_path_factory.mktemp("default-db") / "x.db"))


def _attempt(
    *, finished: bool = True, trainee: str = "ana", line: str = "Hello, Jordan?"
) -> Attempt:
    turns = (
        Turn(n=1, speaker="system", text="Sent invoice to the debtor before the call.",
             kind="send_documents", in_call=False),
        Turn(n=2, speaker="system", text="Calling Jordan Reyes...", kind="call_start"),
        Turn(n=3, speaker="debtor", text="Yes, speaking.", tags=("answer",)),
        Turn(n=4, speaker="trainee", text=line, acts=("greet",)),
        Turn(n=5, speaker="system", text=f"note: {line}", kind="note"),
    )
    findings = (
        {"dimension": "empathy", "criterion": "acknowledged the reason", "id": "ack",
         "points": -12, "turn": 4, "evidence": line, "tip": "Name what you heard first."},
        {"dimension": "close", "criterion": "summarised the agreement", "id": "summary",
         "points": -8, "turn": None, "evidence": None, "tip": "Repeat amount and date."},
        {"dimension": "preparation", "criterion": "sent the invoice", "id": "docs",
         "points": 25, "turn": 1, "evidence": "Sent invoice", "tip": "x"},
    )
    return Attempt(
        id=12, trainee=trainee, scenario="legitimate-excuse", content_hash="ab" * 32, seed=3,
        mode="practice", started_at=T0, ended_at=T0 + dt.timedelta(minutes=4),
        finished=finished, outcome="payment_plan" if finished else None,
        ended_by="trainee" if finished else None, turn_count=len(turns),
        scores={"overall": 71, "preparation": 100, "empathy": 58} if finished else {},
        source=None, app_version="0.1.0", turns=turns, notes=(f"note: {line}",),
        plans={"payment_plan": "confirm by email"},
        flags=({"kind": "pressure", "turn": 4, "text": line, "critical": False},)
        if finished else (),
        findings=findings if finished else (),
    )


def test_json_document_has_everything_to_share():
    doc = attempt_json(_attempt())
    assert doc["attempt"] == 12 and doc["status"] == "finished"
    assert doc["scores"]["overall"] == 71 and len(doc["findings"]) == 3
    assert doc["tips"] == ["Name what you heard first.", "Repeat amount and date."]
    assert doc["turns"][3] == {"n": 4, "speaker": "trainee", "text": "Hello, Jordan?",
                               "acts": ["greet"]}
    assert json.loads(render_attempt(_attempt(), "json")) == json.loads(json.dumps(doc))
    with pytest.raises(ValueError):
        render_attempt(_attempt(), "pdf")


def test_markdown_has_scores_findings_tips_and_transcript():
    md = attempt_markdown(_attempt())
    for part in ("# Scorecard: legitimate-excuse — attempt 12", "| overall | 71 |",
                 "## Points lost", "empathy -12", "evidence: “Hello, Jordan?”",
                 "## Tips", "1. Name what you heard first.", "## Transcript",
                 "4. **you:** Hello, Jordan?", "3. **debtor:** Yes, speaking.", "never happened"):
        assert part in md
    # Dimensions in reading order, not alphabetical.
    assert md.index("| preparation") < md.index("| empathy") < md.index("| overall")


def test_markdown_escapes_trainee_text():
    md = attempt_markdown(_attempt(line=EVIL, trainee="<b>ana</b>"))
    assert not re.search(r"(?<!\\)[<>]", md)  # every angle bracket backslash-escaped
    assert "](http" not in md  # no live link
    assert r"\<script\>" in md
    assert md_escape("a|b*c_d") == r"a\|b\*c\_d"
    assert md_escape("Q&A &amp; more") == "Q&A &amp;amp; more"


def test_html_is_self_contained_and_escapes_everything():
    page = attempt_html(_attempt(line=EVIL, trainee='"><svg onload=alert(1)>'))
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    lowered = page.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<svg" not in lowered
    assert "http://" not in lowered.replace("http://evil.test", "")  # no external resources
    assert not re.search(r"<(link|iframe|object|embed)\b", lowered)
    assert not re.search(r"\bsrc=", lowered.replace(html.escape("src=x"), ""))
    assert html.escape(EVIL) in page
    assert "&quot;&gt;&lt;svg onload=alert(1)&gt;" in page
    assert page.count("<style>") == 1


def test_unfinished_attempt_says_how_to_continue():
    a = _attempt(finished=False)
    for doc in (attempt_markdown(a), attempt_html(a)):
        assert "Unfinished" in doc and "collectsim resume 12" in doc
    assert attempt_json(a)["status"] == "unfinished"


def test_sparkline_uses_a_fixed_scale():
    assert sparkline([0, 50, 100]) == "▁▅█"
    assert sparkline([-5, 130]) == "▁█"
    assert sparkline([]) == ""


def _history() -> History:
    pts = tuple(TrendPoint(i, T0 + dt.timedelta(days=i), {"overall": v, "empathy": v - 10})
                for i, v in enumerate([40, 70, 90], start=1))
    s = ScenarioHistory("legitimate-excuse", 4, (4,), {"overall": 90, "empathy": 80},
                        {"overall": 90, "empathy": 80}, 3, T0 + dt.timedelta(days=4), pts)
    return History("ana", ("empathy", "overall"), (s,))


def test_history_renderings():
    text = history_text(_history())
    assert "History of ana: 4 attempt(s) at 1 scenario(s)" in text
    assert "1 unfinished (#4)" in text
    assert re.search(r"overall\s+90\s+90\s+▄▆▇", text)
    doc = history_json(_history())
    s = doc["scenarios"][0]
    assert s["trend"] == {"empathy": [30, 60, 80], "overall": [40, 70, 90]}
    assert s["unfinished"] == [4] and s["points"][0]["attempt"] == 1
    assert history_text(History("bo", (), ())) == "No attempts recorded for bo.\n"


def _summary() -> TeamSummary:
    lost = (LostCriterion("ack", "acknowledged the reason", "empathy", 3),)
    g = GroupStats("=HYPERLINK(\"x\")", None, 5, 4, {"overall": 61.5}, {"overall": 80}, lost)
    s = GroupStats(None, "legitimate-excuse", 5, 4, {"overall": 61.5}, {"overall": 80}, lost)
    p = GroupStats("=HYPERLINK(\"x\")", "legitimate-excuse", 5, 4, {"overall": 61.5},
                   {"overall": 80}, lost)
    return TeamSummary(("overall",), (g,), (s,), (p,))


def test_summary_csv_is_one_row_per_group_and_defuses_formulas():
    rows = list(csv.DictReader(io.StringIO(summary_csv(_summary()))))
    assert [r["level"] for r in rows] == ["trainee", "scenario", "trainee+scenario"]
    assert rows[0]["trainee"].startswith("'=")  # a spreadsheet shows it, does not run it
    assert rows[1]["avg_overall"] == "61.5" and rows[1]["best_overall"] == "80"
    assert rows[1]["most_lost"] == "ack (3)"


def test_summary_text_and_json():
    text = summary_text(_summary())
    assert "By trainee" in text and "By scenario" in text and "62/80" in text
    assert "acknowledged the reason (3)" in text
    doc = summary_json(_summary())
    assert doc["by_scenario"][0]["lost"][0] == {
        "criterion": "ack", "label": "acknowledged the reason", "dimension": "empathy",
        "attempts": 3}
    assert summary_text(TeamSummary((), (), (), ())) == "No attempts recorded.\n"
