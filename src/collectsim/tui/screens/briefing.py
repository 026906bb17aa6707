"""Briefing: read the case file and prepare. Every preparation step goes into the attempt and
is scored like the `/send-documents`, `/check-payments`, `/plan` and `/decide` script actions.

Here the trainee also chooses the mode (practice, or an assessment: one attempt, no coach) and,
for scenarios that give contact information, answers "may this call be made now?"; deciding not
to call ends the attempt without dialling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from collectsim.tui.attempt import PLAN_OUTCOMES
from collectsim.tui.messages import CallEnded, StartCall
from collectsim.tui.text import literal
from collectsim.tui.widgets.casefile import CaseFile
from collectsim.tui.widgets.plan_input import PlanInput

if TYPE_CHECKING:
    from collectsim.transcript import Turn
    from collectsim.tui.attempt import Attempt


def title_bar(brief: dict[str, Any]) -> Content:
    return Content.assemble(
        literal(brief["title"], "bold", one_line=True, limit=120),
        ("  ", ""),
        literal(brief["persona_type"], "$accent", one_line=True, limit=40),
        (" · ", "$foreground-muted"),
        (brief["difficulty"], "$foreground-muted"),
    )


def mode_badge(mode: str) -> Content:
    if mode == "assessment":
        return Content.assemble((" ASSESSMENT ", "bold $background on $warning"))
    return Content.assemble((" practice ", "$foreground-muted"))


def _zone(name: Any) -> str:
    """' (Los Angeles)' for 'America/Los_Angeles': the place a trainee thinks in."""
    if not name:
        return ""
    return f" ({str(name).rsplit('/', 1)[-1].replace('_', ' ')})"


def contact_facts(c: dict[str, Any]) -> Content:
    """What the file says about calling now: the facts, never the answer."""
    rows: list[tuple[str, str]] = []
    if c.get("local_time"):
        rows.append(("Their time", f"{c['local_time']}{_zone(c.get('local_timezone'))}"))
    if c.get("given_time") and (
        c.get("given_time") != c.get("local_time")
        or c.get("given_timezone") != c.get("local_timezone")
    ):
        rows.append(("Your clock", f"{c['given_time']}{_zone(c.get('given_timezone'))}"))
    rows.append(("Calls, 7 days", f"{c.get('calls_in_last_7_days', 0)} outbound"))
    if c.get("last_conversation"):
        rows.append(("Last talked", str(c["last_conversation"])))
    if c.get("attorney"):
        rows.append(("Attorney", str(c["attorney"])))
    if c.get("cease_request"):
        rows.append(("Asked to stop", str(c["cease_request"])))
    lines = [
        Content.assemble((f"{k:<14}", "$foreground-muted"), literal(v, one_line=True, limit=80))
        for k, v in rows
    ]
    return Content("\n").join(lines)


class BriefingScreen(Screen):
    CSS_PATH = "../briefing.tcss"  # loaded when the screen is first shown
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "send_documents", "Send documents"),
        Binding("p", "check_payments", "Check payments"),
        Binding("o", "plan", "Plan", show=False),
        Binding("c", "call", "Call"),
        Binding("y", "decide('call')", "May call", show=False),
        Binding("n", "decide('no-call')", "Don't call", show=False),
        Binding("a", "mode", "Practice/Assess"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, attempt: Attempt, brief: dict[str, Any]) -> None:
        super().__init__()
        self.attempt = attempt
        self.brief = brief

    @property
    def contact(self) -> dict[str, Any] | None:
        return self.brief.get("contact_rules")

    def compose(self) -> ComposeResult:
        with Horizontal(id="briefing-bar", classes="title-bar"):
            yield Static(title_bar(self.brief), id="briefing-title")
            yield Static(mode_badge(self.attempt.mode), id="mode-badge")
        with Horizontal(id="briefing-body"):
            yield CaseFile(self.brief, id="casefile")
            with Vertical(id="prepare"):
                with VerticalScroll(id="prepare-scroll"):
                    if self.contact is not None:
                        yield Static("May this call be made now?", classes="heading", id="ask")
                        yield Static(contact_facts(self.contact), id="contact-facts")
                        with Horizontal(id="decide"):
                            yield Button("Yes, call", id="decide-call", compact=True)
                            yield Button("Not now", id="decide-no-call", compact=True)
                        yield Static("", id="decision")
                    yield Label("Prepare", classes="heading")
                    yield Button("Send documents", id="send-documents", compact=True)
                    yield Button("Check payments", id="check-payments", compact=True)
                    yield Label("Plan: if they…", classes="heading")
                    for outcome, label in PLAN_OUTCOMES:
                        yield Label(label.removeprefix("They ").lower(), classes="plan-label")
                        yield PlanInput(
                            placeholder="what you will do",
                            id=f"plan-{outcome}",
                            classes="plan",
                            compact=True,
                            max_length=300,
                        )
                    yield Static("", id="prep-log")
                yield Button("Start the call", id="start-call", variant="primary", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show_log()
        self._show_decision()
        self.query_one("#casefile Tabs").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "decide":
            return self.contact is not None
        return True

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    # --- preparation ------------------------------------------------------------------------------

    def _do(self, action: str, arg: str = "") -> list[Turn]:
        try:
            turns = self.attempt.act(action, arg)
        except ValueError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return []
        self._show_log()
        return turns

    def _show_log(self) -> None:
        done = [t for t in self.attempt.turns if t.speaker == "system"]
        lines = [Content.assemble(("✓ ", "$success"), literal(t.text)) for t in done]
        log = self.query_one("#prep-log", Static)
        log.update(Content("\n").join(lines))
        log.display = bool(lines)
        for action, kind in (
            ("send-documents", "send_documents"),
            ("check-payments", "check_payments"),
        ):
            if any(t.kind == kind for t in done):
                self.query_one(f"#{action}", Button).add_class("-done")

    # --- the mode and the contact-rule question ---------------------------------------------------

    def action_mode(self) -> None:
        """Practice or assessment: chosen here, fixed once the call starts."""
        self.attempt.mode = "practice" if self.attempt.assessment else "assessment"
        self.query_one("#mode-badge", Static).update(mode_badge(self.attempt.mode))
        if self.attempt.assessment:
            self.notify(
                "One attempt, no coach view; it counts for your progress and the team view. "
                "A again: practice.",
                title="Assessment",
                timeout=4,
            )
        else:
            self.notify("Practice: the coach view is allowed and retries are free.", timeout=3)

    def decision(self) -> str | None:
        decided = [t for t in self.attempt.turns if t.kind == "decide"]
        return decided[-1].text.removeprefix("Decision: ") if decided else None

    def action_decide(self, choice: str) -> None:
        if self.contact is None or self.decision() == choice:
            return
        self._do("decide", choice)
        self._show_decision()

    def _show_decision(self) -> None:
        if self.contact is None:
            return
        choice = self.decision()
        box = self.query_one("#decision", Static)
        start = self.query_one("#start-call", Button)
        for name in ("call", "no-call"):
            self.query_one(f"#decide-{name}", Button).set_class(choice == name, "-chosen")
        if choice == "no-call":
            box.update(
                Content.assemble(
                    ("Decided: do not call now. ", "$warning"),
                    ("The attempt ends without dialling.", "$foreground-muted"),
                )
            )
            start.label = "Don't call: finish"
        elif choice == "call":
            box.update(Content("Decided: this call may be made now.").stylize("$success"))
            start.label = "Start the call"
        else:
            box.update(Content("Press Y or N to decide.").stylize("$foreground-muted"))
            start.label = "Start the call"

    def action_send_documents(self) -> None:
        self._do("send-documents")

    def action_check_payments(self) -> None:
        self._do("check-payments")

    def action_back(self) -> None:
        """Escape in a plan field leaves the field (the plan is kept), not the briefing: a
        trainee pressing Escape to stop typing must not lose the preparation."""
        if isinstance(self.focused, Input):
            self.query_one("#casefile Tabs").focus()
            return
        self.app.action_home()  # type: ignore[attr-defined]

    def action_plan(self) -> None:
        self.query_one(".plan", Input).focus()

    def action_call(self) -> None:
        for box in self.query(".plan").results(Input):
            self._record_plan(box)
        if self.decision() == "no-call":
            self.attempt.hang_up()  # "No call was made."; scored like /decide no-call then /end
            self.post_message(CallEnded(self.attempt))
            return
        self.post_message(StartCall(self.attempt))

    def _record_plan(self, box: Input) -> None:
        outcome = (box.id or "").removeprefix("plan-")
        text = box.value.strip()
        if text and self.attempt.session.plans.get(outcome) != text:
            self._do("plan", f"{outcome}: {text}")

    @on(Input.Submitted, ".plan")
    def _plan_submitted(self, event: Input.Submitted) -> None:
        self._record_plan(event.input)  # PlanInput has already moved focus on

    @on(Input.Blurred, ".plan")
    def _plan_left(self, event: Input.Blurred) -> None:
        self._record_plan(event.input)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        actions = {
            "send-documents": self.action_send_documents,
            "check-payments": self.action_check_payments,
            "start-call": self.action_call,
            "decide-call": lambda: self.action_decide("call"),
            "decide-no-call": lambda: self.action_decide("no-call"),
        }
        if event.button.id in actions:
            actions[event.button.id]()
