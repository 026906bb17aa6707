"""The collector act vocabulary shared by analysis, personas, scenarios and scoring.

The names and their order are a stable contract (see docs/acts.md); never rename one.
"""

from __future__ import annotations

ACTS: tuple[str, ...] = (
    "greet",
    "introduce_self",
    "verify_identity",
    "disclose_collector",
    "state_purpose",
    "state_facts",
    "small_talk",
    "ask_reason",
    "empathize",
    "redirect",
    "request_payment",
    "offer_plan",
    "ask_affordability",
    "check_payment_status",
    "offer_documents",
    "summarize_agreement",
    "next_steps",
    "threaten",
    "insult",
    "pressure",
    "dismiss",
    "close_call",
    # added later, at the end so the order of the original names stays as it was
    "confirm_payment_received",
)

ACT_SET: frozenset[str] = frozenset(ACTS)

#: Acts a QA reviewer treats as misconduct; they raise flags on the scorecard.
MISCONDUCT: frozenset[str] = frozenset({"threaten", "insult", "pressure", "dismiss"})

#: Acts that reveal the debt; doing them before the right person is verified is a disclosure risk.
DISCLOSING: frozenset[str] = frozenset(
    {"state_purpose", "state_facts", "request_payment", "offer_plan", "disclose_collector"}
)


def order_acts(acts: set[str] | frozenset[str]) -> tuple[str, ...]:
    """Acts in the canonical order, so output is stable whatever order they were found in."""
    return tuple(a for a in ACTS if a in acts)
