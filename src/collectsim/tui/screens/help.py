"""Help: how a call works, the keys, and how the scorecard is built."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

HELP = """\
# How a call works

1. **Pick a scenario** on the home screen (type to filter, Enter to open it).
2. **Prepare** in the briefing: read the case file, *send documents* so the debtor has the
   invoice, *check payments* in case money arrived that is not posted yet, and write down what
   you will do **if they** pay, ask for a plan, dispute or refuse. Preparation is scored.
3. **Call.** The debtor picks up and speaks first. Type what you say and press Enter. While the
   debtor is still speaking, sending a line **interrupts** them: it is recorded and they notice.
   Up/Down bring back earlier lines. Take notes as you go (F4, or `/note ...`).
4. **Hang up** (F9 or `/end`) when you are done, or when the debtor does.
5. **Read the scorecard.** Each finding says which line earned or lost the points, with a tip.
   Select one to see that line in the transcript. Retry, or go on to the next scenario.

## In the call

| key | does |
|---|---|
| Enter | say the line (over the debtor: an interruption) |
| Up / Down | earlier lines you said |
| F2 | case file at hand |
| F3 | coach view: the live scorecard (off by default) |
| F4 | notes pad |
| F9 | hang up |
| `/note TEXT` | a note, like F4 |
| `/wait`, `/hold` | stay silent / put them on hold |
| `/send-documents`, `/check-payments` | also possible during the call |
| `/say TEXT` | say TEXT exactly, even when it starts with `/` |

## Practice and assessment

Press **A** in the briefing to switch. **Practice** is yours: the coach view is allowed and R
retries. An **assessment** is one attempt with the coach view off; it is recorded as such and only
assessments count for your proficiency and the trainer's team view. After one, A starts a new
assessment. Some scenarios first ask **may this call be made now?** (their local time, the calls
made this week, an attorney or a request to stop): Y or N. Deciding not to call ends the attempt
without dialling, and the decision is scored.

## Nothing is lost

Every turn is saved the moment it happens. If the app is closed, crashes or the machine stops
in the middle of a call, the home screen lists it under *Unfinished*: resume it where it stopped,
or score it as it stands. Home also suggests the next scenario from your weakest skill.

## Everywhere

| key | does |
|---|---|
| F1 or ? | this help |
| Ctrl+P | command palette: calls, assessments, scenarios, history, team view, export, theme |
| F7 | your history: attempts per scenario, best and last, the trend of each dimension |
| F8 | team view for trainers: per trainee and scenario, averages, best, most lost criteria |
| F5 / Ctrl+R | reload the scenarios and personas from disk (trainers editing files) |
| F6 | problems found in the library files |
| Esc | back |
| Ctrl+Q | quit |

## How the scorecard is built

Four dimensions, each 0–100: **preparation** (documents, payments checked, a plan for each
outcome, the right facts), **professionalism** (identify yourself and the reason, a calm
tone, no threats or pressure, staying on topic), **empathy** (listen, don't interrupt,
acknowledge the reason before asking for a promise) and **the close** (a clear agreement —
amount, date, method — or a clear next step). Things to do earn their share of the
dimension; things not to do are deducted each time. **Overall** weighs the four as the
scenario says. A critical flag — a threat, abuse, disclosing the debt to the wrong person —
caps professionalism and overall however well the rest went.

Export the attempt (E on the scorecard) to get a script that `collectsim play` replays and
scores the same way.
"""


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "../help.tcss"  # loaded when the screen is first shown
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(HELP, id="help-text")
        yield Footer(compact=True)

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(result)
