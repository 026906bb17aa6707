"""Practice and assessment: what each mode allows, in one place for the CLI and the TUI.

Practice is the trainee's own: the coach view may be on, retries are free, and it never shows in
the team view. An assessment is one attempt with the coach view off; only assessments feed the
trainer's team summary and the trainee's proficiency (`collectsim.proficiency`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PRACTICE = "practice"
ASSESSMENT = "assessment"
#: The mode the team view (`report --summary`) reads by default.
TEAM_VIEW_MODE = ASSESSMENT


@dataclass(frozen=True)
class ModePolicy:
    mode: str
    coach_view: bool  # the live scorecard during the call may be shown
    free_retries: bool  # "try again" is offered on the scorecard
    team_view: bool  # counted in the trainer's summary and in proficiency


POLICIES: dict[str, ModePolicy] = {
    PRACTICE: ModePolicy(PRACTICE, coach_view=True, free_retries=True, team_view=False),
    ASSESSMENT: ModePolicy(ASSESSMENT, coach_view=False, free_retries=False, team_view=True),
}


def policy(mode: str | None) -> ModePolicy:
    """The rules of a mode; an unknown or missing mode is practice (nothing is at stake)."""
    return POLICIES.get(mode or PRACTICE, POLICIES[PRACTICE])


def is_assessment(x: Any) -> bool:
    """For a mode name, or anything with a `.mode` (an `AttemptInfo`, a CLI namespace)."""
    mode = x if isinstance(x, str) or x is None else getattr(x, "mode", None)
    return mode == ASSESSMENT


__all__ = [
    "ASSESSMENT",
    "POLICIES",
    "PRACTICE",
    "TEAM_VIEW_MODE",
    "ModePolicy",
    "is_assessment",
    "policy",
]
