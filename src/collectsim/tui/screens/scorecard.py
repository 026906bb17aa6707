"""Scorecard: the bars, the outcome, flags and every finding with its evidence and a tip.

Findings are grouped by dimension, points lost first, then points gained. Highlighting a finding
brings the line that earned or lost it into view in the transcript. After a practice call R
retries; an assessment is not retried, A starts a new one (from practice too). A scorecard
opened from the history (``stored``) goes back there with Escape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.geometry import Spacing
from textual.screen import Screen
from textual.visual import Padding
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from collectsim.models import outcome_label
from collectsim.tui.messages import NextScenario, Retry
from collectsim.tui.text import literal
from collectsim.tui.widgets.scorebars import DIMENSIONS, ScoreBars
from collectsim.tui.widgets.transcript import Transcript

if TYPE_CHECKING:
    from collectsim.tui.attempt import Attempt


def finding_prompt(f: Any, *, dimension: bool = True) -> Padding:
    """A finding as an option, indented under its group header; a criterion too long for the
    line wraps to the same indent, not to the edge."""
    sign = "$success" if f.points > 0 else "$error" if f.points < 0 else "$foreground-muted"
    where = f"line {f.turn}" if f.turn else ""
    what = " · ".join(x for x in (f.dimension if dimension else "", where) if x)
    content = Content.assemble(
        literal(f.criterion, one_line=True, limit=200),
        "\n",
        (f"{f.points:+d} ", f"bold {sign}"),
        (what, "$foreground-muted"),
    )
    return Padding(content, Spacing(0, 0, 0, 2))


def grouped(findings: Any) -> list[tuple[str, list[tuple[int, Any]]]]:
    """(dimension, [(index, finding)...]) in reading order; in each, lost (biggest first), then
    gained (biggest first), then findings worth no points."""
    order = [d for d, _ in DIMENSIONS]
    dims = sorted(
        {f.dimension for f in findings},
        key=lambda d: (d not in order, order.index(d) if d in order else 0, d),
    )
    out = []
    for d in dims:
        mine = [(i, f) for i, f in enumerate(findings) if f.dimension == d]
        lost = sorted((x for x in mine if x[1].points < 0), key=lambda x: (x[1].points, x[0]))
        gained = sorted((x for x in mine if x[1].points > 0), key=lambda x: (-x[1].points, x[0]))
        rest = [x for x in mine if x[1].points == 0]
        out.append((d, lost + gained + rest))
    return out


def group_header(dimension: str, items: list[tuple[int, Any]]) -> Content:
    lost = sum(f.points for _, f in items if f.points < 0)
    gained = sum(f.points for _, f in items if f.points > 0)
    parts: list[Any] = [(dimension.replace("_", " ").capitalize(), "bold $accent")]
    if lost:
        parts += [("  lost ", "$foreground-muted"), (f"{lost:+d}", "$error")]
    if gained:
        parts += [("  gained ", "$foreground-muted"), (f"{gained:+d}", "$success")]
    return Content.assemble(*parts)


def outcome_content(
    outcome: str,
    success: list[str],
    ended_by: str | None,
    *,
    dialled: bool = True,
    counted: bool = True,
) -> Content:
    """The outcome and whether it is a success here. ``counted`` is False when the scorer did
    not count a success outcome (a promise given only to end the call)."""
    if not dialled:
        return Content.assemble(
            ("Outcome  ", "$foreground-muted"),
            ("no call made", "bold"),
            ("\nThe contact-rule decision is scored under preparation.", "$foreground-muted"),
        )
    ok = outcome in success
    if ok and not counted:
        verdict = ("  ✗ not counted as a success (see Close)", "$error")
    elif ok:
        verdict = ("  ✓ success", "$success")
    else:
        verdict = ("  ✗ not a success here", "$error")
    parts: list[Any] = [("Outcome  ", "$foreground-muted"), (outcome_label(outcome), "bold")]
    parts.append(verdict)
    if ended_by == "debtor":
        parts.append(("\nThe debtor ended the call.", "$foreground-muted"))
    return Content.assemble(*parts)


def flags_content(flags: Any) -> Content:
    if not flags:
        return Content("No conduct flags.").stylize("$foreground-muted")
    lines = []
    for fl in flags:
        style = "bold $error" if fl.critical else "$warning"
        where = f" (line {fl.turn})" if fl.turn else ""
        lines.append(
            Content.assemble(
                (f"⚑ {fl.kind.replace('_', ' ')}{where}", style),
                ("  critical" if fl.critical else "", "$error"),
            )
        )
    return Content("\n").join(lines)


class ScorecardScreen(Screen):
    CSS_PATH = "../scorecard.tcss"  # loaded when the screen is first shown
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry"),
        Binding("a", "assess", "Assess"),
        Binding("n", "next", "Next"),
        Binding("e", "app.export_script", "Export"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(
        self,
        attempt: Attempt,
        brief: dict[str, Any],
        card: Any,
        error: str | None,
        *,
        new_best: bool = False,
        stored: bool = False,
    ) -> None:
        super().__init__()
        self.attempt = attempt
        self.brief = brief
        self.card = card
        self.error = error
        self.new_best = new_best
        self.stored = stored

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return not getattr(self.attempt, "assessment", False)  # one attempt per assessment
        return True

    def compose(self) -> ComposeResult:
        overall = self.card.scores.get("overall") if self.card else None
        title = [
            ("Scorecard  ", "$foreground-muted"),
            literal(self.brief["title"], "bold", one_line=True, limit=120),
        ]
        if getattr(self.attempt, "assessment", False):
            title.append(("  ASSESSMENT", "bold $warning"))
        number = getattr(self.attempt, "attempt_id", None)
        if number is not None:
            title.append((f"  #{number}", "$foreground-muted"))
        if self.new_best and overall is not None:
            title.append(("   new best!", "$success"))
        yield Static(Content.assemble(*title), id="card-title", classes="title-bar")
        with Horizontal(id="card-top"):
            yield ScoreBars(self.card.scores if self.card else {}, id="bars")
            with Vertical(id="verdict"):
                record = self.attempt.record()
                yield Static(
                    outcome_content(
                        record.outcome,
                        self.brief["success"],
                        record.ended_by,
                        dialled=any(t.kind == "call_start" for t in record.turns),
                        counted=not any(
                            f.id == "success_outcome" and f.points < 0
                            for f in (self.card.findings if self.card else ())
                        ),
                    ),
                    id="outcome",
                )
                yield Static(flags_content(self.card.flags if self.card else ()), id="flags")
        with Horizontal(id="card-body"):
            yield OptionList(id="findings")
            yield Transcript(
                self.brief.get("speaker") or self.brief["debtor"]["name"],
                numbered=True,  # the "line N" of the findings
                turns=list(self.attempt.turns),
                id="card-transcript",
            )
        yield Static("", id="finding-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        findings = self.query_one("#findings", OptionList)
        if self.error:
            findings.add_option(
                Option(literal(f"No scorecard: {self.error}", "$error"), disabled=True)
            )
        elif self.card is not None:
            for dimension, items in grouped(self.card.findings):
                findings.add_option(Option(group_header(dimension, items), disabled=True))
                findings.add_options(
                    [Option(finding_prompt(f, dimension=False), id=str(i)) for i, f in items]
                )
            if self.card.findings:
                findings.highlighted = next(
                    i for i, o in enumerate(findings.options) if not o.disabled
                )
            else:
                findings.add_option(
                    Option(Content("No findings.").stylize("$foreground-muted"), disabled=True)
                )
        findings.focus()

    def _finding(self, option: Option | None) -> Any:
        if option is None or option.id is None or self.card is None:
            return None
        return self.card.findings[int(option.id)]

    @on(OptionList.OptionHighlighted, "#findings")
    @on(OptionList.OptionSelected, "#findings")
    def _show_finding(self, event: OptionList.OptionHighlighted) -> None:
        f = self._finding(event.option)
        if f is None:
            return
        # After the next refresh: on opening, the transcript's lines are not laid out yet (and
        # its own scroll to the end would win), so the first finding's line stayed off screen.
        self.call_after_refresh(self.query_one(Transcript).highlight, f.turn)
        parts: list[Any] = []
        if f.evidence:
            parts += [
                ("“", "$foreground-muted"),
                literal(f.evidence, "italic", limit=400),
                ("”", "$foreground-muted"),
            ]
        elif f.points < 0:  # something missing: there is no line to quote
            parts.append(("Not done in this call.", "$foreground-muted"))
        elif f.points > 0:
            parts.append(("Earned over the whole call.", "$foreground-muted"))
        if f.tip:
            if parts:
                parts.append("\n")
            # A tip beside points gained is why they count, not a correction.
            label = "Why it counts  " if f.points > 0 else "Tip  "
            parts += [(label, "bold $accent"), literal(f.tip, limit=600)]
        self.query_one("#finding-detail", Static).update(Content.assemble(*parts))

    def action_retry(self) -> None:
        if getattr(self.attempt, "assessment", False):
            self.notify("An assessment is one attempt: A starts a new one.", timeout=3)
            return
        self.post_message(Retry(self.attempt.scenario_id))

    def action_assess(self) -> None:
        self.post_message(Retry(self.attempt.scenario_id, "assessment"))

    def action_back(self) -> None:
        if self.stored:
            self.app.pop_screen()
        else:
            self.app.action_home()  # type: ignore[attr-defined]

    def action_next(self) -> None:
        self.post_message(NextScenario(self.attempt.scenario_id))
