"""Documents made from the store: an attempt's scorecard (Markdown, HTML, JSON), a trainee's
history, and the team summary (text, CSV, JSON).

Everything here is a pure function of the store's dataclasses, so the TUI and tests use it
without a database. Trainee lines and scenario text are untrusted: HTML escapes every piece of
it, Markdown escapes what would turn into markup, CSV defuses spreadsheet formulas.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Sequence
from typing import Any

from collectsim.store.records import (
    Attempt,
    GroupStats,
    History,
    TeamSummary,
    order_dimensions,
)
from collectsim.textsafe import visible

FORMATS: tuple[str, ...] = ("md", "html", "json")
_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], lo: float = 0, hi: float = 100) -> str:
    """One block character per value on a fixed 0–100 scale, so height means the score."""
    out = []
    for v in values:
        share = (min(max(v, lo), hi) - lo) / (hi - lo) if hi > lo else 0
        out.append(_BARS[round(share * (len(_BARS) - 1))])
    return "".join(out)


def _when(t: dt.datetime | None) -> str:
    return t.strftime("%Y-%m-%d %H:%M UTC") if t else "-"


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat() if t else None


def _who(speaker: str) -> str:
    return {"trainee": "you", "debtor": "debtor"}.get(speaker, "—")


def _cut_off_note(a: Attempt, code: str = "`{}`") -> str:
    """Our own text (numbers only interpolated); `code` wraps the commands."""
    return (
        f"This call was cut off after turn {a.turn_count} and has not been scored. "
        f"Continue it with {code.format(f'collectsim resume {a.id} --script FILE')}, or "
        f"score it as it stands with {code.format(f'collectsim resume {a.id}')}."
    )


def _tips(a: Attempt) -> list[str]:
    seen: list[str] = []
    for f in a.lost:
        tip = str(f.get("tip") or "").strip()
        if tip and tip not in seen:
            seen.append(tip)
    return seen


# --- one attempt -----------------------------------------------------------------------------


def attempt_json(a: Attempt) -> dict[str, Any]:
    """The attempt as `play --json` shows a call, plus who, when and how it was recorded."""
    return {
        "attempt": a.id,
        "trainee": a.trainee,
        "scenario": a.scenario,
        "content_hash": a.content_hash,
        "seed": a.seed,
        "mode": a.mode,
        "status": a.status,
        "finished": a.finished,
        "started_at": _iso(a.started_at),
        "ended_at": _iso(a.ended_at),
        "outcome": a.outcome,
        "ended_by": a.ended_by,
        "turns": [t.to_json() for t in a.turns],
        "notes": list(a.notes) or [t.text for t in a.turns if t.kind == "note"],
        "plans": dict(a.plans),
        "agreement": a.agreement,
        "scores": dict(a.scores),
        "flags": list(a.flags),
        "findings": list(a.findings),
        "tips": _tips(a),
        "app_version": a.app_version,
    }


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>()#+!|~])")


def md_escape(text: Any) -> str:
    """Text that renders as itself in Markdown: no links, emphasis, HTML or table breaks."""
    s = _MD_SPECIAL.sub(r"\\\1", visible(str(text)))
    s = re.sub(r"&(?=#?\w+;)", "&amp;", s)  # only where it would start an entity
    return re.sub(r"\s*\n\s*", " ", s)


def attempt_markdown(a: Attempt) -> str:
    e = md_escape
    lines = [f"# Scorecard: {e(a.scenario)} — attempt {a.id}", ""]
    lines += [
        f"- Trainee: {e(a.trainee)}",
        f"- Played: {_when(a.started_at)} · seed {a.seed} · {e(a.mode)}",
        f"- Outcome: {e(a.outcome or 'not reached')}"
        + (f" (call ended by the {e(a.ended_by)})" if a.ended_by else ""),
        f"- Scenario files: sha256 {e(a.content_hash[:12] or '?')}",
        "",
    ]
    if not a.finished:
        lines += [f"> **Unfinished.** {_cut_off_note(a)}", ""]
    if a.scores:
        lines += ["## Scores", "", "| dimension | score |", "|---|---:|"]
        for d in order_dimensions(a.scores):
            lines.append(f"| {e(d)} | {int(a.scores[d])} |")
        lines.append("")
    if a.flags:
        lines += ["## Flags", ""]
        for f in a.flags:
            turn = f" (turn {f.get('turn')})" if f.get("turn") else ""
            crit = " — critical" if f.get("critical") else ""
            lines.append(f"- **{e(f.get('kind', ''))}**{turn}{crit}: {e(f.get('text', ''))}")
        lines.append("")
    for title, items in (("Points lost", a.lost), ("Points earned", a.gained)):
        if not items:
            continue
        lines += [f"## {title}", ""]
        for f in items:
            turn = f"turn {f['turn']}" if f.get("turn") else "never happened"
            lines.append(
                f"- **{e(f.get('dimension', ''))} {int(f.get('points', 0)):+d}** — "
                f"{e(f.get('criterion', ''))} ({turn})"
            )
            if f.get("evidence"):
                lines.append(f"  - evidence: “{e(f['evidence'])}”")
            if f.get("tip") and f.get("points", 0) < 0:
                lines.append(f"  - tip: {e(f['tip'])}")
        lines.append("")
    tips = _tips(a)
    if tips:
        lines += ["## Tips", ""] + [f"{i}. {e(t)}" for i, t in enumerate(tips, 1)] + [""]
    lines += ["## Transcript", ""]
    for t in a.turns:
        if t.speaker == "system":
            lines.append(f"{t.n}. *{e(t.text)}*")
        else:
            acts = f" `{', '.join(t.acts)}`" if t.acts else ""
            lines.append(f"{t.n}. **{_who(t.speaker)}:** {e(t.text)}{acts}")
    notes = list(a.notes) or [t.text for t in a.turns if t.kind == "note"]
    if notes:
        lines += ["", "## Call notes", ""] + [f"- {e(n)}" for n in notes]
    return "\n".join(lines) + "\n"


_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:52rem;
margin:2rem auto;padding:0 1rem;color:#1d2430;background:#fff}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;
border-bottom:1px solid #dde3ea;padding-bottom:.2rem}
.meta{color:#5a6472;margin:0 0 1rem}.warn{background:#fff4d6;border-left:4px solid #e0a400;
padding:.6rem .8rem}
table{border-collapse:collapse}td,th{padding:.25rem .6rem;text-align:left;vertical-align:top}
.bar{background:#e8edf2;width:12rem;height:.8rem;border-radius:.4rem;overflow:hidden}
.bar span{display:block;height:100%;background:#2f7d5b}
.lost{color:#a3261b}.gained{color:#1f6e47}.flag{color:#a3261b;font-weight:600}
.ev{color:#5a6472;font-style:italic}.tip{margin:.1rem 0 .5rem}
ol.transcript{padding-left:2.5rem}ol.transcript li{margin:.25rem 0}
li.system{color:#5a6472;font-style:italic}li.trainee .who{color:#1f4e8c}
li.debtor .who{color:#7a3e00}.who{font-weight:600}.acts{color:#8a94a3;font-size:.85em}
@media print{body{margin:0}}
"""


def attempt_html(a: Attempt) -> str:
    """A self-contained page (inline CSS, no scripts, no external resources)."""
    e = _h
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Scorecard: {e(a.scenario)} — attempt {a.id}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Scorecard: {e(a.scenario)} <small>— attempt {a.id}</small></h1>",
        f'<p class="meta">{e(a.trainee)} · {e(_when(a.started_at))} · seed {a.seed} · '
        f"{e(a.mode)} · outcome <b>{e(a.outcome or 'not reached')}</b>"
        + (f" (ended by the {e(a.ended_by)})" if a.ended_by else "")
        + f" · scenario files sha256 {e(a.content_hash[:12] or '?')}</p>",
    ]
    if not a.finished:
        out.append(f'<p class="warn"><b>Unfinished.</b> {_cut_off_note(a, "<code>{}</code>")}</p>')
    if a.scores:
        out.append("<h2>Scores</h2><table>")
        for d in order_dimensions(a.scores):
            v = max(0, min(100, int(a.scores[d])))
            out.append(
                f'<tr><th>{e(d)}</th><td>{v}</td><td><div class="bar">'
                f'<span style="width:{v}%"></span></div></td></tr>'
            )
        out.append("</table>")
    if a.flags:
        out.append("<h2>Flags</h2><ul>")
        for f in a.flags:
            turn = f" (turn {e(f.get('turn'))})" if f.get("turn") else ""
            crit = " — critical" if f.get("critical") else ""
            out.append(
                f'<li><span class="flag">{e(f.get("kind", ""))}</span>{turn}{crit}: '
                f"{e(f.get('text', ''))}</li>"
            )
        out.append("</ul>")
    sections = (("Points lost", a.lost, "lost"), ("Points earned", a.gained, "gained"))
    for title, items, cls in sections:
        if not items:
            continue
        out.append(f"<h2>{title}</h2><ul>")
        for f in items:
            turn = f"turn {e(f['turn'])}" if f.get("turn") else "never happened"
            out.append(
                f'<li><span class="{cls}">{e(f.get("dimension", ""))} '
                f"{int(f.get('points', 0)):+d}</span> — {e(f.get('criterion', ''))} ({turn})"
            )
            if f.get("evidence"):
                out.append(f'<div class="ev">“{e(f["evidence"])}”</div>')
            if f.get("tip") and f.get("points", 0) < 0:
                out.append(f'<div class="tip">Tip: {e(f["tip"])}</div>')
            out.append("</li>")
        out.append("</ul>")
    tips = _tips(a)
    if tips:
        out.append("<h2>Tips</h2><ol>" + "".join(f"<li>{e(t)}</li>" for t in tips) + "</ol>")
    out.append('<h2>Transcript</h2><ol class="transcript">')
    for t in a.turns:
        if t.speaker == "system":
            out.append(f'<li value="{t.n}" class="system">{e(t.text)}</li>')
        else:
            acts = f' <span class="acts">[{e(", ".join(t.acts))}]</span>' if t.acts else ""
            out.append(
                f'<li value="{t.n}" class="{e(t.speaker)}"><span class="who">'
                f"{_who(t.speaker)}:</span> {e(t.text)}{acts}</li>"
            )
    out.append("</ol>")
    notes = list(a.notes) or [t.text for t in a.turns if t.kind == "note"]
    if notes:
        out.append("<h2>Call notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    out.append(f'<p class="meta">collectsim {e(a.app_version)}</p></body></html>')
    return "\n".join(out) + "\n"


def _h(value: Any) -> str:
    # Control characters are invalid in HTML and would reach a terminal printing the file.
    return html.escape(visible(str(value)), quote=True)


def render_attempt(a: Attempt, fmt: str) -> str:
    if fmt == "md":
        return attempt_markdown(a)
    if fmt == "html":
        return attempt_html(a)
    if fmt == "json":
        import json

        return json.dumps(attempt_json(a), ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown format '{fmt}' (known: {', '.join(FORMATS)})")


# --- history -------------------------------------------------------------------------------------


def history_text(h: History) -> str:
    who = h.trainee or "everybody"
    if not h.scenarios:
        return f"No attempts recorded for {who}.\n"
    lines = [f"History of {who}: {h.attempts} attempt(s) at {len(h.scenarios)} scenario(s)"]
    for s in h.scenarios:
        extra = ""
        if s.unfinished:
            ids = ", ".join(f"#{i}" for i in s.unfinished)
            extra = f", {len(s.unfinished)} unfinished ({ids})"
        lines += ["", f"{s.scenario}: {s.attempts} attempt(s){extra}, "
                      f"last played {_when(s.last_played)}"]
        if not s.points:
            lines.append("  no scored attempts yet")
            continue
        lines.append(f"  {'dimension':<16} {'last':>4} {'best':>4}  trend (oldest → newest)")
        for d in h.dimensions:
            trend = s.trend(d)
            if not trend:
                continue
            lines.append(
                f"  {d:<16} {s.last.get(d, ''):>4} {s.best.get(d, ''):>4}  {sparkline(trend)}"
            )
    return "\n".join(lines) + "\n"


def history_json(h: History) -> dict[str, Any]:
    return {
        "trainee": h.trainee,
        "dimensions": list(h.dimensions),
        "scenarios": [
            {
                "scenario": s.scenario,
                "attempts": s.attempts,
                "unfinished": list(s.unfinished),
                "best": dict(s.best),
                "last": dict(s.last),
                "last_attempt": s.last_attempt,
                "last_played": _iso(s.last_played),
                "trend": {d: s.trend(d) for d in h.dimensions if s.trend(d)},
                "points": [
                    {"attempt": p.attempt_id, "at": _iso(p.at), "scores": dict(p.scores)}
                    for p in s.points
                ],
            }
            for s in h.scenarios
        ],
    }


# --- team summary --------------------------------------------------------------------------------

_SHORT = {"preparation": "prep", "professionalism": "prof", "empathy": "empathy",
          "close": "close", "overall": "overall"}


def summary_text(t: TeamSummary) -> str:
    if not t.by_pair:
        return "No attempts recorded.\n"
    lines: list[str] = []
    sections = (("By trainee", t.by_trainee, "trainee"), ("By scenario", t.by_scenario, "scenario"),
                ("By trainee and scenario", t.by_pair, "pair"))
    head_dims = "".join(f"{_SHORT.get(d, d)[:9]:>10}" for d in t.dimensions)
    for title, groups, kind in sections:
        names = [_group_name(g, kind) for g in groups]
        width = max([len(n) for n in names] + [8])
        lines += [f"{title} (average/best per dimension)", ""]
        lines.append(f"{'':<{width}} {'tries':>5} {'scored':>6}{head_dims}  most often lost")
        for name, g in zip(names, groups, strict=True):
            cells = "".join(f"{_cell(g, d):>10}" for d in t.dimensions)
            lost = "; ".join(f"{c.label or c.criterion} ({c.attempts})" for c in g.lost) or "-"
            lines.append(f"{name:<{width}} {g.attempts:>5} {g.scored:>6}{cells}  {lost}")
        lines.append("")
    return "\n".join(lines)


def _group_name(g: GroupStats, kind: str) -> str:
    if kind == "trainee":
        return g.trainee or ""
    if kind == "scenario":
        return g.scenario or ""
    return f"{g.trainee} / {g.scenario}"


def _cell(g: GroupStats, d: str) -> str:
    if d not in g.average:
        return "-"
    return f"{g.average[d]:.0f}/{g.best[d]}"


def summary_json(t: TeamSummary) -> dict[str, Any]:
    def group(g: GroupStats) -> dict[str, Any]:
        return {
            "trainee": g.trainee,
            "scenario": g.scenario,
            "attempts": g.attempts,
            "scored": g.scored,
            "average": dict(g.average),
            "best": dict(g.best),
            "lost": [
                {"criterion": c.criterion, "label": c.label, "dimension": c.dimension,
                 "attempts": c.attempts}
                for c in g.lost
            ],
        }

    return {
        "dimensions": list(t.dimensions),
        "by_trainee": [group(g) for g in t.by_trainee],
        "by_scenario": [group(g) for g in t.by_scenario],
        "by_trainee_scenario": [group(g) for g in t.by_pair],
    }


def _csv_safe(value: Any) -> Any:
    """Spreadsheets run cells starting with = + - @ as formulas; a name must stay a name."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def summary_csv(t: TeamSummary) -> str:
    """One row per group; `level` says which: trainee, scenario or trainee+scenario."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ["level", "trainee", "scenario", "attempts", "scored"]
        + [f"avg_{d}" for d in t.dimensions]
        + [f"best_{d}" for d in t.dimensions]
        + ["most_lost"]
    )
    for g in (*t.by_trainee, *t.by_scenario, *t.by_pair):
        w.writerow(
            [_csv_safe(x) for x in (g.level, g.trainee or "", g.scenario or "")]
            + [g.attempts, g.scored]
            + [g.average.get(d, "") for d in t.dimensions]
            + [g.best.get(d, "") for d in t.dimensions]
            + [_csv_safe("; ".join(f"{c.criterion} ({c.attempts})" for c in g.lost))]
        )
    return buf.getvalue()
