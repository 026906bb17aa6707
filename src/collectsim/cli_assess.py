"""`score` (real call transcripts), `progress` (proficiency), and `play --assess`.

Plugged into `collectsim.cli` through `register()`. Assessment mode also makes the team view
(`report --summary`) read assessments by default: practice stays the trainee's own.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path
from typing import Any

from collectsim import cli
from collectsim.modes import ASSESSMENT, TEAM_VIEW_MODE

# --- score ---------------------------------------------------------------------------------------


def score_transcript(
    path: Path, loaded: Any | None, call_type: str = "first_party"
) -> dict[str, Any]:
    """The scorecard JSON of a transcript file (what `score --json` prints)."""
    from collectsim.scoring import not_assessed, render_scorecard, score
    from collectsim.transcripts import (
        available,
        read_transcript,
        to_record,
        turn_lines,
        unknown_scenario,
    )

    t = read_transcript(path)
    target = loaded if loaded is not None else unknown_scenario(call_type)
    record = to_record(t, loaded)
    have = available(loaded)
    card = score(record, target, available=have)
    skipped = not_assessed(record, target, None, have)
    lines = turn_lines(t)
    out: dict[str, Any] = {
        "transcript": str(path),
        "format": t.format,
        "scenario": loaded.scenario.id if loaded is not None else None,
        "debtor_tags": "given" if t.tagged else "cues",
        "outcome": record.outcome,
        "agreement": record.agreement.to_json() if record.agreement else None,
        "turns": [{**x.to_json(), "line": lines.get(x.n)} for x in record.turns],
    }
    out.update(card.to_json())
    for f in out["findings"]:
        f["line"] = lines.get(f["turn"]) if f["turn"] else None
    for f in out["flags"]:
        f["line"] = lines.get(f["turn"]) if f["turn"] else None
    out["not_assessed"] = [x.to_json() for x in skipped]
    out["_text"] = render_scorecard(card)
    out["_record"] = record
    return out


def _not_assessed_text(items: list[dict[str, Any]]) -> str:
    if not items:
        return ""
    out = ["\n", "NOT ASSESSED (not failed: the transcript cannot show them)"]
    out += [f"  {x['criterion']} ({x['dimension']}): {x['reason']}" for x in items]
    return "\n".join(out)


def score_markdown(doc: dict[str, Any]) -> str:
    from collectsim.reports import md_escape as e

    lines = [f"# Scorecard: {e(doc['transcript'])}", ""]
    scenario = doc["scenario"] or "none given (case-file criteria not assessed)"
    lines.append(f"- Scenario: {e(scenario)}")
    lines.append(f"- Outcome (inferred): {e(doc['outcome'])}")
    lines.append(f"- Debtor tags: {e(doc['debtor_tags'])}")
    lines += ["", "## Scores", "", "| dimension | score |", "|---|---:|"]
    lines += [f"| {e(d)} | {v} |" for d, v in doc["scores"].items()]
    if doc["flags"]:
        lines += ["", "## Flags", ""]
        for f in doc["flags"]:
            crit = " — critical" if f["critical"] else ""
            lines.append(f"- **{e(f['kind'])}** (line {f['line'] or '-'}){crit}: {e(f['text'])}")
    for title, sign in (("Points lost", -1), ("Points earned", 1)):
        items = [f for f in doc["findings"] if f["points"] * sign > 0]
        if not items:
            continue
        lines += ["", f"## {title}", ""]
        for f in items:
            where = f"line {f['line']}" if f["line"] else "never happened"
            lines.append(f"- **{e(f['dimension'])} {f['points']:+d}** — {e(f['criterion'])} "
                         f"({where})")
            if f["evidence"]:
                lines.append(f"  - evidence: “{e(f['evidence'])}”")
            if f["tip"] and sign < 0:
                lines.append(f"  - tip: {e(f['tip'])}")
    if doc["not_assessed"]:
        lines += ["", "## Not assessed", ""]
        lines += [f"- {e(x['criterion'])} ({e(x['dimension'])}): {e(x['reason'])}"
                  for x in doc["not_assessed"]]
    lines += ["", "## Transcript", ""]
    for x in doc["turns"]:
        who = "collector" if x["speaker"] == "trainee" else "debtor"
        lines.append(f"{x['n']}. **{who}** (line {x['line']}): {e(x['text'])}")
    return "\n".join(lines) + "\n"


def score_html(doc: dict[str, Any]) -> str:
    """A self-contained page: every piece of transcript text is escaped."""
    def e(v: Any) -> str:
        return html.escape(str(v), quote=True)

    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>Scorecard: {e(doc['transcript'])}</title></head><body>",
           f"<h1>Scorecard: {e(doc['transcript'])}</h1>",
           f"<p>Scenario: {e(doc['scenario'] or 'none given')} · outcome (inferred) "
           f"{e(doc['outcome'])} · debtor tags: {e(doc['debtor_tags'])}</p>",
           "<h2>Scores</h2><table>"]
    out += [f"<tr><th>{e(d)}</th><td>{int(v)}</td></tr>" for d, v in doc["scores"].items()]
    out.append("</table>")
    if doc["flags"]:
        out.append("<h2>Flags</h2><ul>")
        out += [f"<li><b>{e(f['kind'])}</b> (line {e(f['line'] or '-')})"
                f"{' — critical' if f['critical'] else ''}: {e(f['text'])}</li>"
                for f in doc["flags"]]
        out.append("</ul>")
    out.append("<h2>Findings</h2><ul>")
    for f in doc["findings"]:
        where = f"line {e(f['line'])}" if f["line"] else "never happened"
        ev = f" — “{e(f['evidence'])}”" if f["evidence"] else ""
        out.append(f"<li>{e(f['dimension'])} {int(f['points']):+d}: {e(f['criterion'])} "
                   f"({where}){ev}</li>")
    out.append("</ul>")
    if doc["not_assessed"]:
        out.append("<h2>Not assessed</h2><ul>")
        out += [f"<li>{e(x['criterion'])} ({e(x['dimension'])}): {e(x['reason'])}</li>"
                for x in doc["not_assessed"]]
        out.append("</ul>")
    out.append("<h2>Transcript</h2><ol>")
    for x in doc["turns"]:
        who = "collector" if x["speaker"] == "trainee" else "debtor"
        out.append(f'<li value="{int(x["n"])}"><b>{who}:</b> {e(x["text"])}</li>')
    out.append("</ol></body></html>")
    return "\n".join(out) + "\n"


def cmd_score(args: argparse.Namespace) -> int:
    loaded = cli._resolve(args) if args.scenario else None
    doc = score_transcript(Path(args.transcript), loaded, args.call_type)
    record = doc.pop("_record")
    text = doc.pop("_text")
    fmt = "json" if args.json else args.format
    if fmt == "json":
        body = json.dumps(doc, ensure_ascii=False) + "\n"
    elif fmt == "md":
        body = score_markdown(doc)
    elif fmt == "html":
        body = score_html(doc)
    else:
        body = (cli.render_transcript(record) + f" (inferred from the transcript)\n\n{text}"
                + _not_assessed_text(doc["not_assessed"]) + "\n")
        if not args.output:
            cli._say(body.rstrip("\n"))
            return 0
    if args.output:
        Path(args.output).write_text(body, encoding="utf-8")
    else:
        sys.stdout.write(body)
    return 0


# --- progress ------------------------------------------------------------------------------------


def cmd_progress(args: argparse.Namespace) -> int:
    from collectsim.cli_records import _open, default_trainee
    from collectsim.proficiency import progress, progress_text

    trainee = args.trainee or default_trainee()
    with _open(args) as store:
        p = progress(trainee, store, cli._library(args))
    if args.json:
        cli._print_json(p.to_json())
    else:
        sys.stdout.write(progress_text(p))
    return 0


# --- wiring --------------------------------------------------------------------------------------


def register(sub: Any, play_parser: argparse.ArgumentParser) -> None:
    from collectsim.cli_records import _add_once, _db_option

    _add_once(play_parser, "--assess", dest="mode", action="store_const", const=ASSESSMENT,
              help="record this attempt as an assessment (feeds the team view and progress)")
    report = sub.choices.get("report")
    if report is not None and "--mode" in report._option_string_actions:
        # Only assessments feed the trainer's team view; `--mode practice` still asks for practice.
        report.set_defaults(mode=TEAM_VIEW_MODE)

    s = sub.add_parser("score", help="score a real call's transcript on the same rubric")
    s.add_argument("transcript", metavar="TRANSCRIPT",
                   help="text (Collector:/Debtor: lines) or JSON ([{speaker, text}])")
    s.add_argument("--scenario", metavar="ID",
                   help="the case file to check facts against (without it, criteria that need "
                        "one are not assessed)")
    s.add_argument("--call-type", choices=["first_party", "agency"], default="first_party",
                   help="without --scenario: agency calls need the collector disclosure")
    s.add_argument("--json", action="store_true")
    s.add_argument("--format", choices=["md", "html", "json"], help="a document instead of text")
    s.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    s.set_defaults(func=cmd_score)

    s = sub.add_parser("progress", help="proficiency per skill from assessments; what to do next")
    s.add_argument("--trainee", metavar="NAME", help="whose progress (default: you)")
    s.add_argument("--json", action="store_true")
    _db_option(s)
    s.set_defaults(func=cmd_progress)
