"""Briefing: read the case file and prepare. Every preparation step goes into the attempt and
is scored like the `/send-documents`, `/check-payments` and `/plan` script actions."""

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
from collectsim.tui.messages import StartCall
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


class BriefingScreen(Screen):
    CSS_PATH = "../briefing.tcss"  # loaded when the screen is first shown
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "send_documents", "Send documents"),
        Binding("p", "check_payments", "Check payments"),
        Binding("o", "plan", "Plan", show=False),
        Binding("c", "call", "Call"),
        Binding("escape", "app.home", "Back"),
    ]

    def __init__(self, attempt: Attempt, brief: dict[str, Any]) -> None:
        super().__init__()
        self.attempt = attempt
        self.brief = brief

    def compose(self) -> ComposeResult:
        yield Static(title_bar(self.brief), id="briefing-title", classes="title-bar")
        with Horizontal(id="briefing-body"):
            yield CaseFile(self.brief, id="casefile")
            with Vertical(id="prepare"):
                with VerticalScroll(id="prepare-scroll"):
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
        self.query_one("#casefile Tabs").focus()

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

    def action_send_documents(self) -> None:
        self._do("send-documents")

    def action_check_payments(self) -> None:
        self._do("check-payments")

    def action_plan(self) -> None:
        self.query_one(".plan", Input).focus()

    def action_call(self) -> None:
        for box in self.query(".plan").results(Input):
            self._record_plan(box)
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
        }
        if event.button.id in actions:
            actions[event.button.id]()
